/**
 * Tokeniser for the built-in NER model. It keeps UTF-16 offsets so tags map straight back to
 * spans, and it deliberately keeps e-mail addresses, URLs and @handles whole: splitting them
 * would hand the tagger name-looking fragments that the rule tier already owns.
 * @module
 */

export interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** True when a line break (or the start of the text) precedes the token. */
  readonly lineStart: boolean;
}

// Order matters: the alternation is tried left to right at each position. Sticky: every
// non-space character starts a token (`\S` is the last alternative), so the scan skips spaces
// itself and asks the pattern only where a token ends, without building a match array.
const TOKEN_AT = new RegExp(
  [
    String.raw`https?:\/\/[^\s<>"')\]]+`,
    String.raw`www\.[^\s<>"')\]]+`,
    String.raw`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`,
    String.raw`[@#][\p{L}\p{N}_]+`,
    // Acronyms with dots (U.S., U.K.) stay one token so the dot is not read as a sentence end.
    String.raw`\p{Lu}(?:\.\p{Lu})+\.?`,
    // Words: letters/digits with inner apostrophes, hyphens, or a dot between digits.
    String.raw`[\p{L}\p{M}\p{N}]+(?:(?:['’\-]|\.(?=\p{N}))[\p{L}\p{M}\p{N}]+)*`,
    String.raw`\S`,
  ].join('|'),
  'uy',
);
const SPACES = /\s*/y;

const POSSESSIVE = /^(.+?)(['’][sS])$/u;

/** Splits `text` into tokens; possessive `'s` becomes its own token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let lastEnd = 0;
  for (;;) {
    SPACES.lastIndex = lastEnd;
    SPACES.test(text);
    const start = SPACES.lastIndex;
    if (start >= text.length) break;
    TOKEN_AT.lastIndex = start;
    if (!TOKEN_AT.test(text)) break;
    const end = TOKEN_AT.lastIndex;
    const lineStart = tokens.length === 0 || hasLineBreak(text, lastEnd, start);
    lastEnd = end;
    const value = text.slice(start, end);
    const possessive = value.length > 2 ? POSSESSIVE.exec(value) : null;
    if (possessive !== null && possessive[1] !== undefined && possessive[2] !== undefined) {
      const head = possessive[1];
      tokens.push({ text: head, start, end: start + head.length, lineStart });
      tokens.push({ text: possessive[2], start: start + head.length, end: lastEnd, lineStart: false });
    } else {
      tokens.push({ text: value, start, end: lastEnd, lineStart });
    }
  }
  return tokens;
}

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index++) if (text.charCodeAt(index) === 10) return true;
  return false;
}
