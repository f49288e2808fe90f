/**
 * Postal codes (ZIP). US ZIP codes (12345, 12345-6789) only where the text says it is one: right
 * after a state abbreviation or name ("Austin, TX 78701") or after a "zip" word, since five-digit
 * numbers are far too common to take alone. UK and Canadian postcodes ("SW1A 2AA", "K1A 0B1")
 * have a shape of their own and are taken anywhere; Irish Eircodes ("D06 XY12") after their name
 * or an Irish place, and Dutch postcodes ("1012 LG") before the town; Portuguese ("4000-447 Porto")
 * and Polish ("31-147 Kraków") postcodes before the town on an address line.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { ZIP_CONTEXT } from './context.js';
import { countDigits, span } from './rule-kit.js';

const ID = 'rules.zip';
const STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|VI|GU|AS|MP|AA|AE|AP';
const STATE_NAMES =
  'Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|Puerto Rico';
const AFTER_STATE = new RegExp(`(?<![A-Za-z])(?:${STATES}|${STATE_NAMES})\\.?,? {1,2}(\\d{5}(?:-\\d{4})?)(?![\\w]|-\\d)`, 'g');
const ZIP = /(?<![\w-])\d{5}(?:-\d{4})?(?![\w]|-\d)/g;

const UK_POSTCODE =
  /(?<![A-Za-z0-9])(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])/g;
const CANADIAN_POSTCODE = /(?<![A-Za-z0-9])[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9](?![A-Za-z0-9])/g;
const EIRCODE = /(?<![A-Za-z0-9])(?:[AC-FHKNPRTV-Y][0-9]{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}(?![A-Za-z0-9])/g;
const EIRCODE_CONTEXT = /(?:eircode|ireland|dublin(?: \d{1,2}| 6w)?|co\.\s?\p{Lu}\p{Ll}+|county \p{Lu}\p{Ll}+)[\s:,.-]{0,4}(?:is\s)?$/iu;
// A Dutch postcode stands before the town: "1012 LG Amsterdam" (never SA, SD or SS).
const DUTCH_POSTCODE = /(?<![\w-])[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}(?= {1,2}\p{Lu}\p{Ll}{2,})/gu;
/** Letter pairs after four digits that are a year's era or a time, not a postcode ("1999 BC Rome"). */
const NOT_DUTCH_LETTERS = new Set(['AD', 'BC', 'CE', 'AM', 'PM', 'UK', 'US', 'EU', 'GB', 'KM', 'MB', 'KG']);

/**
 * Portuguese (NNNN-NNN) and Polish (NN-NNN) postcodes: after a comma or at a line's start, before
 * the town and the end of the line or a comma ("…, 2.º Esq., 4000-447 Porto⏎"), as an address
 * line writes them; a range of numbers in prose has no such frame.
 */
const DASHED_POSTCODE = /(?<=(?:^|\n|, ?)[ \t]*)(?:\d{4}-\d{3}|\d{2}-\d{3})(?= {1,2}\p{Lu}[\p{L}.-]+(?:[ -]\p{Lu}?[\p{L}.-]+){0,2}[ \t]*(?:$|\n|,))/gmu;

const LETTER_DIGIT = /[A-Z]\d/;
const IRISH_WORD = /eircode|ireland|dublin|co\.|county/i;

function postcodes(text: string, spans: Span[]): void {
  const add = (start: number, end: number, score: number): void => {
    if (!spans.some((other) => start < other.end && end > other.start)) spans.push(span(start, end, 'ZIP', score, ID));
  };
  // Each shape has a cheap sign that it may be there; most texts have none.
  if (LETTER_DIGIT.test(text)) {
    for (const pattern of [UK_POSTCODE, CANADIAN_POSTCODE]) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) add(match.index, match.index + match[0].length, 0.8);
    }
  }
  EIRCODE.lastIndex = 0;
  for (let match = IRISH_WORD.test(text) ? EIRCODE.exec(text) : null; match !== null; match = EIRCODE.exec(text)) {
    if (EIRCODE_CONTEXT.test(text.slice(Math.max(0, match.index - 24), match.index))) add(match.index, match.index + match[0].length, 0.8);
  }
  if (text.includes('-')) {
    DASHED_POSTCODE.lastIndex = 0;
    for (let match = DASHED_POSTCODE.exec(text); match !== null; match = DASHED_POSTCODE.exec(text)) add(match.index, match.index + match[0].length, 0.9);
  }
  DUTCH_POSTCODE.lastIndex = 0;
  for (let match = DUTCH_POSTCODE.exec(text); match !== null; match = DUTCH_POSTCODE.exec(text)) {
    if (NOT_DUTCH_LETTERS.has(match[0].slice(-2))) continue;
    // A year-like number ("2020 PG Khalen") needs an address line around it.
    if (/^(?:19|20)/.test(match[0]) && !/(?:,\s?|\n|NL-)$/.test(text.slice(Math.max(0, match.index - 3), match.index))) continue;
    add(match.index, match.index + match[0].length, 0.7);
  }
}

export function findZips(text: string): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, 1) === 0) return spans;
  postcodes(text, spans);
  if (countDigits(text, 5) < 5) return spans.sort((a, b) => a.start - b.start);
  AFTER_STATE.lastIndex = 0;
  for (let match = AFTER_STATE.exec(text); match !== null; match = AFTER_STATE.exec(text)) {
    const zip = match[1] ?? '';
    const start = match.index + match[0].length - zip.length;
    spans.push(span(start, start + zip.length, 'ZIP', 0.8, ID));
  }
  if (!/\bzip|\bpost(?:al)?[\s_-]*code/i.test(text)) return spans.sort((a, b) => a.start - b.start);
  ZIP.lastIndex = 0;
  for (let match = ZIP.exec(text); match !== null; match = ZIP.exec(text)) {
    const start = match.index;
    if (spans.some((other) => other.start === start)) continue;
    if (hasContext(text, start, start + match[0].length, ZIP_CONTEXT)) {
      spans.push(span(start, start + match[0].length, 'ZIP', 0.85, ID));
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const zipDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['ZIP'],
  detect: findZips,
};
