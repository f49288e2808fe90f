/**
 * Offset conversion for the eval corpora. The corpora count Unicode code points (Python `str`
 * indices); Veil's spans count UTF-16 code units. The two differ only after an astral-plane
 * character (emoji, some CJK), so the common case is the identity.
 * @module
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/** True when `text` contains a UTF-16 surrogate, i.e. code points and code units may differ. */
export function hasSurrogates(text: string): boolean {
  return SURROGATE.test(text);
}

/** Length of `text` in code points. */
export function codePointLength(text: string): number {
  if (!hasSurrogates(text)) return text.length;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    count++;
    if (isHighSurrogateFollowedByLow(text, i)) i++;
  }
  return count;
}

/**
 * Converts code-point offsets into UTF-16 offsets in one pass over `text`. Offsets past the end
 * map to `undefined` so the caller can report them as out of range.
 */
export function codePointsToUtf16(text: string, offsets: readonly number[]): (number | undefined)[] {
  if (!hasSurrogates(text)) return offsets.map((offset) => (offset <= text.length ? offset : undefined));
  // One walk builds the whole table; records are short, and a record has few spans.
  const table: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    if (isHighSurrogateFollowedByLow(text, i)) i++;
    table.push(i + 1);
  }
  return offsets.map((offset) => table[offset]);
}

function isHighSurrogateFollowedByLow(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 0xd800 || code > 0xdbff) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
