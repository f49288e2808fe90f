import { describe, expect, it } from 'vitest';
import { keywordIdDetector } from '../../../src/detect/rules/context-ids.js';
import { found } from './helpers.js';

describe('keyword identifiers', () => {
  it('finds identifiers right after their keyword', () => {
    expect(found(keywordIdDetector, 'Passport number: C03005988.')).toEqual(['PASSPORT:C03005988']);
    expect(found(keywordIdDetector, "My driver's license number is LH329609T")).toEqual(['DRIVER_LICENSE:LH329609T']);
    expect(found(keywordIdDetector, 'DL# 2270-66-1551')).toEqual(['DRIVER_LICENSE:2270-66-1551']);
    expect(found(keywordIdDetector, 'MRN 00123456, seen today')).toEqual(['MRN:00123456']);
    expect(found(keywordIdDetector, 'medical record number is 4471-22')).toEqual(['MRN:4471-22']);
    expect(found(keywordIdDetector, 'acct no. 12345678')).toEqual(['ACCOUNT:12345678']);
    expect(found(keywordIdDetector, 'policy number AB-7731942')).toEqual(['ID:AB-7731942']);
    expect(found(keywordIdDetector, 'your claim #CLM-2024-008812 is approved')).toEqual(['ID:CLM-2024-008812']);
    expect(found(keywordIdDetector, 'Unit No: 4471209. Admission Date')).toEqual(['MRN:4471209']);
    expect(found(keywordIdDetector, 'Notary Public, Commission No. 01NA6123456')).toEqual(['ID:01NA6123456']);
  });

  it('takes digit groups split by single spaces whole', () => {
    expect(found(keywordIdDetector, 'Steuer-ID 12 345 678 901, Berlin')).toEqual(['ID:12 345 678 901']);
    expect(found(keywordIdDetector, 'account number 1234 5678 9012 for refunds')).toEqual(['ACCOUNT:1234 5678 9012']);
  });

  it('takes booking references, which may have no digit, after their keyword only', () => {
    expect(found(keywordIdDetector, 'our booking ref is QX7T9P.')).toEqual(['ID:QX7T9P']);
    expect(found(keywordIdDetector, 'PNR: KLMABC')).toEqual(['ID:KLMABC']);
    expect(found(keywordIdDetector, 'the booking ref is pending')).toEqual([]);
    expect(found(keywordIdDetector, 'code QX7T9P')).toEqual([]);
  });

  it('ignores the same values without a keyword', () => {
    expect(found(keywordIdDetector, 'flight C03005988 boards')).toEqual([]);
    expect(found(keywordIdDetector, 'room 00123456')).toEqual([]);
  });

  it('ignores keywords followed by words, years or short numbers', () => {
    expect(found(keywordIdDetector, 'I opened the account in 2019 with 500 dollars')).toEqual([]);
    expect(found(keywordIdDetector, 'my passport expires next year, ref 1234567')).toEqual([]);
    expect(found(keywordIdDetector, 'MRN pending')).toEqual([]);
  });
});
