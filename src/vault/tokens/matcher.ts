/**
 * Rehydration of the non-placeholder formats that can be put back: `opaque`/`opaque-siv`
 * tokens (`VEIL_…` words) and `fpe` tokens (digit runs that look like the original value).
 *
 * Only tokens the scope issued are replaced: an opaque word is looked up whole, and a digit
 * run is split into its digit groups and every contiguous range of 6-19 digits is looked up by
 * its digits alone, so a model writing `4539-1488-0343-6467` for the issued `4539 1488 0343
 * 6467` still matches, and an ordinary number never does (a random 16-digit string is not an
 * issued token). Within a run, matches are taken left to right, longest first.
 *
 * The streaming form holds back only a trailing word that could still become `VEIL_…` and a
 * trailing run of digits and separators (spaces included), so `feed()`+`end()` equals `rehydrateFormatTokens()`
 * for every split of the input. Runs longer than `MAX_RUN` characters are left alone in both
 * forms (no token is that long; this bounds what a stream holds back).
 * @module
 */

/** What the matcher needs from a scope. `PersistentTokenScope` implements it. */
export interface FormatTokenLookup {
  /** Whether any opaque or fpe token was issued (nothing to scan otherwise). */
  hasFormatTokens(): boolean;
  /** The value of a whole opaque token, matched upper-case. */
  resolveOpaque(token: string): string | undefined;
  /** The value of the fpe token with exactly these digits. */
  resolveFpeDigits(digits: string): string | undefined;
  /** The entity type of the fpe token with exactly these digits (lets policy withhold a type). */
  fpeTypeOf?(digits: string): string | undefined;
}

export interface FormatRehydrateOptions {
  /** `json`: insert values escaped for a JSON string (tool-call arguments). */
  readonly escape?: 'json';
}

/** The scope as a `FormatTokenLookup`, or undefined when it cannot issue these formats. */
export function formatLookupOf(scope: object): FormatTokenLookup | undefined {
  const candidate = scope as Partial<FormatTokenLookup>;
  return typeof candidate.hasFormatTokens === 'function' &&
    typeof candidate.resolveOpaque === 'function' &&
    typeof candidate.resolveFpeDigits === 'function'
    ? (candidate as FormatTokenLookup)
    : undefined;
}

export const MAX_RUN = 256;
const MAX_WORD = 2048;
const MIN_FPE_DIGITS = 6;
const MAX_FPE_DIGITS = 19;
const OPAQUE_PREFIX = 'VEIL_';

/** Replaces every issued opaque and fpe token in `text` with its value. */
export function rehydrateFormatTokens(text: string, lookup: FormatTokenLookup, options: FormatRehydrateOptions = {}): string {
  if (!lookup.hasFormatTokens()) return text;
  return scan(text, true, lookup, -1, options).output;
}

/** Streaming `rehydrateFormatTokens`; chain it before or after the placeholder rehydrator. */
export class FormatTokenStream {
  readonly #lookup: FormatTokenLookup;
  readonly #options: FormatRehydrateOptions;
  #pending = '';
  #previous = -1;

  constructor(lookup: FormatTokenLookup, options: FormatRehydrateOptions = {}) {
    this.#lookup = lookup;
    this.#options = options;
  }

  /** Characters currently held back. */
  get held(): number {
    return this.#pending.length;
  }

  feed(chunk: string): string {
    if (chunk.length === 0) return '';
    // The common case (no format token issued, nothing held): pass the chunk through untouched.
    if (this.#pending === '' && !this.#lookup.hasFormatTokens()) {
      this.#previous = chunk.charCodeAt(chunk.length - 1);
      return chunk;
    }
    const text = this.#pending + chunk;
    // Read per chunk: a session scope can gain tokens while a reply streams.
    if (!this.#lookup.hasFormatTokens()) return this.#emit(text, text.length);
    const { output, consumed } = scan(text, false, this.#lookup, this.#previous, this.#options);
    this.#pending = text.slice(consumed);
    if (consumed > 0) this.#previous = text.charCodeAt(consumed - 1);
    return output;
  }

  end(): string {
    const text = this.#pending;
    this.#pending = '';
    if (text === '' || !this.#lookup.hasFormatTokens()) return text;
    return scan(text, true, this.#lookup, this.#previous, this.#options).output;
  }

  #emit(text: string, upTo: number): string {
    this.#pending = text.slice(upTo);
    if (upTo > 0) this.#previous = text.charCodeAt(upTo - 1);
    return text.slice(0, upTo);
  }
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Characters of a digit run: digits and the separators phone and card numbers are written with. */
function isRunChar(code: number): boolean {
  return isDigit(code) || code === 32 || code === 45 || code === 46 || code === 40 || code === 41 || code === 43;
}

function isLetterOrUnderscore(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

interface Outcome {
  readonly output: string;
  readonly consumed: number;
}

function scan(text: string, eof: boolean, lookup: FormatTokenLookup, previousChar: number, options: FormatRehydrateOptions): Outcome {
  const parts: string[] = [];
  let emitted = 0;
  let position = 0;
  const length = text.length;
  const previousAt = (at: number): number => (at === 0 ? previousChar : text.charCodeAt(at - 1));
  while (position < length) {
    const code = text.charCodeAt(position);
    const previous = previousAt(position);
    if (isLetterOrUnderscore(code) && !isWordChar(previous)) {
      // A word: the only place an opaque token can be.
      let end = position;
      while (end < length && isWordChar(text.charCodeAt(end))) end++;
      const word = text.slice(position, end).toUpperCase();
      if (end === length && !eof && couldBecomeOpaque(word)) return held(parts, text, emitted, position);
      const value = word.startsWith(OPAQUE_PREFIX) ? lookup.resolveOpaque(word) : undefined;
      if (value !== undefined) {
        parts.push(text.slice(emitted, position), escape(value, options));
        emitted = end;
      }
      position = end;
      continue;
    }
    if (isRunChar(code) && !isRunChar(previous)) {
      let end = position;
      while (end < length && isRunChar(text.charCodeAt(end))) end++;
      // Held even without digits yet: `call ` + `4539…` must read as one run, as it does whole.
      if (end === length && !eof && end - position <= MAX_RUN) return held(parts, text, emitted, position);
      // Digits glued to a word (`A1234567`, `1234567abc`) are part of that word, not a number.
      const gluedLeft = isLetterOrUnderscore(previous) && isDigit(code);
      const gluedRight = end < length && isLetterOrUnderscore(text.charCodeAt(end)) && isDigit(text.charCodeAt(end - 1));
      if (end - position <= MAX_RUN) {
        for (const match of matchRun(text, position, end, lookup, gluedLeft, gluedRight)) {
          parts.push(text.slice(emitted, match.start), escape(match.value, options));
          emitted = match.end;
        }
      }
      position = end;
      continue;
    }
    position++;
  }
  parts.push(text.slice(emitted));
  return { output: parts.join(''), consumed: length };
}

function held(parts: string[], text: string, emitted: number, at: number): Outcome {
  parts.push(text.slice(emitted, at));
  return { output: parts.join(''), consumed: at };
}

function couldBecomeOpaque(word: string): boolean {
  if (word.length > MAX_WORD) return false;
  return word.length < OPAQUE_PREFIX.length ? OPAQUE_PREFIX.startsWith(word) : word.startsWith(OPAQUE_PREFIX);
}

interface RunMatch {
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

function matchRun(
  text: string,
  start: number,
  end: number,
  lookup: FormatTokenLookup,
  gluedLeft: boolean,
  gluedRight: boolean,
): RunMatch[] {
  const groups: { start: number; end: number }[] = [];
  for (let i = start; i < end; ) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < end && isDigit(text.charCodeAt(j))) j++;
    groups.push({ start: i, end: j });
    i = j;
  }
  if (gluedRight) groups.pop();
  if (gluedLeft) groups.shift();
  const matches: RunMatch[] = [];
  for (let first = 0; first < groups.length; ) {
    let found: { last: number; value: string } | undefined;
    let digits = '';
    for (let last = first; last < groups.length; last++) {
      const group = groups[last] as { start: number; end: number };
      digits += text.slice(group.start, group.end);
      if (digits.length > MAX_FPE_DIGITS) break;
      if (digits.length < MIN_FPE_DIGITS) continue;
      const value = lookup.resolveFpeDigits(digits);
      if (value !== undefined) found = { last, value };
    }
    if (found === undefined) {
      first++;
      continue;
    }
    let matchStart = (groups[first] as { start: number }).start;
    let matchEnd = (groups[found.last] as { end: number }).end;
    // Take in the `+` / `(` before and the `)` after that belong to a phone's formatting.
    while (matchStart > start && '+('.includes(text[matchStart - 1] ?? '')) matchStart--;
    if (matchEnd < end && text[matchEnd] === ')' && text.slice(matchStart, matchEnd).includes('(')) matchEnd++;
    matches.push({ start: matchStart, end: matchEnd, value: found.value });
    first = found.last + 1;
  }
  return matches;
}

function escape(value: string, options: FormatRehydrateOptions): string {
  return options.escape === 'json' ? JSON.stringify(value).slice(1, -1) : value;
}
