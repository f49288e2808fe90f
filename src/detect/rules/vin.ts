/**
 * Vehicle identification numbers: 17 characters without I, O, Q, with the North American check
 * digit in position 9. Without a valid check digit a VIN is only taken next to a VIN word.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { VIN_CONTEXT } from './context.js';
import { span } from './rule-kit.js';

const ID = 'rules.vin';
const CANDIDATE = /(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])/g;
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const LETTER_VALUES = '12345678.12345.7.923456789';

function transliterate(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  return Number(LETTER_VALUES[code - 65]);
}

export function isValidVin(vin: string): boolean {
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return false;
  let sum = 0;
  for (let index = 0; index < 17; index++) sum += transliterate(vin.charCodeAt(index)) * (WEIGHTS[index] ?? 0);
  const remainder = sum % 11;
  const expected = remainder === 10 ? 'X' : String(remainder);
  return vin[8] === expected;
}

export function findVins(text: string): Span[] {
  const spans: Span[] = [];
  if (text.length < 17) return spans;
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const value = match[0];
    // Both letters and digits: all-digit runs are account numbers, all-letter runs are words.
    if (!/\d/.test(value) || !/[A-Z]/.test(value)) continue;
    const start = match.index;
    const end = start + 17;
    const context = hasContext(text, start, end, VIN_CONTEXT);
    const valid = isValidVin(value);
    if (!valid && !context) continue;
    spans.push(span(start, end, 'VIN', valid ? (context ? 0.98 : 0.85) : 0.7, ID));
  }
  return spans;
}

export const vinDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['VIN'],
  detect: findVins,
};
