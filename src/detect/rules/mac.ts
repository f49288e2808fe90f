/**
 * MAC addresses: six hex pairs with ':' or '-' (one separator throughout), or Cisco dotted form.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { isAlnumCode, span } from './rule-kit.js';

const ID = 'rules.mac';
const COLON_OR_DASH = /[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}/iy;
const DOTTED = /[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}/iy;

function isBoundary(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return !(isAlnumCode(code) || code === 95 || code === 58 || code === 45);
}

function tryAt(text: string, start: number, pattern: RegExp, spans: Span[]): number {
  if (start < 0 || !isBoundary(text, start - 1)) return -1;
  pattern.lastIndex = start;
  const match = pattern.exec(text);
  if (match === null) return -1;
  const end = start + match[0].length;
  if (!isBoundary(text, end) || (text.charCodeAt(end) === 46 && isAlnumCode(text.charCodeAt(end + 1)))) return -1;
  // All-digit dashed runs (12-34-56-78-90-12) are more likely reference numbers.
  if (match[1] === '-' && !/[a-f]/i.test(match[0])) return -1;
  spans.push(span(start, end, 'MAC', 0.85, ID));
  return end;
}

/** Looks only where a separator sits two (or four) characters after a boundary. */
export function findMacs(text: string): Span[] {
  const spans: Span[] = [];
  for (const separator of [':', '-']) {
    let at = text.indexOf(separator);
    while (at !== -1) {
      const end = text.charCodeAt(at + 3) === text.charCodeAt(at) ? tryAt(text, at - 2, COLON_OR_DASH, spans) : -1;
      at = text.indexOf(separator, end === -1 ? at + 1 : end);
    }
  }
  let dot = text.indexOf('.');
  while (dot !== -1) {
    const end = text.charCodeAt(dot + 5) === 46 ? tryAt(text, dot - 4, DOTTED, spans) : -1;
    dot = text.indexOf('.', end === -1 ? dot + 1 : end);
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const macDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['MAC'],
  detect: findMacs,
};
