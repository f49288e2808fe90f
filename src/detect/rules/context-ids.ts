/**
 * Identifiers that have no checksum and no distinctive shape (passport, driver's licence, MRN,
 * account and policy numbers): taken only when a keyword stands right before them. The keyword
 * is found first and the next identifier-like token after it is taken, so the scan stays cheap.
 * @module
 */
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import { findContextWords, type ContextWords } from '../context-words.js';
import type { Detector } from '../detector.js';
import { ACCOUNT_CONTEXT, BOOKING_CONTEXT, DRIVER_LICENSE_CONTEXT, ID_CONTEXT, MRN_CONTEXT, PAGER_CONTEXT, PASSPORT_CONTEXT, PLATE_CONTEXT } from './context.js';
import { countDigits, span } from './rule-kit.js';

const ID = 'rules.keyword_id';

interface KeywordRule {
  readonly type: EntityType;
  readonly context: ContextWords;
  /** Fewest digits the identifier must contain. */
  readonly minDigits: number;
  readonly score: number;
}

// Digit groups may be split by single spaces ("12 345 678 901", "1234 5678"), as they are read out,
// and court case numbers put a colon between digits ("2:19-cv-04512").
const TOKEN = /(?<![A-Za-z0-9])[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9])|(?<=\d)[ :](?=\d)){3,30}(?![A-Za-z0-9])/g;
/**
 * Vehicle registrations: two to four groups of letters and digits ("AB12 CDE", "7ABC123",
 * "KA-01-AB-1234", "B-MW 1234"), upper case, with at least one digit and one letter.
 */
const PLATE = /(?<![A-Za-z0-9])[A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,4}){1,3}(?![A-Za-z0-9])/g;
const PLATE_SHAPE = /^(?=.*\d)(?=.*[A-Z])[A-Z0-9 -]{4,12}$/;
// Between identifiers of one list: "applications nos. 2052/07 and 6158/10", "claims 1234567, 2345678".
const LIST_JOIN = /^(?:\s*[,;&]\s*|\s+(?:and|or|&)\s+|\s*,\s*(?:and|or)\s+)$/;
const MAX_LIST = 12;
/** US employer identification numbers: the upper-case abbreviation and the 12-3456789 shape. */
const EIN = /\b(?:EIN|FEIN)\b[\s:#.]{0,3}(?:(?:no|number|is)\.?\s{0,2})?(\d{2}-\d{7})(?![\d-])/g;
const SORT_CODE_ACCOUNT = /(?<!\d[ -]?)(?:\d{2}-\d{2}-\d{2},? |\d{2} \d{2} \d{2} )\d{8}(?![\d-]| \d)/g;
const ACCOUNT_ENDING = /\baccount\b[^.\n]{0,30}?\bending(?: in| with)?[\s:]*(\d{3,4})(?![\d-])/gi;
const PUBLIC_ORDER = /(?:executive|court|standing|restraining|protective|gag|general)\s+$/i;
const NUMBER_SIGN = /(?<![A-Za-z])(?:No|NO|no|Nos|nos|Nr|nr)\.(?=[\s:]|\d)/g;
/** Booking references and record locators: upper-case letters and digits, often no digit at all. */
const REFERENCE_SHAPE = /^[A-Z0-9]{5,12}$/;
// Words allowed between the keyword and the value ("passport number is", "acct no.:").
// A US state code may stand between ("Driver license CA D1234567").
// Also the same words in German, French, Spanish, Portuguese and Nordic languages ("Steuer-ID ist ...").
const FILLER = /^(?:[\s:#=.\-()"']|is\b|was\b|are\b|number\b|numbers\b|num\b|no\b|nos\b|nr\b|ist\b|lautet\b|nummer\b|est\b|es\b|é\b|är\b|er\b|numéro\b|número\b|n°|nº|(?:al|ak|az|ar|ca|co|ct|de|fl|ga|hi|ia|id|il|in|ks|ky|la|ma|md|me|mi|mn|mo|ms|mt|nc|nd|ne|nh|nj|nm|nv|ny|oh|ok|or|pa|ri|sc|sd|tn|tx|ut|va|vt|wa|wi|wv|wy|dc)\b|id\b|of\b|my\b|the\b|your\b|reads?\b|ending\b|in\b|#)*$/i;
const LETTER = /[A-Za-z]/;
const DATE_LIKE = /^(?:(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d\d|(?:19|20)\d\d)$/;

const RULES: readonly KeywordRule[] = [
  { type: 'PASSPORT', context: PASSPORT_CONTEXT, minDigits: 4, score: 0.85 },
  { type: 'DRIVER_LICENSE', context: DRIVER_LICENSE_CONTEXT, minDigits: 5, score: 0.85 },
  { type: 'MRN', context: MRN_CONTEXT, minDigits: 5, score: 0.85 },
  { type: 'ACCOUNT', context: ACCOUNT_CONTEXT, minDigits: 5, score: 0.75 },
  { type: 'ID', context: ID_CONTEXT, minDigits: 5, score: 0.75 },
  { type: 'PHONE', context: PAGER_CONTEXT, minDigits: 4, score: 0.7 },
];

// The scan lets separators vary ("Acct#", "acct #", "acct. #"), so the lookup ignores them.
function normalizeKeyword(word: string): string {
  return word.toLowerCase().replace(/[\s._-]+/g, '');
}

// One scan for all keywords; the word found tells which rule applies.
const ALL_KEYWORDS: ContextWords = { words: RULES.flatMap((rule) => rule.context.words) };
const RULE_BY_KEYWORD = new Map<string, KeywordRule>();
for (const rule of RULES) for (const word of rule.context.words) RULE_BY_KEYWORD.set(normalizeKeyword(word), rule);
const MIN_DIGITS = Math.min(...RULES.map((rule) => rule.minDigits));

export function findKeywordIds(text: string): Span[] {
  const spans: Span[] = [];
  const add = (start: number, end: number, type: EntityType, score: number): void => {
    if (!spans.some((other) => other.start === start)) spans.push(span(start, end, type, score, ID));
  };
  if (countDigits(text, MIN_DIGITS) >= MIN_DIGITS) {
    for (const word of findContextWords(text, ALL_KEYWORDS)) {
      const keyword = normalizeKeyword(text.slice(word.start, word.end));
      const rule = RULE_BY_KEYWORD.get(keyword);
      if (rule === undefined) continue;
      // "Executive Order 13011" is a public act, not a customer's order.
      if (keyword === 'order' && PUBLIC_ORDER.test(text.slice(Math.max(0, word.start - 12), word.start))) continue;
      // A code of letters and digits ("OPS-4412", "NHI: ZKM4417") is an identifier with four digits.
      const minDigits = (candidate: string): number => (rule.type === 'ID' && LETTER.test(candidate) ? 4 : rule.minDigits);
      const accepts = (candidate: string): boolean => countDigits(candidate) >= minDigits(candidate) && !DATE_LIKE.test(candidate);
      for (const value of listAfter(text, word.end, accepts)) add(value.start, value.end, rule.type, rule.score);
    }
  }
  // Booking references need no digit, so they are looked for whatever the digit count.
  for (const word of findContextWords(text, BOOKING_CONTEXT)) {
    const accepts = (candidate: string): boolean => REFERENCE_SHAPE.test(candidate) && !DATE_LIKE.test(candidate);
    for (const value of listAfter(text, word.end, accepts)) add(value.start, value.end, 'ID', 0.75);
  }
  // A UK sort code with its account number ("40-11-62 71849036"), and an account's last digits.
  for (const pattern of [SORT_CODE_ACCOUNT, ACCOUNT_ENDING]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const value = match[1] ?? match[0];
      const end = match.index + match[0].length;
      add(end - value.length, end, 'ACCOUNT', 0.8);
    }
  }
  EIN.lastIndex = 0;
  for (let match = EIN.exec(text); match !== null; match = EIN.exec(text)) {
    const value = match[1] as string;
    const start = match.index + match[0].length - value.length;
    add(start, start + value.length, 'ID', 0.85);
  }
  // A registration always holds a digit.
  if (countDigits(text, 1) === 0) return spans.sort((a, b) => a.start - b.start);
  // "No." alone names a number of some register ("Badge No. 2271", "report no. 3581",
  // "No. 1:22-cv-03371"): three digits at least, so "No. 10 Downing Street" stays.
  NUMBER_SIGN.lastIndex = 0;
  for (let match = NUMBER_SIGN.exec(text); match !== null; match = NUMBER_SIGN.exec(text)) {
    const accepts = (candidate: string): boolean => countDigits(candidate) >= 3 && !DATE_LIKE.test(candidate);
    for (const value of listAfter(text, match.index + match[0].length, accepts)) add(value.start, value.end, 'ID', 0.7);
  }
  for (const word of findContextWords(text, PLATE_CONTEXT)) {
    const value = valueAfter(text, word.end, (candidate) => PLATE_SHAPE.test(candidate), PLATE);
    if (value !== undefined) add(value.start, value.end, 'LICENSE_PLATE', 0.75);
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** The value after a keyword and the values that continue it as a list ("nos. 2052/07 and 6158/10"). */
function listAfter(text: string, from: number, accepts: (value: string) => boolean): Array<{ start: number; end: number }> {
  const values: Array<{ start: number; end: number }> = [];
  let value = valueAfter(text, from, accepts);
  while (value !== undefined && values.length < MAX_LIST) {
    values.push(value);
    const previousEnd: number = value.end;
    value = valueAfter(text, previousEnd, accepts, TOKEN, (gap) => LIST_JOIN.test(gap));
  }
  return values;
}

/** Register letters and Roman numerals before a file number, in upper case: `IV K `, `I. `, `II Ca `. */
const REGISTER_PREFIX = /^[\s:#.(]*(?:(?:[IVXL]{1,4}|\p{Lu}[\p{Ll}]?[\p{Lu}]?)\.?\s+){1,3}$/u;

/**
 * The first identifier-like token after a keyword, past filler words only (or, for a list's
 * next item, past a list joiner only), when `accepts` takes it.
 */
function valueAfter(
  text: string,
  from: number,
  accepts: (value: string) => boolean,
  shape: RegExp = TOKEN,
  skippable: (gap: string) => boolean = (gap) => FILLER.test(gap),
): { start: number; end: number } | undefined {
  const window = text.slice(from, from + 40);
  shape.lastIndex = 0;
  for (let match = shape.exec(window); match !== null; match = shape.exec(window)) {
    const gap = window.slice(0, match.index);
    // "reference no. IV K 218/05", "case no. I. 2134/04": a court's register letters before a file number.
    if (!skippable(gap) && !(match[0].includes('/') && REGISTER_PREFIX.test(gap))) return undefined;
    // "814014-why can't you": a lower-case word hyphenated onto the number is prose.
    const value = match[0].replace(/(?<=\d)-[a-z]+$/, '');
    if (!accepts(value)) continue;
    return { start: from + match.index, end: from + match.index + value.length };
  }
  return undefined;
}

export const keywordIdDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: [...RULES.map((rule) => rule.type), 'LICENSE_PLATE'],
  detect: findKeywordIds,
};
