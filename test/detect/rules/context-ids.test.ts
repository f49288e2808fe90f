import { describe, expect, it } from 'vitest';
import {
  accountDetector,
  driverLicenseDetector,
  idNumberDetector,
  mrnDetector,
  passportDetector,
} from '../../../src/detect/rules/context-ids.js';
import { found } from './helpers.js';

describe('keyword identifiers', () => {
  it('finds identifiers right after their keyword', () => {
    expect(found(passportDetector, 'Passport number: C03005988.')).toEqual(['PASSPORT:C03005988']);
    expect(found(driverLicenseDetector, "My driver's license number is LH329609T")).toEqual(['DRIVER_LICENSE:LH329609T']);
    expect(found(driverLicenseDetector, 'DL# 2270-66-1551')).toEqual(['DRIVER_LICENSE:2270-66-1551']);
    expect(found(mrnDetector, 'MRN 00123456, seen today')).toEqual(['MRN:00123456']);
    expect(found(mrnDetector, 'medical record number is 4471-22')).toEqual(['MRN:4471-22']);
    expect(found(accountDetector, 'acct no. 12345678')).toEqual(['ACCOUNT:12345678']);
    expect(found(idNumberDetector, 'policy number AB-7731942')).toEqual(['ID:AB-7731942']);
  });

  it('ignores the same values without a keyword', () => {
    expect(found(passportDetector, 'flight C03005988 boards')).toEqual([]);
    expect(found(mrnDetector, 'room 00123456')).toEqual([]);
  });

  it('ignores keywords followed by words, years or short numbers', () => {
    expect(found(accountDetector, 'I opened the account in 2019 with 500 dollars')).toEqual([]);
    expect(found(passportDetector, 'my passport expires next year, ref 1234567')).toEqual([]);
    expect(found(mrnDetector, 'MRN pending')).toEqual([]);
  });
});
