/**
 * IBANs, compact or in groups of four. The country code fixes the length (ibantools' country
 * specifications), so exactly that many characters are taken and checked with mod-97; right
 * after the word "IBAN" one that fails the check is taken too.
 * @module
 */
import { countrySpecs, isValidIBAN } from 'ibantools';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { isAlnumCode, span } from './rule-kit.js';

const ID = 'rules.iban';
// One optional space or dash before each character: no nested ambiguity, linear.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){8,32}/g;
const AFTER_KEYWORD = /\bIBAN\b[\s:#.]{0,3}(?:no\.?\s?)?$/i;

export function findIbans(text: string): Span[] {
  const spans: Span[] = [];
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const start = match.index;
    const country = match[0].slice(0, 2).toUpperCase();
    const length = countrySpecs[country]?.chars;
    if (length === undefined) {
      CANDIDATE.lastIndex = start + 2;
      continue;
    }
    let compact = '';
    let end = start;
    const limit = start + match[0].length;
    while (end < limit && compact.length < length) {
      const code = text.charCodeAt(end);
      if (isAlnumCode(code)) compact += text[end];
      end++;
    }
    // The IBAN must end at a token boundary, not in the middle of a longer word or number.
    if (compact.length !== length || isAlnumCode(text.charCodeAt(end))) {
      CANDIDATE.lastIndex = start + 2;
      continue;
    }
    // Right after "IBAN" a mistyped number (the check digits fail) is still the account holder's.
    const valid = isValidIBAN(compact.toUpperCase());
    if (!valid && !AFTER_KEYWORD.test(text.slice(Math.max(0, start - 12), start))) {
      CANDIDATE.lastIndex = start + 2;
      continue;
    }
    spans.push(span(start, end, 'IBAN', valid ? 0.95 : 0.75, ID));
    CANDIDATE.lastIndex = end;
  }
  return spans;
}

export const ibanDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['IBAN'],
  detect: findIbans,
};
