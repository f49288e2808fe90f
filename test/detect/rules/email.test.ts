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
    // The credentials of a URL are not a mailbox; "mailto:" is.
    expect(values(emailDetector, 'psql postgres://admin:S3cr3tPa55@db.internal.acme.io:5432/prod')).toEqual([]);
    expect(values(emailDetector, 'write to mailto:ana@example.org')).toEqual(['ana@example.org']);
  });
});
