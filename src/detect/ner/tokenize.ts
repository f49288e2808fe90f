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

const CJK = String.raw`[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]`;
const WORD_CHAR = String.raw`(?:(?!${CJK})[\p{L}\p{M}\p{N}])`;
// Order matters: the alternation is tried left to right at each position. Sticky: every
// non-space character starts a token (`\S` is the last alternative), so the scan skips spaces
// itself and asks the pattern only where a token ends, without building a match array.
const TOKEN_AT = new RegExp(
  [
    // A Chinese or Japanese character is a token by itself: the tagger reads such text one
    // character at a time, the way it is annotated, since no spaces mark the words.
    CJK,
    String.raw`https?:\/\/[^\s<>"')\]]+`,
    String.raw`www\.[^\s<>"')\]]+`,
    String.raw`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`,
    String.raw`[@#][\p{L}\p{N}_]+`,
    // Acronyms with dots (U.S., U.K.) stay one token so the dot is not read as a sentence end.
    String.raw`\p{Lu}(?:\.\p{Lu})+\.?`,
    // Words: letters/digits with inner apostrophes, hyphens, or a dot between digits; never
    // Chinese or Japanese characters, which are written without spaces and are one token each.
    String.raw`${WORD_CHAR}+(?:(?:['’\-]|\.(?=\p{N}))${WORD_CHAR}+)*`,
    String.raw`\S`,
  ].join('|'),
  'uy',
);
const SPACES = /\s*/y;

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * ASCII characters that end a run of ASCII letters and digits for every alternative above:
 * spaces and punctuation other than `. - _ % + @ : ' /` (which a URL, an e-mail address, an
 * acronym or a word may continue through). Most tokens of a prompt are such runs, and they are
 * cut without running the pattern.
 */
const ENDS_ASCII_RUN = new Uint8Array(128);
for (let code = 0; code < 128; code++) ENDS_ASCII_RUN[code] = isAsciiAlnum(code) || ".-_%+@:'/".includes(String.fromCharCode(code)) ? 0 : 1;

/** Where the token starting at `start` ends. */
function tokenEnd(text: string, start: number): number {
  if (isAsciiAlnum(text.charCodeAt(start))) {
    let index = start + 1;
    while (index < text.length && isAsciiAlnum(text.charCodeAt(index))) index++;
    if (index === text.length || ENDS_ASCII_RUN[text.charCodeAt(index)] === 1) return index;
  }
  TOKEN_AT.lastIndex = start;
  // Cannot fail: `\S` matches wherever a token starts.
  return TOKEN_AT.test(text) ? TOKEN_AT.lastIndex : start + 1;
}

/** The first index from `from` that is not white space (`\s`). */
function skipSpaces(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 32 || (code >= 9 && code <= 13)) index++;
    else if (code < 128) return index;
    else {
      SPACES.lastIndex = index;
      SPACES.test(text);
      return SPACES.lastIndex;
    }
  }
  return index;
}

const POSSESSIVE = /^(.+?)(['’][sS])$/u;

/** Splits `text` into tokens; possessive `'s` becomes its own token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let lastEnd = 0;
  for (;;) {
    const start = skipSpaces(text, lastEnd);
    if (start >= text.length) break;
    const end = tokenEnd(text, start);
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
