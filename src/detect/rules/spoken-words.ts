/**
 * Number words as speech-to-text writes them, shared by the rules for spoken identifiers, e-mail
 * addresses and dates: voice agents send "five five five, two one three…" where a chat app
 * would send digits, and those values must not leave any more than their written forms.
 * @module
 */

/** The digit each spoken digit word stands for ("oh" is how a zero is usually read out). */
export const DIGIT_WORDS: Readonly<Record<string, string>> = {
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

const UNITS = 'one|two|three|four|five|six|seven|eight|nine';
const TEENS = 'ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen';
const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';
const ORDINAL_UNITS = 'first|second|third|fourth|fifth|sixth|seventh|eighth|ninth';

/** 10–99 or "oh five": the second half of a year read in pairs ("nineteen eighty four", "twenty oh five"). */
const PAIR = `(?:(?:${TENS})(?:[\\s-](?:${UNITS}))?|${TEENS}|oh[\\s-](?:${UNITS}))`;

/** A year in words: "nineteen eighty four", "twenty twenty", "nineteen hundred", "two thousand and five". */
export const YEAR_WORDS = `(?:(?:eighteen|nineteen|twenty)[\\s-](?:hundred|${PAIR})|two thousand(?:,?(?:\\s+and)?[\\s-](?:${PAIR}|${UNITS}))?)`;

/** A day of the month in ordinal words: "third", "twenty-first", "thirtieth". */
export const ORDINAL_DAY = `(?:(?:twenty|thirty)[\\s-]?(?:${ORDINAL_UNITS})|${ORDINAL_UNITS}|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)`;

export const MONTH_NAMES = '(?:january|february|march|april|may|june|july|august|september|october|november|december)';
