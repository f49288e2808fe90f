/**
 * Calendar dates in the common written forms (2023-12-05, 12/05/2023, 05.12.2023, 5 Dec 2023,
 * December 5, 2023, Jan 3rd, March the 5th, 12/2023), with an optional clock time (15:30, 3 pm)
 * and a weekday in front; and, from `date-words`, dates that need context: "in March",
 * decades and years after a time word; and, from `date-intl`, other languages' month names and
 * Chinese, Japanese and Korean dates. A date next to a birth word is a DATE_OF_BIRTH.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { BIRTH_CONTEXT } from './context.js';
import { findInternationalDates } from './date-intl.js';
import { looksClinical } from '../clinical-text.js';
import { findHolidays, findLoneMonths, findMonthDays, findOrdinalDays, findWeekdays, findYears, withWeekdays } from './date-words.js';
import { isWordCharAt, span } from './rule-kit.js';

const ID = 'rules.date';
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?';
const CLOCK = '(?:(?:[01]?\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,6})?)?(?: ?[ap]\\.?m\\.?)?|(?:1[0-2]|0?[1-9]) ?[ap]\\.?m\\.?)';
const TIME = `(?:,?(?:T| at |, at | )${CLOCK}(?:Z|[+-][01]\\d:?[0-5]\\d)?)?`;
const YEAR = '(?:1[6-9]|20)\\d\\d';
// The first days of a range or list written before the month ("5 and 6 May 2005", "3-4 March",
// "5, 6 and 7 May") or after it ("May 5-6, 2005", "March 3 and 4").
const DAY_JOIN_AFTER_MONTH = '(?:\\s?[-–]\\s?|,? and |,? or | to )';
const DAY_THEN_MONTH = /^\d{1,2}(?:st|nd|rd|th)?(?: of)? [A-Za-z]/;
const DAYS_BEFORE = /(?:^|[^\w.,/-])((?:(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?:\s?[-–]\s?|,? and |,? or | to |, )){1,4})$/;
// Two patterns, one starting with a digit and one with a month name, so each is only tried where
// it can start; boundaries are checked in code rather than with leading lookbehinds.
const NUMERIC = new RegExp(
  [
    // ISO and year-first: 2023-12-05, 2023/12/05
    `(?:1[6-9]|20)\\d\\d([-/.])(?:0?[1-9]|1[0-2])\\1(?:0?[1-9]|[12]\\d|3[01])${TIME}(?![\\w]|[-/.]\\d)`,
    // Numeric day-month-year or month-day-year: 12/05/2023, 05.12.2023, 5-12-23
    `(?:0?[1-9]|[12]\\d|3[01])([-/.])(?:0?[1-9]|[12]\\d|3[01])\\2(?:(?:1[6-9]|20)\\d\\d|\\d\\d)${TIME}(?![\\w]|[-/.]\\d)`,
    // 5 Dec 2023, 5th of December, 2023
    `${DAY}(?: of)? ${MONTH}\\.?(?:,? ${YEAR})?${TIME}(?![\\w])`,
    // Day, month name and year joined by dashes or slashes: 03-Mar-2024, 3/March/24; with a web
    // server log's time: 12/Mar/2024:10:14:22 +0000
    `(?:0?[1-9]|[12]\\d|3[01])([-/])${MONTH}\\3(?:${YEAR}|\\d\\d)(?::[0-2]\\d:[0-5]\\d:[0-5]\\d(?: [+-]\\d{4})?|${TIME})(?![\\w]|[-/.]\\d)`,
    // Month and year: 12/2023
    `(?:0?[1-9]|1[0-2])/(?:1[89]|20)\\d\\d(?![\\w]|[-/.]\\d)`,
  ].join('|'),
  'gi',
);
const NAMED = new RegExp(
  [
    // December 5, 2023 / Dec 5th / Jan 3rd 2024 / March the 5th
    `${MONTH}\\.? (?:the )?${DAY}(?:${DAY_JOIN_AFTER_MONTH}${DAY}(?![\\w]|\\.\\d|:\\d))?(?:,? ${YEAR})?${TIME}(?![\\w]|:\\d)`,
    // December 2023
    `${MONTH}\\.?,? ${YEAR}(?![\\w])`,
  ].join('|'),
  'gi',
);

function validNumericDate(value: string): boolean {
  // Numeric dates must be possible as month-day or day-month.
  const parts = value.split(/[-/.T ]/);
  const [a, b, c] = parts.map(Number) as [number, number, number];
  if ((parts[0] ?? '').length === 4) return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  return (a <= 12 && b <= 31) || (b <= 12 && a <= 31);
}

/** A date span, DATE_OF_BIRTH next to a birth word. */
function dateSpan(text: string, start: number, end: number, score: number): Span {
  const birth = hasContext(text, start, end, BIRTH_CONTEXT);
  return span(start, end, birth ? 'DATE_OF_BIRTH' : 'DATE', birth ? 0.9 : score, ID);
}

export function findDates(text: string): Span[] {
  let hasDigit = false;
  for (let index = 0; index < text.length && !hasDigit; index++) {
    const code = text.charCodeAt(index);
    hasDigit = code >= 48 && code <= 57;
  }
  let spans: Span[] = [];
  if (hasDigit) {
    scan(text, NUMERIC, true, spans);
    scan(text, NAMED, false, spans);
    spans = withWeekdays(text, spans);
    spans.push(...withWeekdays(text, findInternationalDates(text, spans, (start, end) => dateSpan(text, start, end, 0.8))));
  }
  // A month name alone is weaker evidence than a written-out date.
  const clinical = looksClinical(text);
  spans.push(...findLoneMonths(text, spans, (start, end) => dateSpan(text, start, end, 0.6), clinical));
  spans.push(...findWeekdays(text, spans, (start, end) => dateSpan(text, start, end, 0.6)));
  if (hasDigit) {
    // Notes write dates in their own shorthand ("presented 3/1", "s/p ureteroscopy 2018").
    spans.push(...findYears(text, spans, (start, end) => dateSpan(text, start, end, 0.7), clinical));
    const monthDays = findMonthDays(text, spans, (start, end) => dateSpan(text, start, end, 0.7), clinical);
    // "Sat 11/27": a weekday before a month/day joins it, as it does a full date.
    spans.push(...(clinical ? withWeekdays(text, monthDays) : monthDays));
  }
  // Days of the month alone: "on the 14th", and spelled out as transcripts write them.
  spans.push(...findOrdinalDays(text, spans, (start, end) => dateSpan(text, start, end, 0.6)));
  // "since Thanksgiving" dates a symptom in a note; elsewhere a holiday is seldom personal.
  if (clinical) spans.push(...findHolidays(text, spans, (start, end) => dateSpan(text, start, end, 0.6)));
  // A weekday found alone and then as part of "Thursday the 28th" is reported once: in start
  // order, longest first, a span inside the one before it goes (one pass, long documents too).
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const span of spans) {
    const last = kept[kept.length - 1];
    if (last !== undefined && span.end <= last.end && (span.start > last.start || span.end < last.end)) continue;
    kept.push(span);
  }
  return kept;
}

/** Length of the days listed before a day and month ("5 and " of "5 and 6 May"), or 0. */
function daysBefore(text: string, start: number): number {
  const match = DAYS_BEFORE.exec(text.slice(Math.max(0, start - 32), start));
  return match === null ? 0 : (match[1] as string).length;
}

function scan(text: string, pattern: RegExp, numericPattern: boolean, spans: Span[]): void {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const start = match.index;
    const before = text.charCodeAt(start - 1);
    const value = match[0];
    // "3-4 March": a dash before the day joins a range, not a longer number.
    const days = numericPattern && DAY_THEN_MONTH.test(value) ? daysBefore(text, start) : 0;
    // Glued to a word, or the tail of a longer dotted/dashed number (a version, an IP).
    if (days === 0 && (isWordCharAt(text, start - 1) || (numericPattern && (before === 46 || before === 45 || before === 47)))) {
      pattern.lastIndex = start + 1;
      continue;
    }
    if (!numericPattern && spans.some((other) => start >= other.start && start < other.end)) continue;
    const numeric = match[1] !== undefined || match[2] !== undefined;
    if (numeric && !validNumericDate(value)) continue;
    // 1.2.33 is a version string; a dotted date with a two-digit year is written 01.02.33.
    if (match[2] === '.' && /^\d{1,2}\.\d{1,2}\.\d\d(?!\d)/.test(value) && !/^\d\d\.\d\d\./.test(value)) continue;
    // "May 5" is a date but "may 5 people" is not: a lower-case "may" needs a year.
    if (/^may /.test(value) && !/\d{4}/.test(value)) continue;
    const end = start + value.length;
    spans.push(dateSpan(text, start - days, end, numeric || /\d{4}/.test(value) ? 0.85 : 0.7));
  }
}

export const dateDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['DATE', 'DATE_OF_BIRTH'],
  detect: findDates,
};
