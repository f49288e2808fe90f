import { describe, expect, it } from 'vitest';
import { findSsns, isValidItin, isValidSsn, itinDetector, ssnDetector } from '../../../src/detect/rules/ssn.js';
import { found } from './helpers.js';

describe('rules.ssn', () => {
  it('finds dashed and spaced SSNs, scoring formatted ones high', () => {
    expect(found(ssnDetector, 'ssn 123-45-6789 and 536 32 3065')).toEqual(['SSN:123-45-6789', 'SSN:536 32 3065']);
    const [span] = findSsns('Here is 123-45-6789');
    expect(span?.score).toBeGreaterThanOrEqual(0.8);
  });

  it('takes bare nine digits only with a context word', () => {
    expect(found(ssnDetector, 'my social security number is 123456789')).toEqual(['SSN:123456789']);
    expect(found(ssnDetector, 'invoice 123456789')).toEqual([]);
  });

  it('rejects 000/666/9xx areas, 00 groups and 0000 serials', () => {
    expect(isValidSsn('000', '12', '3456')).toBe(false);
    expect(isValidSsn('666', '12', '3456')).toBe(false);
    expect(isValidSsn('912', '12', '3456')).toBe(false);
    expect(isValidSsn('123', '00', '4567')).toBe(false);
    expect(isValidSsn('123', '45', '0000')).toBe(false);
    expect(found(ssnDetector, 'SSN 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000')).toEqual([]);
  });
});

describe('rules.itin', () => {
  it('finds ITINs in the valid group ranges', () => {
    expect(isValidItin('912', '70', '1234')).toBe(true);
    expect(found(itinDetector, 'ITIN 912-70-1234 and 999-94-1234')).toEqual(['ITIN:912-70-1234', 'ITIN:999-94-1234']);
  });

  it('rejects 9xx numbers outside the ITIN groups, and SSNs', () => {
    expect(found(itinDetector, 'ITIN 912-40-1234 or 912-93-1234 or 123-70-1234')).toEqual([]);
  });
});
