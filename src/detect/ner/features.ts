/**
 * Feature extraction for the NER tagger. Every feature is a 32-bit hash of (template, value),
 * so training and inference share one code path, the model needs no feature dictionary, and
 * weights live in one flat hashed table. Features favour what generalises across genres
 * (word shape, affixes, context words, gazetteers, how often a word is capitalised in running
 * text) over memorised surface forms.
 * @module
 */
import type { Token } from './tokenize.js';

/** Gazetteer categories, one bit each in a token's flag mask. */
export const GAZ = {
  FIRST: 1 << 0,
  LAST: 1 << 1,
  CITY: 1 << 2,
  PLACE_PART: 1 << 3,
  COUNTRY: 1 << 4,
  STATE: 1 << 5,
  STREET_SUFFIX: 1 << 6,
  ORG_SUFFIX: 1 << 7,
  ORG_KEYWORD: 1 << 8,
  TITLE: 1 << 9,
  LOC_KEYWORD: 1 << 10,
  CALENDAR: 1 << 11,
  NATIONALITY: 1 << 12,
  GREETING: 1 << 13,
  TECH: 1 << 14,
  /** Letters written after a name ("MD", "RN", "Esq."): the word before is usually a person. */
  CREDENTIAL: 1 << 15,
} as const;

export const GAZ_BITS = 16;

/** Read-only lookups the features need; built once per model. */
export interface FeatureLexicon {
  /** Lower-case word → bit mask of GAZ categories. */
  readonly gazetteer: ReadonlyMap<string, number>;
  /**
   * Lower-case word → how often it is capitalised mid-sentence in running text, bucketed
   * 0 (almost never) .. 4 (almost always). Unknown words have no entry.
   */
  readonly capitalisation: ReadonlyMap<string, number>;
}

/** FNV-1a over UTF-16 code units. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** FNV-1a over `text[from, to)` without allocating a substring. */
function hashRange(text: string, from: number, to: number): number {
  let hash = 0x811c9dc5;
  const start = Math.max(0, from);
  const end = Math.min(text.length, to);
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Combines two hashes (murmur3 finaliser over a multiplicative mix). */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Case class of a token. */
const enum CaseClass {
  Lower = 1,
  Title = 2,
  Upper = 3,
  Mixed = 4,
  Digit = 5,
  Punct = 6,
  Handle = 7,
  Hashtag = 8,
  Link = 9,
  AlnumCode = 10,
  /** Letters of a script without case (Chinese, Japanese, Arabic, Thai...): not punctuation. */
  Uncased = 11,
}

/** Whole-text casing, so the model can tell "ALL CAPS TEXT" from a shouted name. */
const enum TextCase {
  Mixed = 1,
  Upper = 2,
  Lower = 3,
}

const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

function shapeOf(text: string): string {
  let shape = '';
  let last = '';
  let run = 0;
  const limit = Math.min(text.length, 12);
  for (let i = 0; i < limit; i++) {
    const code = text.charCodeAt(i);
    let c: string;
    if (code >= 97 && code <= 122) c = 'x';
    else if (code >= 65 && code <= 90) c = 'X';
    else if (code >= 48 && code <= 57) c = 'd';
    else if (code < 128) c = text[i] ?? '';
    else {
      const ch = text[i] ?? '';
      c = LOWER.test(ch) ? 'x' : UPPER.test(ch) ? 'X' : DIGIT.test(ch) ? 'd' : LETTER.test(ch) ? 'l' : ch;
    }
    if (c === last) {
      run++;
      if (run > 3) continue;
    } else {
      run = 0;
      last = c;
    }
    shape += c;
  }
  return shape;
}

function shortShape(shape: string): string {
  let out = '';
  for (const c of shape) if (out[out.length - 1] !== c) out += c;
  return out;
}

function caseClass(text: string): CaseClass {
  const first = text.charCodeAt(0);
  if (first === 64 && text.length > 1) return CaseClass.Handle;
  if (first === 35 && text.length > 1) return CaseClass.Hashtag;
  if (text.length > 4 && (text.includes('://') || text.startsWith('www.') || (text.includes('@') && text.includes('.')))) {
    return CaseClass.Link;
  }
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let other = 0;
  let uncased = 0;
  let upperAfterFirst = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let kind: number;
    if (code >= 97 && code <= 122) kind = 1;
    else if (code >= 65 && code <= 90) kind = 2;
    else if (code >= 48 && code <= 57) kind = 3;
    else if (code < 128) kind = 4;
    else {
      const ch = text[i] ?? '';
      kind = LOWER.test(ch) ? 1 : UPPER.test(ch) ? 2 : DIGIT.test(ch) ? 3 : LETTER.test(ch) ? 5 : 4;
    }
    if (kind === 1) lower++;
    else if (kind === 2) {
      upper++;
      if (i > 0) upperAfterFirst = true;
    } else if (kind === 3) digit++;
    else if (kind === 4) other++;
    else uncased++;
  }
  if (upper + lower === 0) return uncased > 0 ? CaseClass.Uncased : digit > 0 ? CaseClass.Digit : CaseClass.Punct;
  if (digit > 0) return CaseClass.AlnumCode;
  if (upper === 0) return CaseClass.Lower;
  if (lower === 0) return CaseClass.Upper;
  const firstUpper = (first >= 65 && first <= 90) || (first >= 128 && UPPER.test(text[0] ?? ''));
  if (firstUpper && !upperAfterFirst) return CaseClass.Title;
  return other > 0 && firstUpper ? CaseClass.Title : CaseClass.Mixed;
}

/** Casing of the whole text, judged on its letters. */
export function textCase(text: string): number {
  let upper = 0;
  let lower = 0;
  const limit = Math.min(text.length, 4000);
  for (let i = 0; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code >= 65 && code <= 90) upper++;
    else if (code >= 97 && code <= 122) lower++;
  }
  if (upper + lower < 8) return TextCase.Mixed;
  if (lower < (upper + lower) * 0.08) return TextCase.Upper;
  if (upper < (upper + lower) * 0.005 + 0.5) return TextCase.Lower;
  return TextCase.Mixed;
}

const SENTENCE_END = new Set(['.', '!', '?', ':', ';', '"', '“', '”', '(', '-', '*', '>', '|']);
if ([...SENTENCE_END].some((end) => end.length !== 1)) throw new Error('NER features: sentence ends must be single characters');

/** What depends on the word alone; cached per distinct word form. */
export interface WordAttributes {
  readonly word: number;
  readonly shape: number;
  readonly short: number;
  readonly gaz: number;
  readonly caseClass: number;
  readonly cap: number;
  readonly p2: number;
  readonly p3: number;
  readonly s2: number;
  readonly s3: number;
  readonly s4: number;
}

/** Stands in for the neighbours of the first and last tokens. */
export const PAD: WordAttributes = {
  word: hashString('<pad>'),
  shape: hashString('<pad>'),
  short: hashString('<pad>'),
  gaz: 0,
  caseClass: 0,
  cap: 0,
  p2: 0,
  p3: 0,
  s2: 0,
  s3: 0,
  s4: 0,
};

const DIGITS = /\d/g;
const HAS_DIGIT_OR_QUOTE = /[\d’]/;

function normalise(text: string): string {
  const lower = text.toLowerCase();
  // Digits collapse to one form so years, house numbers and ZIP codes share statistics.
  return HAS_DIGIT_OR_QUOTE.test(lower) ? lower.replace(DIGITS, '0').replace(/’/g, "'") : lower;
}

/** The attributes of one word form (uncached; `attributes` memoises them per lexicon). */
export function wordAttributes(text: string, lexicon: FeatureLexicon): WordAttributes {
  const lower = normalise(text);
  const bare = lower.length > 1 && (lower[0] === '@' || lower[0] === '#') ? lower.slice(1) : lower;
  const shape = shapeOf(text);
  let gaz = lexicon.gazetteer.get(bare) ?? 0;
  if (gaz === 0 && bare.endsWith('.')) gaz = lexicon.gazetteer.get(bare.slice(0, -1)) ?? 0;
  const cap = lexicon.capitalisation.get(bare);
  return {
    word: hashString(lower),
    shape: hashString(shape),
    short: hashString(shortShape(shape)),
    gaz,
    caseClass: caseClass(text),
    cap: cap === undefined ? 5 : cap,
    p2: hashRange(bare, 0, 2),
    p3: hashRange(bare, 0, 3),
    s2: hashRange(bare, bare.length - 2, bare.length),
    s3: hashRange(bare, bare.length - 3, bare.length),
    s4: hashRange(bare, bare.length - 4, bare.length),
  };
}

/**
 * Word forms repeat heavily (Zipf), so their attributes are memoised per lexicon. Bounded:
 * the map is dropped when full rather than tracking recency, which is cheap and good enough.
 */
const WORD_CACHE_LIMIT = 50_000;
const wordCaches = new WeakMap<FeatureLexicon, Map<string, WordAttributes>>();

export interface Attributes {
  readonly words: WordAttributes[];
  /** 1 when the token starts a sentence (or line). */
  readonly starts: Uint8Array;
  readonly lines: Uint8Array;
}

/** Per-token word attributes (memoised per word form) and sentence / line start flags. */
export function attributes(tokens: readonly Token[], lexicon: FeatureLexicon): Attributes {
  let cache = wordCaches.get(lexicon);
  if (cache === undefined) {
    cache = new Map();
    wordCaches.set(lexicon, cache);
  }
  const words: WordAttributes[] = new Array<WordAttributes>(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    let word = cache.get(token.text);
    if (word === undefined) {
      word = wordAttributes(token.text, lexicon);
      if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
      cache.set(token.text, word);
    }
    words[i] = word;
  }
  return { words, ...sentenceFlags(tokens) };
}

/** Per token: 1 when it starts a sentence (or line), and 1 when it starts a line. */
export function sentenceFlags(tokens: readonly Token[]): Omit<Attributes, 'words'> {
  const starts = new Uint8Array(tokens.length);
  const lines = new Uint8Array(tokens.length);
  let previous = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    // Every sentence end is one character, so longer tokens skip the set lookup.
    starts[i] = i === 0 || token.lineStart || (previous.length === 1 && SENTENCE_END.has(previous)) ? 1 : 0;
    lines[i] = token.lineStart ? 1 : 0;
    previous = token.text;
  }
  return { starts, lines };
}

/**
 * Feature hashes for every token: `offsets[i]..offsets[i+1]` index into `features`. The
 * `features` array is a view of a shared scratch buffer, valid until the next call.
 */
export interface TokenFeatures {
  readonly features: Uint32Array;
  readonly offsets: Uint32Array;
}

const MAX_FEATURES_PER_TOKEN = 128;
let scratch = new Uint32Array(1 << 16);

/** Template ids: small constants mixed into each feature hash. */
const T = {
  bias: 1,
  word: 2,
  shape: 3,
  short: 4,
  p2: 5,
  p3: 6,
  s2: 7,
  s3: 8,
  s4: 9,
  gaz: 10,
  prevWord: 11,
  nextWord: 12,
  prev2Word: 13,
  next2Word: 14,
  prevShort: 15,
  nextShort: 16,
  prevGaz: 17,
  nextGaz: 18,
  prevWordShort: 19,
  shortTrigram: 20,
  cap: 21,
  capCase: 22,
  startCase: 23,
  textGaz: 24,
  textCase: 25,
  wordNext: 26,
  prevWordWord: 27,
  lineCase: 28,
  caseClass: 29,
  textCap: 30,
  prevCase: 31,
  nextCase: 32,
  prev2Gaz: 33,
  next2Gaz: 34,
  gazCase: 35,
  capStart: 36,
  nextWordShort: 37,
} as const;

/** Receives one feature hash. */
export type FeatureSink = (feature: number) => void;

/*
 * The templates fall into groups by what they read, so inference can add up each group's
 * weights once per word form (model.ts) instead of once per token: the word alone (with the
 * sentence-start flag and the text's casing), the word as the previous / next / second-previous
 * / second-next neighbour, and the few templates that pair a word with its neighbours.
 * `extractFeatures` emits the union of the groups, so training sees the same features.
 */

/** Templates that read only the token itself, whether it starts a sentence and the text's casing. */
export function localFeatures(a: WordAttributes, start: number, caseOfText: number, sink: FeatureSink): void {
  sink(mix(T.bias, 0));
  sink(mix(T.word, a.word));
  sink(mix(T.shape, a.shape));
  sink(mix(T.short, a.short));
  sink(mix(T.caseClass, a.caseClass));
  sink(mix(T.p2, a.p2));
  sink(mix(T.p3, a.p3));
  sink(mix(T.s2, a.s2));
  sink(mix(T.s3, a.s3));
  sink(mix(T.s4, a.s4));
  sink(mix(T.cap, a.cap));
  sink(mix(T.capCase, mix(a.cap, a.caseClass)));
  sink(mix(T.capStart, mix(mix(a.cap, a.caseClass), start)));
  sink(mix(T.startCase, mix(start, a.caseClass)));
  sink(mix(T.textCase, mix(caseOfText, a.caseClass)));
  sink(mix(T.textCap, mix(caseOfText, a.cap)));
  for (let bit = 0; bit < GAZ_BITS; bit++) {
    if ((a.gaz & (1 << bit)) === 0) continue;
    sink(mix(T.gaz, bit));
    sink(mix(T.textGaz, mix(caseOfText, bit)));
    sink(mix(T.gazCase, mix(bit, a.caseClass)));
  }
  if (a.gaz === 0) sink(mix(T.gaz, 99));
}

/** Templates that read only one neighbour, at `position` -2, -1, +1 or +2. */
export function neighbourFeatures(n: WordAttributes, position: -2 | -1 | 1 | 2, sink: FeatureSink): void {
  const word = position === -1 ? T.prevWord : position === 1 ? T.nextWord : position === -2 ? T.prev2Word : T.next2Word;
  const gaz = position === -1 ? T.prevGaz : position === 1 ? T.nextGaz : position === -2 ? T.prev2Gaz : T.next2Gaz;
  sink(mix(word, n.word));
  if (position === -1) sink(mix(T.prevShort, n.short));
  if (position === 1) sink(mix(T.nextShort, n.short));
  for (let bit = 0; bit < GAZ_BITS; bit++) if ((n.gaz & (1 << bit)) !== 0) sink(mix(gaz, bit));
}

/** How many features `pairFeatures` writes. */
export const PAIR_FEATURES = 8;

/**
 * The three pair templates over case classes (below `CASE_SLOTS`; 0 is PAD's) and the line flag
 * take few values, so their hashes are computed once here and looked up per token.
 */
const CASE_SLOTS = 16;
const PREV_CASE = new Uint32Array(CASE_SLOTS * CASE_SLOTS);
const NEXT_CASE = new Uint32Array(CASE_SLOTS * CASE_SLOTS);
const LINE_CASE = new Uint32Array(2 * CASE_SLOTS * CASE_SLOTS);
for (let x = 0; x < CASE_SLOTS; x++) {
  for (let y = 0; y < CASE_SLOTS; y++) {
    PREV_CASE[x * CASE_SLOTS + y] = mix(T.prevCase, mix(x, y));
    NEXT_CASE[x * CASE_SLOTS + y] = mix(T.nextCase, mix(x, y));
    for (let line = 0; line < 2; line++) LINE_CASE[(line * CASE_SLOTS + x) * CASE_SLOTS + y] = mix(T.lineCase, mix(mix(line, x), y));
  }
}

/**
 * Templates that pair the token with its neighbours, written to `out[0..PAIR_FEATURES)`: these
 * are looked up per token, so they go to an array rather than through a callback.
 */
export function pairFeatures(p: WordAttributes, a: WordAttributes, nx: WordAttributes, line: number, out: Uint32Array): void {
  const before = p.caseClass;
  const own = a.caseClass;
  const after = nx.caseClass;
  if (before < CASE_SLOTS && own < CASE_SLOTS && after < CASE_SLOTS && (line === 0 || line === 1)) {
    out[0] = PREV_CASE[before * CASE_SLOTS + own] as number;
    out[1] = NEXT_CASE[own * CASE_SLOTS + after] as number;
    out[5] = LINE_CASE[(line * CASE_SLOTS + own) * CASE_SLOTS + after] as number;
  } else {
    out[0] = mix(T.prevCase, mix(before, own));
    out[1] = mix(T.nextCase, mix(own, after));
    out[5] = mix(T.lineCase, mix(mix(line, own), after));
  }
  out[2] = mix(T.prevWordShort, mix(p.word, a.short));
  out[3] = mix(T.nextWordShort, mix(a.short, nx.word));
  out[4] = mix(T.shortTrigram, mix(mix(p.short, a.short), nx.short));
  out[6] = mix(T.wordNext, mix(a.word, nx.word));
  out[7] = mix(T.prevWordWord, mix(p.word, a.word));
}

/** Extracts hashed features for `tokens` of a text whose casing class is `caseOfText`. */
export function extractFeatures(tokens: readonly Token[], lexicon: FeatureLexicon, caseOfText: number): TokenFeatures {
  const { words: attrs, starts, lines } = attributes(tokens, lexicon);
  const needed = tokens.length * MAX_FEATURES_PER_TOKEN;
  // One growing scratch buffer: callers consume the features before the next call.
  if (scratch.length < needed) scratch = new Uint32Array(Math.max(needed, scratch.length * 2));
  const features = scratch;
  const offsets = new Uint32Array(tokens.length + 1);
  let n = 0;
  const sink: FeatureSink = (feature) => {
    features[n++] = feature;
  };
  const pairs = new Uint32Array(PAIR_FEATURES);
  for (let i = 0; i < attrs.length; i++) {
    offsets[i] = n;
    const a = attrs[i] as WordAttributes;
    const p = attrs[i - 1] ?? PAD;
    const nx = attrs[i + 1] ?? PAD;
    localFeatures(a, starts[i] as number, caseOfText, sink);
    neighbourFeatures(p, -1, sink);
    neighbourFeatures(nx, 1, sink);
    neighbourFeatures(attrs[i - 2] ?? PAD, -2, sink);
    neighbourFeatures(attrs[i + 2] ?? PAD, 2, sink);
    pairFeatures(p, a, nx, lines[i] as number, pairs);
    for (const feature of pairs) sink(feature);
  }
  offsets[attrs.length] = n;
  return { features: features.subarray(0, n), offsets };
}

/** Like `extractFeatures`, but the result owns its memory (training keeps every sentence). */
export function extractFeaturesCopy(tokens: readonly Token[], lexicon: FeatureLexicon, caseOfText: number): TokenFeatures {
  const { features, offsets } = extractFeatures(tokens, lexicon, caseOfText);
  return { features: features.slice(), offsets };
}
