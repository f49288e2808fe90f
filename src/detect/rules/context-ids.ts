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
import { ACCOUNT_CONTEXT, DRIVER_LICENSE_CONTEXT, ID_CONTEXT, MRN_CONTEXT, PASSPORT_CONTEXT } from './context.js';
import { countDigits, span } from './rule-kit.js';

const ID = 'rules.keyword_id';

interface KeywordRule {
  readonly type: EntityType;
  readonly context: ContextWords;
  /** Fewest digits the identifier must contain. */
  readonly minDigits: number;
  readonly score: number;
}

const TOKEN = /(?<![A-Za-z0-9])[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9])){3,30}(?![A-Za-z0-9])/g;
// Words allowed between the keyword and the value ("passport number is", "acct no.:").
const FILLER = /^(?:[\s:#=.\-()]|is\b|was\b|are\b|number\b|num\b|no\b|nr\b|id\b|of\b|my\b|the\b|your\b|reads?\b|ending\b|in\b|#)*$/i;
const DATE_LIKE = /^(?:(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d\d|(?:19|20)\d\d)$/;

const RULES: readonly KeywordRule[] = [
  { type: 'PASSPORT', context: PASSPORT_CONTEXT, minDigits: 6, score: 0.85 },
  { type: 'DRIVER_LICENSE', context: DRIVER_LICENSE_CONTEXT, minDigits: 5, score: 0.85 },
  { type: 'MRN', context: MRN_CONTEXT, minDigits: 5, score: 0.85 },
  { type: 'ACCOUNT', context: ACCOUNT_CONTEXT, minDigits: 6, score: 0.75 },
  { type: 'ID', context: ID_CONTEXT, minDigits: 5, score: 0.75 },
];

function normalizeKeyword(word: string): string {
  return word.toLowerCase().replace(/[\s._-]+/g, ' ');
}

// One scan for all keywords; the word found tells which rule applies.
const ALL_KEYWORDS: ContextWords = { words: RULES.flatMap((rule) => rule.context.words) };
const RULE_BY_KEYWORD = new Map<string, KeywordRule>();
for (const rule of RULES) for (const word of rule.context.words) RULE_BY_KEYWORD.set(normalizeKeyword(word), rule);
const MIN_DIGITS = Math.min(...RULES.map((rule) => rule.minDigits));

export function findKeywordIds(text: string): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, MIN_DIGITS) < MIN_DIGITS) return spans;
  for (const word of findContextWords(text, ALL_KEYWORDS)) {
    const rule = RULE_BY_KEYWORD.get(normalizeKeyword(text.slice(word.start, word.end)));
    if (rule === undefined) continue;
    const window = text.slice(word.end, word.end + 40);
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(window); match !== null; match = TOKEN.exec(window)) {
      if (!FILLER.test(window.slice(0, match.index))) break;
      const value = match[0];
      if (countDigits(value) < rule.minDigits || DATE_LIKE.test(value)) continue;
      const start = word.end + match.index;
      if (!spans.some((other) => other.start === start)) spans.push(span(start, start + value.length, rule.type, rule.score, ID));
      break;
    }
  }
  return spans;
}

export const keywordIdDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: RULES.map((rule) => rule.type),
  detect: findKeywordIds,
};
