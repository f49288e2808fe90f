/**
 * Dates said rather than written: "June third, nineteen ninety", "the twenty-first of March",
 * "March fifth 1984", "born in nineteen eighty four". Forms with numerals only are the `date`
 * rule's; these need at least one number in words. A date next to a birth word is a
 * DATE_OF_BIRTH.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { BIRTH_CONTEXT } from './context.js';
import { span } from './rule-kit.js';
import { MONTH_NAMES, ORDINAL_DAY, YEAR_WORDS } from './spoken-words.js';

const ID = 'rules.spoken_date';
const YEAR = `(?:${YEAR_WORDS}|(?:1[6-9]|20)\\d\\d)`;
const DAY = `(?:${ORDINAL_DAY}|(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?)`;
const SPOKEN_DATE = new RegExp(
  [
    // June third, nineteen ninety / March the fifth / May 3rd, two thousand and one
    `${MONTH_NAMES}\\s+(?:the\\s+)?${DAY}(?:,?\\s+(?:of\\s+)?${YEAR})?`,
    // third of June, nineteen ninety / 21st of March twenty twenty
    `${DAY}\\s+of\\s+${MONTH_NAMES}(?:,?\\s+${YEAR})?`,
    // June nineteen ninety
    `${MONTH_NAMES},?\\s+(?:of\\s+)?${YEAR_WORDS}`,
    // a year alone after a birth or time word: born in nineteen eighty four
    `(?<=\\b(?:born|birth|since|year|in)\\s+)${YEAR_WORDS}`,
  ]
    .map((pattern) => `\\b${pattern}\\b`)
    .join('|'),
  'gi',
);
const NUMBER_IN_WORDS = new RegExp(`\\b(?:${ORDINAL_DAY}|${YEAR_WORDS})\\b`, 'i');
/** Cheap test for a word every match contains: a month name or the start of a year in words. */
const CANDIDATE = new RegExp(`\\b(?:${MONTH_NAMES}|eighteen|nineteen|twenty|two thousand)\\b`, 'i');

export function findSpokenDates(text: string): Span[] {
  const spans: Span[] = [];
  if (!CANDIDATE.test(text)) return spans;
  SPOKEN_DATE.lastIndex = 0;
  for (let match = SPOKEN_DATE.exec(text); match !== null; match = SPOKEN_DATE.exec(text)) {
    const value = match[0];
    if (!NUMBER_IN_WORDS.test(value)) continue;
    // "may" in lower case is mostly the verb; "you may second that" is not a date.
    if (/^may\s/.test(value) && !/\d|thousand|hundred|teen|ty\b/i.test(value.slice(4))) continue;
    const start = match.index;
    const end = start + value.length;
    const birth = hasContext(text, start, end, BIRTH_CONTEXT);
    spans.push(span(start, end, birth ? 'DATE_OF_BIRTH' : 'DATE', birth ? 0.9 : 0.8, ID));
  }
  return spans;
}

export const spokenDateDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['DATE', 'DATE_OF_BIRTH'],
  detect: findSpokenDates,
};
