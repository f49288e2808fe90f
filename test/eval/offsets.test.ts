import { describe, expect, it } from 'vitest';
import { codePointLength, codePointsToUtf16, hasSurrogates } from '../../src/eval/offsets.js';

describe('code point to UTF-16 offsets', () => {
  it('is the identity for BMP text', () => {
    expect(hasSurrogates('Zoë in Zürich')).toBe(false);
    expect(codePointsToUtf16('Zoë in Zürich', [0, 3, 13])).toEqual([0, 3, 13]);
  });

  it('shifts offsets after an astral character by one code unit each', () => {
    const text = '📺 Ana 😀😀 Bo';
    // code points: 📺=0 ' '=1 A=2 n=3 a=4 ' '=5 😀=6 😀=7 ' '=8 B=9 o=10
    expect(codePointLength(text)).toBe(11);
    expect(codePointsToUtf16(text, [2, 5, 9, 11])).toEqual([3, 6, 12, 14]);
    expect(text.slice(3, 6)).toBe('Ana');
    expect(text.slice(12, 14)).toBe('Bo');
  });

  it('maps offsets past the end to undefined', () => {
    expect(codePointsToUtf16('abc', [4])).toEqual([undefined]);
    expect(codePointsToUtf16('a😀', [2, 3])).toEqual([3, undefined]);
  });
});
