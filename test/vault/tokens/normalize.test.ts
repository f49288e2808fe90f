/** Normalisation: the same value in another surface form gets the same identity, different values never do. */
import { describe, expect, it } from 'vitest';
import { normalizeValue } from '../../../src/vault/tokens/normalize.js';
import { MemoryTokenScope } from '../../../src/vault/memory-scope.js';

describe('normalizeValue', () => {
  it('folds surface forms of one value together', () => {
    expect(normalizeValue('PHONE', '+1 (415) 555-0132')).toBe(normalizeValue('PHONE', '+1 415 555 0132'));
    expect(normalizeValue('CREDIT_CARD', '4111-1111-1111-1111')).toBe(normalizeValue('CREDIT_CARD', '4111 1111 1111 1111'));
    expect(normalizeValue('IBAN', 'de89 3704 0044 0532 0130 00')).toBe(normalizeValue('IBAN', 'DE89370400440532013000'));
    expect(normalizeValue('EMAIL', ' Maria@Example.com')).toBe('maria@example.com');
  });

  it('keeps values without digits or letters apart instead of folding them to nothing', () => {
    expect(normalizeValue('PHONE', 'call')).not.toBe(normalizeValue('PHONE', 'a&b'));
    expect(normalizeValue('SSN', 'n/a')).not.toBe(normalizeValue('SSN', 'unknown'));
    expect(normalizeValue('ACCOUNT', '—')).not.toBe(normalizeValue('ACCOUNT', '&&'));
    expect(normalizeValue('PHONE', '+')).not.toBe(normalizeValue('PHONE', ''));
  });

  it('folds only the formatting of a number, not words around it', () => {
    expect(normalizeValue('PHONE', '+1 415 555 0132 call')).not.toBe(normalizeValue('PHONE', '+1 415 555 0132'));
    expect(normalizeValue('SSN', 'SSN 123-45-6789')).not.toBe(normalizeValue('SSN', '123-45-6789'));
    // Punctuation and symbols are not formatting either (found by the documents round-trip property test).
    expect(normalizeValue('PHONE', "+1 415 555 0132 '")).not.toBe(normalizeValue('PHONE', '+1 415 555 0132'));
    expect(normalizeValue('CREDIT_CARD', '4111 1111 1111 1111;')).not.toBe(normalizeValue('CREDIT_CARD', '4111 1111 1111 1111'));
    expect(normalizeValue('IBAN', 'DE89 3704 0044 0532 0130 00 🙂')).not.toBe(normalizeValue('IBAN', 'DE89370400440532013000'));
    expect(normalizeValue('ACCOUNT', '12345678&')).not.toBe(normalizeValue('ACCOUNT', '12345678'));
  });

  it('gives two such values two tokens, each resolving to its own value', () => {
    const scope = new MemoryTokenScope();
    const request = (value: string) => ({ type: 'PHONE', value, normalized: normalizeValue('PHONE', value) });
    const [first, second] = scope.tokenize([request('call'), request('a&b')]) as string[];
    expect(first).not.toBe(second);
    expect(scope.resolve(first ?? '')).toBe('call');
    expect(scope.resolve(second ?? '')).toBe('a&b');
  });
});
