/**
 * US ZIP codes (12345, 12345-6789), only where the text says it is one: right after a state
 * abbreviation or name ("Austin, TX 78701") or after a "zip" word. Five-digit numbers are far too
 * common to take alone.
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

export function findZips(text: string): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, 5) < 5) return spans;
  AFTER_STATE.lastIndex = 0;
  for (let match = AFTER_STATE.exec(text); match !== null; match = AFTER_STATE.exec(text)) {
    const zip = match[1] ?? '';
    const start = match.index + match[0].length - zip.length;
    spans.push(span(start, start + zip.length, 'ZIP', 0.8, ID));
  }
  if (!/\bzip|\bpost(?:al)?[\s_-]*code/i.test(text)) return spans;
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
