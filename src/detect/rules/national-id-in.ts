/**
 * India's Aadhaar number (12 digits, usually written 4-4-4, first digit 2–9, Verhoeff check
 * digit) and PAN (Permanent Account Number: five letters, four digits, a letter; the fourth letter
 * names the holder type, P for a person). A valid Aadhaar written in its usual grouping and a PAN
 * with a valid holder type are specific enough to take alone; next to their keyword a wrong
 * check digit or holder letter is taken too (a typo is still the person's number, and forms
 * use sample values).
 * @module
 */
import validator from 'validator';
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { INDIA_ID_CONTEXT } from './context.js';
import { countDigits, span } from './rule-kit.js';

const ID = 'rules.national_id_in';
const AADHAAR = /(?<![\d-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\d-])/g;
// Holder types: P person, C company, H Hindu undivided family, F firm, A association, T trust,
// B body of individuals, L local authority, J artificial juridical person, G government.
const PAN = /\b[A-Z]{5}\d{4}[A-Z]\b/g;
const PAN_HOLDER = /^[A-Z]{3}[ABCFGHJLPT]/;

export function findIndianIds(text: string): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, 4) < 4) return spans;
  AADHAAR.lastIndex = 0;
  for (let match = AADHAAR.exec(text); match !== null; match = AADHAAR.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    const keyword = hasContext(text, start, end, INDIA_ID_CONTEXT);
    const grouped = match[1] !== '';
    if (keyword || (grouped && validator.isIdentityCard(match[0].replace(/-/g, ' '), 'IN'))) {
      spans.push(span(start, end, 'NATIONAL_ID', keyword ? 0.95 : 0.75, ID));
    }
  }
  PAN.lastIndex = 0;
  for (let match = PAN.exec(text); match !== null; match = PAN.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    const keyword = hasContext(text, start, end, INDIA_ID_CONTEXT);
    if (keyword || PAN_HOLDER.test(match[0])) spans.push(span(start, end, 'NATIONAL_ID', keyword ? 0.95 : 0.75, ID));
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const indiaNationalIdDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['NATIONAL_ID'],
  detect: findIndianIds,
};
