/**
 * MAC addresses: six hex pairs with ':' or '-' (one separator throughout), or Cisco dotted form.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.mac';
const MAC = /(?<![\w:-])(?:[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})(?![\w:-]|\.\w)/gi;

export function findMacs(text: string): Span[] {
  const spans: Span[] = [];
  if (text.indexOf(':') === -1 && text.indexOf('-') === -1 && text.indexOf('.') === -1) return spans;
  MAC.lastIndex = 0;
  for (let match = MAC.exec(text); match !== null; match = MAC.exec(text)) {
    // All-digit dashed runs (12-34-56-78-90-12) are more likely reference numbers.
    if (!/[a-f]/i.test(match[0]) && match[1] !== ':') continue;
    spans.push(span(match.index, match.index + match[0].length, 'MAC', 0.85, ID));
  }
  return spans;
}

export const macDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['MAC'],
  detect: findMacs,
};
