/**
 * E-mail addresses read out: "john dot smith at gmail dot com", "j underscore doe at acme dot co
 * dot uk". At least one "dot" must be spoken, so "meet me at noon" stays text.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.spoken_email';
const WORD = '[a-z0-9]+';
// Repetitions are bounded so that a long run of "a dot a dot …" costs linear time, not quadratic.
const LOCAL = `${WORD}(?:\\s+(?:dot|underscore|dash|hyphen|plus)\\s+${WORD}|[._-]${WORD}){0,8}`;
const DOT = '(?:\\s+dot\\s+|\\.)';
const TOP_LEVEL =
  '(?:com|org|net|edu|gov|mil|int|io|co|uk|us|ca|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|ie|pl|pt|br|mx|au|nz|in|jp|cn|za|eu|info|biz|me|ai|app|dev|tech|online)';
const SPOKEN_EMAIL = new RegExp(`\\b${LOCAL}\\s+(?:at|at sign|@)\\s+${WORD}(?:${DOT}${WORD}){0,6}${DOT}${TOP_LEVEL}\\b`, 'gi');
const SPOKEN_DOT = /\sdot\s/i;

export function findSpokenEmails(text: string): Span[] {
  const spans: Span[] = [];
  if (!SPOKEN_DOT.test(text)) return spans;
  SPOKEN_EMAIL.lastIndex = 0;
  for (let match = SPOKEN_EMAIL.exec(text); match !== null; match = SPOKEN_EMAIL.exec(text)) {
    if (!SPOKEN_DOT.test(match[0])) continue;
    spans.push(span(match.index, match.index + match[0].length, 'EMAIL', 0.85, ID));
  }
  return spans;
}

export const spokenEmailDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['EMAIL'],
  detect: findSpokenEmails,
};
