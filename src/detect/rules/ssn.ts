/**
 * US Social Security numbers and ITINs. Formatted numbers (123-45-6789, 123 45 6789) are taken
 * on their own when the area/group/serial rules allow them; bare nine-digit numbers only next to
 * a context word.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { ITIN_CONTEXT, SSN_CONTEXT } from './context.js';
import { countDigits, span } from './rule-kit.js';

const SSN_ID = 'rules.ssn';
const ITIN_ID = 'rules.itin';
const CANDIDATE = /(?<![\w.+\-/])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w]|[.\-/]\d)/g;

export function isValidSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

export function isValidItin(area: string, group: string, serial: string): boolean {
  const g = Number(group);
  return area[0] === '9' && serial.length === 4 && ((g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || g >= 94);
}

function scan(text: string, itin: boolean): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, 9) < 9) return spans;
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const [, area = '', separator = '', group = '', serial = ''] = match;
    const valid = itin ? isValidItin(area, group, serial) : isValidSsn(area, group, serial);
    if (!valid) continue;
    const start = match.index;
    const end = start + match[0].length;
    const context = hasContext(text, start, end, itin ? ITIN_CONTEXT : SSN_CONTEXT);
    let score: number;
    if (separator === '-') score = context ? 0.98 : 0.85;
    else if (separator === ' ') score = context ? 0.95 : 0.6;
    else if (context) score = 0.85;
    else continue;
    spans.push(span(start, end, itin ? 'ITIN' : 'SSN', score, itin ? ITIN_ID : SSN_ID));
  }
  return spans;
}

export function findSsns(text: string): Span[] {
  return scan(text, false);
}

export function findItins(text: string): Span[] {
  return scan(text, true);
}

export const ssnDetector: Detector = { id: SSN_ID, tier: 'rules', types: ['SSN'], detect: findSsns };
export const itinDetector: Detector = { id: ITIN_ID, tier: 'rules', types: ['ITIN'], detect: findItins };
