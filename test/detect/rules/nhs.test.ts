import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, nhsDetector } from '../../../src/detect/rules/nhs.js';
import { values } from './helpers.js';

describe('rules.nhs', () => {
  it('finds NHS numbers with a valid mod-11 check next to an NHS word', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(values(nhsDetector, 'NHS number: 943 476 5919')).toEqual(['943 476 5919']);
    expect(values(nhsDetector, 'nhs no 9434765919.')).toEqual(['9434765919']);
  });

  it('rejects a bad check digit and numbers without context', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(values(nhsDetector, 'NHS number: 943 476 5918')).toEqual([]);
    expect(values(nhsDetector, 'call 943 476 5919')).toEqual([]);
  });
});
