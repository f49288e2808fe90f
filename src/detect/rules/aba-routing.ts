/**
 * US ABA routing transit numbers: nine digits with the 3-7-1 checksum and a valid Federal
 * Reserve prefix, taken only after a routing word (any nine-digit number passes 1 in 10 checks).
 * @module
 */
import type { Span } from '../../core/span.js';
import { findContextWords } from '../context-words.js';
import type { Detector } from '../detector.js';
import { ROUTING_CONTEXT } from './context.js';
import { span } from './rule-kit.js';

const ID = 'rules.aba_routing';
const NINE_DIGITS = /(?<![\w-])\d{9}(?![\w]|-\d)/g;

export function isValidAbaRouting(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const prefix = Number(digits.slice(0, 2));
  const prefixOk = prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  if (!prefixOk) return false;
  const d = (index: number): number => digits.charCodeAt(index) - 48;
  const sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5) + d(8));
  return sum % 10 === 0;
}

export function findAbaRoutingNumbers(text: string): Span[] {
  const spans: Span[] = [];
  for (const word of findContextWords(text, ROUTING_CONTEXT)) {
    const window = text.slice(word.end, word.end + 40);
    NINE_DIGITS.lastIndex = 0;
    const match = NINE_DIGITS.exec(window);
    if (match === null || !isValidAbaRouting(match[0])) continue;
    const start = word.end + match.index;
    if (spans.some((other) => other.start === start)) continue;
    spans.push(span(start, start + 9, 'ABA_ROUTING', 0.9, ID));
  }
  return spans;
}

export const abaRoutingDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['ABA_ROUTING'],
  detect: findAbaRoutingNumbers,
};
