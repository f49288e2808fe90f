/**
 * Dates written mostly in words, which need their context to be told from other uses of the
 * same words or numbers: a weekday name in front of a date, month names after a time word
 * ("admitted in March": a date element under HIPAA), decades ("the 1990s") and bare years after
 * a time word ("founded in 1977", "between 1990 and 1995", "the Civil Rights Act of 1964") but
 * not counts ("in 2000 patients", "a total of 1999"). A weekday alone ("shipped Monday") names
 * no date and is left alone.
 * @module
 */
import type { Span } from '../../core/span.js';

/** A weekday (full or abbreviated) right before a date: "Tuesday, ", "Tue ", "Fri., the ". */
const WEEKDAY_BEFORE_DATE =
  /\b(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)\.?,?\s{1,2}(?:the\s|den\s|le\s|el\s)?$/i;
const FULL_MONTH = /\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b/g;
/** Month names and their abbreviations, read alone in clinical notes. */
const CLINICAL_MONTH = /\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b(?!['’])/g;
/** Words after which a month name alone is a date: "in March", "since last April". */
const BEFORE_MONTH = /\b(?:in|since|until|till|by|during|from|through|early|late|mid|last|next|this|every|of)\s(?:(?:early|late|mid|last|next)\s)?$/i;

const YEAR = /\b(?:1[89]|20)\d\d(?:'?s)?(?!\w|[.,]\d)/g;
/**
 * Time words a bare year may follow: "in 1977", "since the late 1980s", "c. 1900", "Q3 2024",
 * "FY 2025", and birth cues ("born 1990", "DOB: 1985").
 */
const BEFORE_YEAR =
  /(?:^|[^\p{L}\p{N}])(in|since|from|until|till|by|during|before|after|around|circa|c\.|year|early|late|mid|of|between|q[1-4]|h[12]|fy|born|dob|d\.o\.b\.?):?\s(?:the\s)?(?:(?:early|late|mid)[\s-])?$/iu;
/** Joins a year to the one before: "1990 and 1995", "1990-1995", "1990 to 1995", "2019, 2020". */
const RANGE_JOIN = /^(?:\s?[-–]\s?|,?\s(?:and|to|through|until|till|or)\s|,\s)$/i;
/** What a number followed by these counts is not a year. */
const COUNTED =
  /^\s?(?:%|percent|people|persons|patients|cases|men|women|children|kids|students|employees|staff|users|customers|members|participants|subjects|respondents|households|residents|visitors|votes|units|items|samples|records|rows|lines|pages|words|copies|times|dollars|euros|pounds|yen|usd|eur|gbp|km|kms|m|cm|mm|kg|g|mg|ml|l|lbs?|ft|feet|miles|meters|metres|acres|sq|square|calories|kcal|bytes|kb|mb|gb|tb|hours|hrs|minutes|mins|seconds|secs|days|weeks|months|years)\b/i;
/** "of" needs a date-like word before it ("Act of 1964", "summer of 1969"), not a quantity ("total of 1999"). */
const BEFORE_OF = /(?:\b\p{Lu}[\p{L}.]*|\b(?:year|class|summer|spring|fall|autumn|winter|end|beginning|start|middle|half|quarter|election|season|january|february|march|april|may|june|july|august|september|october|november|december))\sof\s(?:the\s)?(?:(?:early|late|mid)[\s-])?$/u;

/** Extends each date span that a weekday name directly precedes to include it ("Tuesday, 5 March 2024"). */
export function withWeekdays(text: string, spans: Span[]): Span[] {
  return spans.map((span) => {
    const before = text.slice(Math.max(0, span.start - 16), span.start);
    const match = WEEKDAY_BEFORE_DATE.exec(before);
    return match === null ? span : { ...span, start: span.start - before.length + match.index };
  });
}

function covered(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some((span) => start < span.end && end > span.start);
}

/** Capitalised month names after a time word ("in March", "since last April"). */
export function findLoneMonths(text: string, taken: readonly Span[], make: (start: number, end: number) => Span, clinical = false): Span[] {
  const found: Span[] = [];
  const pattern = clinical ? CLINICAL_MONTH : FULL_MONTH;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const end = match.index + match[0].length;
    if (covered(taken, match.index, end)) continue;
    const before = text.slice(Math.max(0, match.index - 16), match.index);
    // A note names a month alone as a date ("Last seen July.", "(Aug)", "due Jan."); "May" that
    // starts a sentence is the verb.
    const inNote = clinical && !(match[0] === 'May' && /(?:^|[.!?:]\s*|\n\s*)$/.test(before));
    if (!inNote && !BEFORE_MONTH.test(before)) continue;
    // "in May 5 people" is caught by the date patterns' own rules; a month then a number is theirs.
    if (/^\s?\d/.test(text.slice(end, end + 2))) continue;
    found.push(make(match.index, end));
  }
  return found;
}

const YEAR_AFTER_DASH = /^[ \t]?[–—-][ \t]?((?:19|20)\d{2})(?![\d.,/-])/;

/** Whether a later year (within 60) follows `end` after a dash: `2011 – 2017`, `2019–2023`. */
function startsYearRange(text: string, end: number, year: number): boolean {
  const next = YEAR_AFTER_DASH.exec(text.slice(end, end + 8));
  if (next === null) return false;
  const second = Number(next[1]);
  return second > year && second - year <= 60;
}

/** Decades and bare years that a time word introduces, and the second year of a range. */
export function findYears(
  text: string,
  taken: readonly Span[],
  make: (start: number, end: number, decade: boolean) => Span,
  clinical = false,
): Span[] {
  const found: Span[] = [];
  let previousEnd = -1;
  YEAR.lastIndex = 0;
  for (let match = YEAR.exec(text); match !== null; match = YEAR.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    const decade = match[0].endsWith('s');
    if (covered(taken, start, end) || text.charCodeAt(start - 1) === 36 /* $ */ || COUNTED.test(text.slice(end, end + 12))) continue;
    const before = text.slice(Math.max(0, start - 40), start);
    const range = previousEnd >= 0 && RANGE_JOIN.test(text.slice(previousEnd, start));
    const word = BEFORE_YEAR.exec(before);
    const introduced = word !== null && (word[1]!.toLowerCase() !== 'of' || BEFORE_OF.test(before));
    // "(2079, Dr. Patel)", "CABG (1998)", "(Smith, 2019)": a year alone in brackets.
    const bracketed = (text.charCodeAt(start - 1) === 40 /* ( */ || before.endsWith(', ')) && /^[),;]/.test(text.charAt(end)) && before.includes('(');
    // A note's history dates procedures by the year alone ("s/p ureteroscopy 2018", "NSVD 2077"),
    // but writes clock times the same way: "last dose 2000", "0700-1900" are not years.
    const clockLike = /(?:00|30)$/.test(match[0]) || /\d{4}[-–]$/.test(before) || /^\s?(?:last night|tonight|this morning|today|hrs?|h)\b/i.test(text.slice(end, end + 16));
    // "(2019–2023)", "2011 – 2017": the first year of a span of years, as CVs and records write them.
    const opensRange = !/[\w-]/.test(text.charAt(start - 1)) && startsYearRange(text, end, Number(match[0].slice(0, 4)));
    if (clinical ? clockLike : !decade && !range && !introduced && !bracketed && !opensRange) continue;
    found.push(make(start, end, decade));
    previousEnd = end;
  }
  // "quit in '98", "the class of ’04": a two-digit year after a time word.
  if (text.includes("'") || text.includes('’')) {
    SHORT_YEAR.lastIndex = 0;
    for (let match = SHORT_YEAR.exec(text); match !== null; match = SHORT_YEAR.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (covered(taken, start, end) || COUNTED.test(text.slice(end, end + 12))) continue;
      const before = text.slice(Math.max(0, start - 40), start);
      const word = BEFORE_YEAR.exec(before);
      const introduced = word !== null && (word[1]!.toLowerCase() !== 'of' || BEFORE_OF.test(before));
      if (!introduced && !(clinical && /[\s(]$/.test(before))) continue;
      found.push(make(start, end, false));
    }
  }
  return found;
}

const SHORT_YEAR = /(?<![\w'’])['’]\d\d(?![\w'’]|[.,]\d)/g;

const MONTH_DAY = /(?<![\w/.,-])(0?[1-9]|1[0-2])\/(0?[1-9]|[12]\d|3[01])(?![\w/]|[.,]\d)/g;
/** Words after which a month/day with no year is a date: "seen on 10/11", "since 3/14", "admitted 9/2". */
const BEFORE_MONTH_DAY =
  /\b(?:on|since|from|until|till|by|dated|before|after|through|thru|admitted|discharged|seen|visited|born|dob|d\.o\.b\.?|expires?|expired|due)[:\s]\s?$/i;
/** What follows a fraction, not a date: "on 1/2 of the dose", "by 3/4 cup". */
const FRACTION_AFTER = /^\s?(?:of|an?|the|ppd|packs?|cups?|tsp|tbsp|teaspoons?|tablespoons?|inch(?:es)?|in\.|lbs?|oz|tabs?|tablets?|pills?|doses?|strength|mile|miles)\b/i;

/** Month/day dates with no year, only after a date word: clinical notes write "seen on 10/11". */
export function findMonthDays(text: string, taken: readonly Span[], make: (start: number, end: number) => Span, clinical = false): Span[] {
  const found: Span[] = [];
  if (text.indexOf('/') === -1) return found;
  MONTH_DAY.lastIndex = 0;
  for (let match = MONTH_DAY.exec(text); match !== null; match = MONTH_DAY.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (covered(taken, start, end)) continue;
    const after = text.slice(end, end + 16);
    if (FRACTION_AFTER.test(after) || COUNTED.test(after)) continue;
    if (!BEFORE_MONTH_DAY.test(text.slice(Math.max(0, start - 16), start)) && !(clinical && clinicalMonthDay(text, start, match))) continue;
    found.push(make(start, end));
  }
  return found;
}

/** Scores and ratios that notes write like a month/day: "pain 7/10", "5/5 strength", "2/2" (secondary to). */
const SCORE_BEFORE = /\b(?:pain|score[sd]?|scale|rated?|rates|grade[sd]?|strength|power|reflexes|gcs|apgar|sve|ratio|vision|acuity|murmur|of|out of|x)\s?:?\s?$/i;
const SCORE_AFTER = /^\s?(?:strength|power|motor|reflexes|pain|score|scale|bilaterally|murmur|ratio|stars?|points?|votes?|rating|dilated|effaced)\b/i;

/**
 * A month/day anywhere in a clinical note ("TTE 10/2:", "Last BM 11/25", "stent 11/4"), unless it
 * is a score or a ratio: "pain 7/10", "5/5 strength", "2/2" ("secondary to").
 */
function clinicalMonthDay(text: string, start: number, match: RegExpExecArray): boolean {
  const month = Number(match[1]);
  const day = Number(match[2]);
  // A rating out of ten ("Pain 5/10 at rest, 7/10 w/ activity", "Cravings 2/10").
  if ((month === day && month <= 5) || day === 10) return false;
  if (SCORE_BEFORE.test(text.slice(Math.max(0, start - 16), start)) || SCORE_AFTER.test(text.slice(start + match[0].length, start + match[0].length + 16))) return false;
  return true;
}

/**
 * Holidays named as a point in time ("since Thanksgiving", "around New Year's", "fine on
 * Christmas", "over Tet"): a time word must stand before, so "Christmas tree" alone is left.
 */
const HOLIDAY =
  /\b(?:(?:Christmas|New Year's|New Year’s|New Years|Easter|Thanksgiving|Halloween|Hanukkah|Chanukah|Passover|Ramadan|Diwali|Kwanzaa|Tet|Lunar New Year|Chinese New Year|Rosh Hashanah|Yom Kippur|Eid(?: al-Fitr| al-Adha)?|Good Friday|Easter Sunday|Easter Monday|Mardi Gras|Valentine's Day|Valentine’s Day|Mother's Day|Mother’s Day|Father's Day|Father’s Day|Memorial Day|Labor Day|Labour Day|Independence Day|Veterans Day|Boxing Day|St\. Patrick's Day|St\. Patrick’s Day|Fourth of July|Bastille Day)(?: (?:Eve|Day))?)(?![\w'’])/g;
const BEFORE_HOLIDAY = /\b(?:on|at|over|around|since|before|after|until|till|by|during|for|from|through|last|next|this|past|near|about|of|following|preceding)\s(?:the\s)?$/i;

export function findHolidays(text: string, taken: readonly Span[], make: (start: number, end: number) => Span): Span[] {
  const found: Span[] = [];
  HOLIDAY.lastIndex = 0;
  for (let match = HOLIDAY.exec(text); match !== null; match = HOLIDAY.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (covered(taken, start, end) || !BEFORE_HOLIDAY.test(text.slice(Math.max(0, start - 16), start))) continue;
    found.push(make(start, end));
  }
  return found;
}

/** A day of the month alone, after a time preposition: "saw her on the 14th", "until the 3rd". */
const ORDINAL_DAY =
  /\b(?:on|by|since|until|till|til|from|before|after|through|thru|week\s+of|weekend\s+of|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+the\s+((?:[12]?\d|3[01])(?:st|nd|rd|th))\b(?!\s+(?:of\s+)?(?:century|centuries|floor|place|time|times|row|grade|percentile|edition|anniversary|birthday|day\s+of))/gi;
/** Ordinals in words, as speech-to-text writes a day ("the nineteenth", "the twenty fifth"). */
const SPELLED_ORDINAL =
  '(?:(?:twenty|thirty)[\\s-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth';
/**
 * A day spelled out after a time word or a weekday ("see him on the nineteenth unless ...",
 * "friday the fourteenth", "out until the twentieth"), and only where the clause ends or a time
 * follows, since "on the second floor" or "after the first one" are no dates.
 */
const SPELLED_DAY = new RegExp(
  `\\b(?:on|by|until|till|til|through|thru|is|week\\s+of|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\\s+the\\s+(${SPELLED_ORDINAL})(?=\\s*(?:[.,;!?]|$|at\\b|unless\\b|if\\b|or\\b|and\\b|then\\b|works\\b|for\\b|instead\\b))`,
  'gim',
);

/** A day of the month named alone after a time preposition ("on the 14th"), not a century or a floor. */
/** "friday the fourteenth" is one date: a weekday before the day joins it. */
function dayStart(match: RegExpExecArray, start: number): number {
  return /^(?:mon|tues|wednes|thurs|fri|satur|sun)day\b/i.test(match[0]) ? match.index : start;
}

export function findOrdinalDays(text: string, taken: readonly Span[], make: (start: number, end: number) => Span): Span[] {
  const found: Span[] = [];
  ORDINAL_DAY.lastIndex = 0;
  for (let match = ORDINAL_DAY.exec(text); match !== null; match = ORDINAL_DAY.exec(text)) {
    const value = match[1] as string;
    const start = match.index + match[0].length - value.length;
    const end = start + value.length;
    const number = Number.parseInt(value, 10);
    if (number < 1 || number > 31 || covered(taken, start, end)) continue;
    found.push(make(dayStart(match, start), end));
  }
  if (!/(?:st|nd|rd|th)\b/i.test(text)) return found;
  SPELLED_DAY.lastIndex = 0;
  for (let match = SPELLED_DAY.exec(text); match !== null; match = SPELLED_DAY.exec(text)) {
    const value = match[1] as string;
    const start = match.index + match[0].length - value.length;
    if (!covered(taken, start, start + value.length) && !covered(found, start, start + value.length)) found.push(make(dayStart(match, start), start + value.length));
  }
  return found;
}

const WEEKDAY = /\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/gi;
/**
 * Words that make a weekday a point in time: "on Tuesday", "next Friday", "since Monday", and
 * the verbs of appointments ("meet Monday", "call me Thursday", "arriving Sunday").
 */
const BEFORE_WEEKDAY =
  /\b(?:on|this|next|last|every|each|by|until|till|since|from|through|before|after|coming|past|meet|meeting|see|seeing|call|visit|arrive|arriving|leave|leaving|start|starting|back|due|me|us|you|them)\s$/i;
/** Parts of a day after a weekday: "Tuesday morning", "Friday night"; or a time: "Monday at 3". */
const AFTER_WEEKDAY = /^\s(?:morning|afternoon|evening|night|noon|midday|lunchtime)\b|^(?=\s(?:at|@)\s\d)/i;

/**
 * A weekday named as a point in time ("on Tuesday morning", "next Friday"): a date element of a
 * schedule or an itinerary. A weekday alone ("shipped Monday", "Mondays are slow") is left alone.
 */
export function findWeekdays(text: string, taken: readonly Span[], make: (start: number, end: number) => Span): Span[] {
  const found: Span[] = [];
  WEEKDAY.lastIndex = 0;
  for (let match = WEEKDAY.exec(text); match !== null; match = WEEKDAY.exec(text)) {
    const start = match.index;
    let end = start + match[0].length;
    if (covered(taken, start, end)) continue;
    const after = AFTER_WEEKDAY.exec(text.slice(end, end + 12));
    if (after === null && !BEFORE_WEEKDAY.test(text.slice(Math.max(0, start - 10), start))) continue;
    if (after !== null) end += after[0].length;
    found.push(make(start, end));
  }
  return found;
}
