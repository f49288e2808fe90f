import { describe, expect, it } from 'vitest';
import { findContextWords, hasContext, type ContextWords } from '../../src/detect/context-words.js';

const SSN: ContextWords = { words: ['ssn', 'social security'], before: 20, after: 10 };

describe('context words', () => {
  it('answers whether a word stands before or after a span', () => {
    const text = 'Social-security: 123456789 thanks';
    expect(hasContext(text, 18, 27, SSN)).toBe(true);
    expect(hasContext('number 123456789 (ssn)', 7, 16, SSN)).toBe(true);
    expect(hasContext('number 123456789 thanks', 7, 16, SSN)).toBe(false);
  });

  it('matches whole words only', () => {
    expect(hasContext('lessn 123456789', 6, 15, SSN)).toBe(false);
  });

  it('lists every occurrence with the word offsets', () => {
    const text = 'SSN 1, then ssn 2 and Social Security 3';
    expect(findContextWords(text, SSN).map((hit) => text.slice(hit.start, hit.end))).toEqual(['SSN', 'ssn', 'Social Security']);
  });
});
