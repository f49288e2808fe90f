/**
 * UK NHS numbers: ten digits (often 3-3-4) with the mod-11 check digit, taken only next to an
 * NHS word because ten-digit numbers are common and one in eleven passes the check.
 * @module
 */
import type { Span } from '../../core/span.js';
import { findContextWords } from '../context-words.js';
import type { Detector } from '../detector.js';
import { NHS_CONTEXT } from './context.js';
import { digitsOf, span } from './rule-kit.js';

const ID = 'rules.nhs';
const CANDIDATE = /(?<![\w-])\d{3}([ -]?)\d{3}\1\d{4}(?![\w]|-\d)/g;

export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < 9; index++) sum += (digits.charCodeAt(index) - 48) * (10 - index);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === digits.charCodeAt(9) - 48;
}

export function findNhsNumbers(text: string): Span[] {
  const spans: Span[] = [];
  for (const word of findContextWords(text, NHS_CONTEXT)) {
    const window = text.slice(word.end, word.end + 40);
    CANDIDATE.lastIndex = 0;
    const match = CANDIDATE.exec(window);
    if (match === null || !isValidNhsNumber(digitsOf(match[0]))) continue;
    const start = word.end + match.index;
    if (spans.some((other) => other.start === start)) continue;
    spans.push(span(start, start + match[0].length, 'NHS', 0.95, ID));
  }
  return spans;
}

export const nhsDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['NHS'],
  detect: findNhsNumbers,
};
