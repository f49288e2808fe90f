import { describe, expect, it } from 'vitest';
import { ibanDetector } from '../../../src/detect/rules/iban.js';
import { values } from './helpers.js';

describe('rules.iban', () => {
  it('finds compact and spaced IBANs of the country length', () => {
    expect(values(ibanDetector, 'IBAN GB82 WEST 1234 5698 7654 32 please')).toEqual(['GB82 WEST 1234 5698 7654 32']);
    expect(values(ibanDetector, 'to DE89370400440532013000.')).toEqual(['DE89370400440532013000']);
    expect(values(ibanDetector, 'iban: fr1420041010050500013m02606')).toEqual(['fr1420041010050500013m02606']);
  });

  it('rejects a wrong check digit, an unknown country or a truncated number', () => {
    expect(values(ibanDetector, 'pay to GB82 WEST 1234 5698 7654 33')).toEqual([]);
    expect(values(ibanDetector, 'IBAN XX82 WEST 1234 5698 7654 32')).toEqual([]);
    expect(values(ibanDetector, 'IBAN GB82 WEST 1234 5698 76')).toEqual([]);
    expect(values(ibanDetector, 'IBAN DE8937040044053201300099')).toEqual([]);
  });

  it('takes a mistyped IBAN right after the word IBAN: it is still the holder\'s account', () => {
    expect(values(ibanDetector, 'IBAN GB82 WEST 1234 5698 7654 33')).toEqual(['GB82 WEST 1234 5698 7654 33']);
    expect(values(ibanDetector, 'Bank of Ireland, IBAN: IE64 BOFI 9000 1712 3456 78.')).toEqual(['IE64 BOFI 9000 1712 3456 78']);
  });
});
