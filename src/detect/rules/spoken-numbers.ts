/**
 * Identifiers read out digit by digit, as transcripts of calls write them: "five five five, two
 * one three, four four nine eight", "double two", "triple seven", digits mixed in. The words
 * before the run name its type (phone, card, social, zip, PIN, account); a run of seven digits
 * or more is masked even without them, because nothing else is said that way.
 * @module
 */
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import { hasContext, type ContextWords } from '../context-words.js';
import type { Detector } from '../detector.js';
import { ACCOUNT_CONTEXT, CARD_CONTEXT, ID_CONTEXT, MRN_CONTEXT, PHONE_CONTEXT, ROUTING_CONTEXT, SSN_CONTEXT, ZIP_CONTEXT } from './context.js';
import { span } from './rule-kit.js';
import { DIGIT_WORDS } from './spoken-words.js';

const ID = 'rules.spoken_number';
const DIGIT = '(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\\d{1,4})';
const UNIT = `(?:(?:double|triple)\\s+)?${DIGIT}`;
// Commas and dashes group digits the way a speaker pauses; a full stop ends the run.
const SEPARATOR = '(?:\\s*,?\\s+|\\s*-\\s*|\\s+(?:dash|hyphen)\\s+)';
const RUN = new RegExp(`\\b${UNIT}(?:${SEPARATOR}${UNIT})+\\b`, 'gi');
/** Cheap test that two spoken digits follow each other somewhere in the text. */
const TWO_DIGIT_WORDS = /\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)[\s,-]+(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b/i;
const PIECE = /(double|triple)\s+(\w+)|(\d+)|(\w+)/gi;

/** Fewest digits a run needs when nothing around it says what it is. */
const MIN_DIGITS_ALONE = 7;

const SOCIAL_CONTEXT: ContextWords = { ...SSN_CONTEXT, words: [...SSN_CONTEXT.words, 'social'] };
const PIN_CONTEXT: ContextWords = {
  words: ['pin', 'pin number', 'pin code', 'passcode', 'password', 'cvv', 'cvc', 'security code', 'verification code', 'otp', 'one-time code', 'access code'],
  before: 40,
  after: 0,
};
const NUMBER_CONTEXT: ContextWords = {
  words: ['number', 'id', 'digits', 'last four', 'reference', 'confirmation', 'order', 'ticket', 'case', 'member', 'license', 'licence', 'passport'],
  before: 40,
  after: 0,
};

interface Reading {
  readonly type: EntityType;
  readonly context: ContextWords | undefined;
  readonly accepts: (digits: number) => boolean;
  readonly score: number;
}

// Most specific first: "card number" is a card before it is a number.
const READINGS: readonly Reading[] = [
  { type: 'SSN', context: SOCIAL_CONTEXT, accepts: (digits) => digits === 9 || digits === 4, score: 0.9 },
  { type: 'CREDIT_CARD', context: CARD_CONTEXT, accepts: (digits) => digits >= 12 && digits <= 19, score: 0.9 },
  { type: 'SECRET', context: PIN_CONTEXT, accepts: (digits) => digits >= 3 && digits <= 12, score: 0.85 },
  { type: 'ZIP', context: ZIP_CONTEXT, accepts: (digits) => digits === 5 || digits === 9, score: 0.85 },
  { type: 'PHONE', context: PHONE_CONTEXT, accepts: (digits) => digits >= 7 && digits <= 15, score: 0.85 },
  { type: 'ACCOUNT', context: ACCOUNT_CONTEXT, accepts: (digits) => digits >= 4, score: 0.8 },
  { type: 'ACCOUNT', context: ROUTING_CONTEXT, accepts: (digits) => digits === 9, score: 0.8 },
  { type: 'MRN', context: MRN_CONTEXT, accepts: (digits) => digits >= 4, score: 0.8 },
  { type: 'ID', context: ID_CONTEXT, accepts: (digits) => digits >= 4, score: 0.8 },
  { type: 'ID', context: NUMBER_CONTEXT, accepts: (digits) => digits >= 4, score: 0.75 },
  { type: 'PHONE', context: undefined, accepts: (digits) => digits >= 10 && digits <= 11, score: 0.7 },
  { type: 'ID', context: undefined, accepts: (digits) => digits >= MIN_DIGITS_ALONE, score: 0.65 },
];

/** The digits a run stands for, and how many of them were spoken as words. */
function readRun(run: string): { digits: string; spoken: number } {
  let digits = '';
  let spoken = 0;
  PIECE.lastIndex = 0;
  for (let match = PIECE.exec(run); match !== null; match = PIECE.exec(run)) {
    const [, repeat, repeated, numeral, word] = match;
    if (numeral !== undefined) {
      digits += numeral;
    } else if (repeat !== undefined && repeated !== undefined) {
      const digit = DIGIT_WORDS[repeated.toLowerCase()] ?? repeated;
      digits += digit.repeat(repeat.toLowerCase() === 'double' ? 2 : 3);
      spoken++;
    } else if (word !== undefined) {
      const digit = DIGIT_WORDS[word.toLowerCase()];
      if (digit !== undefined) {
        digits += digit;
        spoken++;
      }
    }
  }
  return { digits, spoken };
}

export function findSpokenNumbers(text: string): Span[] {
  const spans: Span[] = [];
  if (!TWO_DIGIT_WORDS.test(text)) return spans;
  RUN.lastIndex = 0;
  for (let match = RUN.exec(text); match !== null; match = RUN.exec(text)) {
    const { digits, spoken } = readRun(match[0]);
    // Numerals alone are the written rules' to judge; this rule reads speech.
    if (spoken < 2) continue;
    const start = match.index;
    const end = start + match[0].length;
    const reading = READINGS.find(
      (candidate) => candidate.accepts(digits.length) && (candidate.context === undefined || hasContext(text, start, end, candidate.context)),
    );
    if (reading !== undefined) spans.push(span(start, end, reading.type, reading.score, ID));
  }
  return spans;
}

export const spokenNumberDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: [...new Set(READINGS.map((reading) => reading.type))],
  detect: findSpokenNumbers,
};
