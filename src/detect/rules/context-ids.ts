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

interface KeywordRule {
  readonly id: string;
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

function detectAfterKeyword(text: string, rule: KeywordRule): Span[] {
  const spans: Span[] = [];
  for (const word of findContextWords(text, rule.context)) {
    const window = text.slice(word.end, word.end + 40);
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(window); match !== null; match = TOKEN.exec(window)) {
      if (!FILLER.test(window.slice(0, match.index))) break;
      const value = match[0];
      if (countDigits(value) < rule.minDigits || DATE_LIKE.test(value)) continue;
      const start = word.end + match.index;
      if (!spans.some((other) => other.start === start)) spans.push(span(start, start + value.length, rule.type, rule.score, rule.id));
      break;
    }
  }
  return spans;
}

function keywordDetector(rule: KeywordRule): Detector {
  return {
    id: rule.id,
    tier: 'rules',
    types: [rule.type],
    detect: (text: string) => (countDigits(text, rule.minDigits) < rule.minDigits ? [] : detectAfterKeyword(text, rule)),
  };
}

export const passportDetector = keywordDetector({
  id: 'rules.passport', type: 'PASSPORT', context: PASSPORT_CONTEXT, minDigits: 6, score: 0.85,
});
export const driverLicenseDetector = keywordDetector({
  id: 'rules.driver_license', type: 'DRIVER_LICENSE', context: DRIVER_LICENSE_CONTEXT, minDigits: 5, score: 0.85,
});
export const mrnDetector = keywordDetector({ id: 'rules.mrn', type: 'MRN', context: MRN_CONTEXT, minDigits: 5, score: 0.85 });
export const accountDetector = keywordDetector({
  id: 'rules.account', type: 'ACCOUNT', context: ACCOUNT_CONTEXT, minDigits: 6, score: 0.75,
});
export const idNumberDetector = keywordDetector({ id: 'rules.id_number', type: 'ID', context: ID_CONTEXT, minDigits: 5, score: 0.75 });
