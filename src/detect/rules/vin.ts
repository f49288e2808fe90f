/**
 * Vehicle identification numbers: 17 characters without I, O, Q, with the North American check
 * digit in position 9. Without a valid check digit a VIN is only taken next to a VIN word.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { VIN_CONTEXT } from './context.js';
import { isAlnumCode, longTokenRuns, span } from './rule-kit.js';

const ID = 'rules.vin';
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

function isVinChar(code: number): boolean {
  // Digits and capitals except I, O and Q.
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90 && code !== 73 && code !== 79 && code !== 81);
}

export function findVins(text: string): Span[] {
  const spans: Span[] = [];
  for (const run of longTokenRuns(text)) {
    // Alphanumeric pieces of exactly 17 inside the run ('-' and '_' split pieces).
    let pieceStart = run.start;
    for (let index = run.start; index <= run.end; index++) {
      if (index < run.end && isAlnumCode(text.charCodeAt(index))) continue;
      if (index - pieceStart === 17) checkCandidate(text, pieceStart, spans);
      pieceStart = index + 1;
    }
  }
  return spans;
}

function checkCandidate(text: string, start: number, spans: Span[]): void {
  let letters = 0;
  let digits = 0;
  for (let index = start; index < start + 17; index++) {
    const code = text.charCodeAt(index);
    if (!isVinChar(code)) return;
    if (code <= 57) digits++;
    else letters++;
  }
  // Both letters and digits: all-digit runs are account numbers, all-letter runs are words.
  if (letters === 0 || digits === 0) return;
  const end = start + 17;
  const value = text.slice(start, end);
  const valid = isValidVin(value);
  const context = hasContext(text, start, end, VIN_CONTEXT);
  if (!valid && !context) return;
  spans.push(span(start, end, 'VIN', valid ? (context ? 0.98 : 0.85) : 0.7, ID));
}

export const vinDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['VIN'],
  detect: findVins,
};
