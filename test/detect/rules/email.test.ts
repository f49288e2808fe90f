import { describe, expect, it } from 'vitest';
import { emailDetector } from '../../../src/detect/rules/email.js';
import { values } from './helpers.js';

describe('rules.email', () => {
  it('finds addresses with dots, plus tags and sub-domains', () => {
    expect(values(emailDetector, 'Mail maria.gonzalez+work@mail.example.co.uk.')).toEqual(['maria.gonzalez+work@mail.example.co.uk']);
    expect(values(emailDetector, '<BulatDenisov@teleworm.us>, a@b.io')).toEqual(['BulatDenisov@teleworm.us', 'a@b.io']);
  });

  it('ignores handles, bare @ and addresses without a real domain', () => {
    expect(values(emailDetector, 'ping @maria on slack')).toEqual([]);
    expect(values(emailDetector, 'user@localhost and foo@bar')).toEqual([]);
    expect(values(emailDetector, 'no at sign here')).toEqual([]);
  });
});
