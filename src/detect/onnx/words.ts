/**
 * Words and windows for a token-classification model. The text is split into words the way a
 * BERT pre-tokenizer splits it (whitespace, and each punctuation mark or CJK ideograph on its
 * own), and each word is tokenised on its own. The word's character offsets are then exact by
 * construction, whatever the tokenizer's normaliser does (lower-casing, accent stripping,
 * Unicode normal forms), and the label of a word is the label of its first piece. Long texts
 * become windows of whole words that fit the model, overlapping so that every word is seen
 * with context on both sides in some window.
 * @module
 */

export interface Word {
  /** UTF-16 offsets into the text, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** Token ids of this word alone (no special tokens); may be empty when the normaliser drops it. */
  readonly ids: readonly number[];
}

export interface Window {
  /** Index of the first word and one past the last. */
  readonly from: number;
  readonly to: number;
}

/** Characters a BERT pre-tokenizer makes into a word of their own. */
const ISOLATED = /[\p{P}!-/:-@[-`{-~]|\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}/u;
const SEPARATOR = /[\s\p{Z}\p{Cc}\p{Cf}]/u;

/** Word boundaries of `text`, in UTF-16 offsets. */
export function splitWords(text: string): { start: number; end: number }[] {
  const words: { start: number; end: number }[] = [];
  let start = -1;
  let offset = 0;
  for (const char of text) {
    const next = offset + char.length;
    if (SEPARATOR.test(char)) {
      if (start >= 0) words.push({ start, end: offset });
      start = -1;
    } else if (ISOLATED.test(char)) {
      if (start >= 0) words.push({ start, end: offset });
      words.push({ start: offset, end: next });
      start = -1;
    } else if (start < 0) {
      start = offset;
    }
    offset = next;
  }
  if (start >= 0) words.push({ start, end: offset });
  return words;
}

/**
 * Windows of whole words holding at most `budget` tokens each, neighbours sharing about
 * `overlap` tokens. A word longer than the budget gets a window of its own (the caller keeps
 * only its first pieces; the first one carries the word's label).
 */
export function windowsOf(words: readonly Word[], budget: number, overlap: number): Window[] {
  const windows: Window[] = [];
  let from = 0;
  while (from < words.length) {
    let to = from;
    let used = 0;
    while (to < words.length && (to === from || used + words[to]!.ids.length <= budget)) used += words[to++]!.ids.length;
    windows.push({ from, to });
    if (to >= words.length) break;
    // Step back from the end until about `overlap` tokens are shared, always moving forward.
    let next = to;
    let shared = 0;
    while (next - 1 > from && shared + words[next - 1]!.ids.length <= overlap) shared += words[--next]!.ids.length;
    from = next;
  }
  return windows;
}
