/**
 * Rehydration: puts original values back where the model wrote tokens of this scope.
 *
 * Models mangle tokens, so the scanner forgives `<<PERSON_1>>`, `<PERSON_1>`, `[PERSON_1]`,
 * `PERSON_1`, `<< person_1 >>` and mismatched brackets, but it only ever replaces a token that
 * was issued in the scope. The same scanner drives the whole-text and the streaming form, and
 * a streaming scan stops at the first place where it would need to see more text to decide;
 * that is what makes `feed()`+`end()` equal `rehydrate()` for every split of the input.
 * @module
 */
import type { TokenScope } from '../vault/token-scope.js';
import { formatLookupOf, FormatTokenStream, rehydrateFormatTokens } from '../vault/tokens/matcher.js';

export interface RehydrateOptions {
  /** `json`: insert values escaped for a JSON string (tool-call arguments). */
  readonly escape?: 'json';
}

const MAX_INNER_SPACES = 2;
const MAX_DIGITS = 7;

type ScanResult =
  | { readonly kind: 'match'; readonly end: number; readonly value: string }
  | { readonly kind: 'partial' }
  | { readonly kind: 'none' };

const NONE: ScanResult = { kind: 'none' };
const PARTIAL: ScanResult = { kind: 'partial' };

function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** What the scanner needs from a scope, precomputed once per scan. */
interface Vocabulary {
  readonly scope: TokenScope;
  /** `TYPE_` prefixes of issued types, upper-case. */
  readonly prefixes: readonly string[];
  /** Upper-case first letters of issued types. */
  readonly firstLetters: ReadonlySet<string>;
}

function vocabularyOf(scope: TokenScope): Vocabulary | undefined {
  const types = scope.issuedTypes();
  if (types.size === 0) return undefined;
  const prefixes = [...types].map((type) => `${type.toUpperCase()}_`);
  return { scope, prefixes, firstLetters: new Set(prefixes.map((prefix) => prefix[0] ?? '')) };
}

/** Could `word` (upper-case) still grow into, or already be, `TYPE_<digits>` of an issued type? */
function couldBeKey(word: string, vocabulary: Vocabulary): boolean {
  for (const prefix of vocabulary.prefixes) {
    if (prefix.startsWith(word)) return true;
    if (word.startsWith(prefix)) {
      const digits = word.length - prefix.length;
      if (digits <= MAX_DIGITS && /^\d*$/.test(word.slice(prefix.length))) return true;
    }
  }
  return false;
}

function skipSpaces(text: string, at: number): number {
  let position = at;
  while (position < text.length && position - at < MAX_INNER_SPACES) {
    const code = text.charCodeAt(position);
    if (code !== 32 && code !== 9) break;
    position++;
  }
  return position;
}

/**
 * Tries to read a token starting at `start`. `eof` says whether the text ends at text.length
 * for good; when it does not, any decision that depends on what comes next is `partial`.
 */
function scanAt(text: string, start: number, eof: boolean, vocabulary: Vocabulary, previous: number): ScanResult {
  const length = text.length;
  const first = text.charCodeAt(start);
  let position = start;
  let bracketed = false;
  if (first === 60 /* < */) {
    bracketed = true;
    position++;
    if (position === length) return eof ? NONE : PARTIAL;
    if (text.charCodeAt(position) === 60) position++;
  } else if (first === 91 /* [ */) {
    bracketed = true;
    position++;
  } else if (!isLetter(first) || (previous >= 0 && isWordChar(previous))) {
    return NONE;
  }
  if (bracketed) {
    position = skipSpaces(text, position);
    if (position === length) return eof ? NONE : PARTIAL;
  }
  const nameStart = position;
  if (!isLetter(text.charCodeAt(nameStart))) return NONE;
  if (!vocabulary.firstLetters.has(text[nameStart]?.toUpperCase() ?? '')) return NONE;
  while (position < length && isWordChar(text.charCodeAt(position))) position++;
  const word = text.slice(nameStart, position).toUpperCase();
  if (position === length && !eof) return couldBeKey(word, vocabulary) ? PARTIAL : NONE;
  const value = vocabulary.scope.resolve(word);
  if (value === undefined) return NONE;
  const nameEnd = position;
  if (bracketed) position = skipSpaces(text, position);
  if (position === length) {
    if (!eof) return PARTIAL;
    return { kind: 'match', end: nameEnd, value };
  }
  const close = text.charCodeAt(position);
  if (close === 62 /* > */) {
    if (position + 1 === length && !eof) return PARTIAL;
    if (text.charCodeAt(position + 1) === 62) return { kind: 'match', end: position + 2, value };
    return bracketed ? { kind: 'match', end: position + 1, value } : { kind: 'match', end: nameEnd, value };
  }
  if (close === 93 /* ] */ && bracketed) return { kind: 'match', end: position + 1, value };
  return { kind: 'match', end: nameEnd, value };
}

function escapeValue(value: string, options: RehydrateOptions): string {
  return options.escape === 'json' ? JSON.stringify(value).slice(1, -1) : value;
}

interface ScanOutcome {
  readonly output: string;
  /** Index where a partial token starts (text from here on was not consumed). */
  readonly consumed: number;
}

function scan(text: string, eof: boolean, vocabulary: Vocabulary, previousChar: number, options: RehydrateOptions): ScanOutcome {
  const parts: string[] = [];
  let emittedUpTo = 0;
  let position = 0;
  const length = text.length;
  while (position < length) {
    const code = text.charCodeAt(position);
    if (code !== 60 && code !== 91 && !isLetter(code)) {
      position++;
      continue;
    }
    const previous = position === 0 ? previousChar : text.charCodeAt(position - 1);
    const result = scanAt(text, position, eof, vocabulary, previous);
    if (result.kind === 'partial') {
      parts.push(text.slice(emittedUpTo, position));
      return { output: parts.join(''), consumed: position };
    }
    if (result.kind === 'match') {
      parts.push(text.slice(emittedUpTo, position), escapeValue(result.value, options));
      position = result.end;
      emittedUpTo = position;
      continue;
    }
    position++;
    if (isLetter(code)) {
      // The rest of this word cannot start a bare token (no word boundary).
      while (position < length && isWordChar(text.charCodeAt(position))) position++;
    }
  }
  parts.push(text.slice(emittedUpTo));
  return { output: parts.join(''), consumed: length };
}

/**
 * Replaces every token of `scope` found in `text` with its original value: placeholders first,
 * then the other reversible formats (opaque, fpe) when the scope can issue them.
 */
export function rehydrate(text: string, scope: TokenScope, options: RehydrateOptions = {}): string {
  const vocabulary = vocabularyOf(scope);
  const placeholdersDone = vocabulary === undefined ? text : scan(text, true, vocabulary, -1, options).output;
  const formats = formatLookupOf(scope);
  return formats === undefined ? placeholdersDone : rehydrateFormatTokens(placeholdersDone, formats, options);
}

/**
 * Rehydrates a stream of text chunks. `feed` returns what can be emitted now; only the
 * shortest tail that could still become a token is held back. `end` flushes the rest.
 */
export class StreamRehydrator {
  private readonly placeholders: PlaceholderStream;
  private readonly formats: FormatTokenStream | undefined;

  constructor(scope: TokenScope, options: RehydrateOptions = {}) {
    this.placeholders = new PlaceholderStream(scope, options);
    const lookup = formatLookupOf(scope);
    this.formats = lookup === undefined ? undefined : new FormatTokenStream(lookup, options);
  }

  /** Characters currently held back. */
  get held(): number {
    return this.placeholders.held + (this.formats?.held ?? 0);
  }

  feed(chunk: string): string {
    const out = this.placeholders.feed(chunk);
    return this.formats === undefined ? out : this.formats.feed(out);
  }

  end(): string {
    const out = this.placeholders.end();
    return this.formats === undefined ? out : this.formats.feed(out) + this.formats.end();
  }
}

/** The streaming form of the placeholder scan. */
class PlaceholderStream {
  private readonly scope: TokenScope;
  private readonly options: RehydrateOptions;
  private pending = '';
  private previousChar = -1;
  private vocabulary: Vocabulary | undefined;
  /** Scope size the vocabulary was built for; -1 before the first build. */
  private vocabularySize = -1;

  constructor(scope: TokenScope, options: RehydrateOptions = {}) {
    this.scope = scope;
    this.options = options;
  }

  /** Characters currently held back. */
  get held(): number {
    return this.pending.length;
  }

  /** A session scope can gain tokens while a reply streams, so rebuild when it grew. */
  private currentVocabulary(): Vocabulary | undefined {
    if (this.scope.size !== this.vocabularySize) {
      this.vocabulary = vocabularyOf(this.scope);
      this.vocabularySize = this.scope.size;
    }
    return this.vocabulary;
  }

  feed(chunk: string): string {
    if (chunk.length === 0) return '';
    const text = this.pending + chunk;
    const vocabulary = this.currentVocabulary();
    if (vocabulary === undefined) {
      this.pending = '';
      this.previousChar = text.charCodeAt(text.length - 1);
      return text;
    }
    const { output, consumed } = scan(text, false, vocabulary, this.previousChar, this.options);
    if (consumed > 0) this.previousChar = text.charCodeAt(consumed - 1);
    this.pending = text.slice(consumed);
    return output;
  }

  end(): string {
    const text = this.pending;
    this.pending = '';
    if (text.length === 0) return '';
    const vocabulary = this.currentVocabulary();
    if (vocabulary === undefined) return text;
    return scan(text, true, vocabulary, this.previousChar, this.options).output;
  }
}
