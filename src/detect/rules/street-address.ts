/**
 * Street addresses written the usual way, a house number, one to four capitalised words and a
 * street suffix ("221B Baker Street", "1600 Pennsylvania Avenue NW", "500 Boylston St., Suite
 * 1200"), and post-office boxes. The NER model finds most addresses from their context; this rule
 * holds where the context is thin ("or 221B Baker Street."), and it wins over a model span that
 * stopped early (the longer span wins the merge). Town and postcode are left to the model and
 * the ZIP rule: their forms vary too much by country for a rule.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { countDigits, span } from './rule-kit.js';

const ID = 'rules.street_address';

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Parkway|Pkwy|Highway|Hwy|Terrace|Crescent|Square|Sq|Court|Ct|Place|Pl|Way|Circle|Cir|Alley|Plaza|Trail|Turnpike)';
/** A word of the street's name: capitalised, or an ordinal ("5th", "Fifth" is capitalised). */
const NAME_WORD = "(?:\\p{Lu}[\\p{L}'’-]*|\\d{1,3}(?:st|nd|rd|th))";
const DIRECTION = '(?:NW|NE|SW|SE|N|S|E|W)';
const UNIT = '(?:,?[ \\t](?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm)\\.?[ \\t]?#?[ \\t]?[\\dA-Z][\\w-]{0,5}|,?[ \\t]#[ \\t]?\\d[\\w-]{0,5})';

/**
 * Not after a word character, a decimal point, a currency sign or a digit group ("$3 Main",
 * "1,200 Main"); the number may carry a letter or a second number ("221B", "12-14", "7/15").
 */
const STREET = new RegExp(
  `(?<![\\p{L}\\p{N}_.,$€£#-])\\d{1,5}[A-Za-z]?(?:[-/]\\d{1,4}[A-Za-z]?)?[ \\t](?:${NAME_WORD}[ \\t]){1,4}${SUFFIX}\\b\\.?(?:[ \\t]${DIRECTION}\\b)?${UNIT}?`,
  'gu',
);
const PO_BOX = /(?<![\p{L}\p{N}])(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box)\s+\d{1,7}\b/giu;

/**
 * Words that may follow an address in running text. Any other lower-case word after the suffix
 * makes the number a count of things named after a street or a court ("3 Supreme Court
 * briefs", "10 Long Island Rail Road trains"), so the match is left to the model.
 */
const FOLLOWERS = new Set(
  'in on at and or near to from for with between is was has had which where when then but since until by off of as if so are were who'.split(' '),
);
const NEXT_WORD = /^[ \t]+(\p{Ll}+)/u;
const SAINT_OF = /^[ \t]\p{Lu}\p{Ll}/u;

export function findStreetAddresses(text: string): Span[] {
  if (countDigits(text, 1) === 0) return [];
  const spans: Span[] = [];
  for (const pattern of [STREET, PO_BOX]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      let end = match.index + match[0].length;
      if (pattern === STREET) {
        const after = text.slice(end, end + 24);
        const next = NEXT_WORD.exec(after)?.[1];
        if (next !== undefined && !FOLLOWERS.has(next)) continue;
        // "St" before a name is Saint ("Paris St Germain"), not a street.
        if (/\bSt\.?$/.test(match[0]) && SAINT_OF.test(after)) continue;
      }
      // A trailing full stop ends the sentence unless it ends an abbreviation ("St.").
      if (text.charCodeAt(end - 1) === 46 && !/\b(?:St|Ave|Rd|Ln|Dr|Blvd|Pkwy|Hwy|Sq|Ct|Pl|Cir)\.$/.test(match[0])) end -= 1;
      spans.push(span(match.index, end, 'ADDRESS', 0.8, ID));
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const streetAddressDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['ADDRESS'],
  detect: findStreetAddresses,
};
