/**
 * A small, deterministic engine for the document tests: the chunkers must be checked against
 * detectors whose behaviour does not move while the rule set is being written elsewhere.
 */
import type { Span } from '../../src/core/span.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { Detector } from '../../src/detect/detector.js';
import { Veil } from '../../src/engine.js';

const PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['EMAIL', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g],
  ['PHONE', /\+1 \d{3} \d{3} \d{4}/g],
  ['SSN', /\b\d{3}-\d{2}-\d{4}\b/g],
  ['CREDIT_CARD', /\b(?:\d{4} ){3}\d{4}\b/g],
  ['IBAN', /\bGB\d{2}(?: [A-Z0-9]{4}){4} \d{2}\b/g],
];

export const testDetector: Detector = {
  id: 'test.regex',
  tier: 'rules',
  types: PATTERNS.map(([type]) => type),
  detect(text: string): Span[] {
    const spans: Span[] = [];
    for (const [type, pattern] of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        spans.push({ start: match.index, end: match.index + match[0].length, type, score: 0.9, detector: 'test.regex' });
      }
    }
    return spans;
  },
};

export function testVeil(): Veil {
  return new Veil({ engine: new DetectionEngine({ detectors: [testDetector] }) });
}
