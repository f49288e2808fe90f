/**
 * Random-looking strings right after a secret-ish word ("token", "api key", "secret", "bearer"):
 * long, mixed letters and digits, and above a Shannon entropy threshold, so ordinary words and
 * identifiers after those words are left alone.
 * @module
 */
import type { Span } from '../../core/span.js';
import { findContextWords } from '../context-words.js';
import type { Detector } from '../detector.js';
import { SECRET_CONTEXT } from './context.js';
import { shannonEntropy, span } from './rule-kit.js';

const ID = 'rules.high_entropy';
const TOKEN = /[A-Za-z0-9+/=_\-.~]{16,512}/g;
const BETWEEN = /^[\s"'`:=>]*(?:(?:is|was|of|bearer|token)\b[\s"'`:=]*)*$/i;
/** Bits per character: random base64/hex sits near 4-6, English words near 2.5-3.5. */
export const ENTROPY_THRESHOLD = 3.5;

export function findHighEntropySecrets(text: string): Span[] {
  const spans: Span[] = [];
  if (text.length < 20) return spans;
  for (const word of findContextWords(text, SECRET_CONTEXT)) {
    const window = text.slice(word.end, word.end + 600);
    TOKEN.lastIndex = 0;
    const match = TOKEN.exec(window);
    if (match === null || match.index > 40 || !BETWEEN.test(window.slice(0, match.index))) continue;
    let value = match[0];
    // "KEY=value": the = is the assignment, not the secret (base64 pads only at the end). The
    // keyword may sit inside the variable's name ("AWS_SECRET_ACCESS_KEY=..."): the rest of the
    // name goes too.
    const assignment = /^[_A-Za-z][\w.-]*=(?=[^=])|^=+/.exec(value);
    const lead = assignment === null ? 0 : assignment[0].length;
    value = value.slice(lead);
    while (value.endsWith('.') || value.endsWith('-')) value = value.slice(0, -1);
    if (value.length < 16 || !/\d/.test(value) || !/[A-Za-z]/.test(value)) continue;
    if (shannonEntropy(value) < ENTROPY_THRESHOLD) continue;
    const start = word.end + match.index + lead;
    if (spans.some((other) => other.start === start)) continue;
    spans.push(span(start, start + value.length, 'SECRET', 0.8, ID));
  }
  return spans;
}

export const highEntropyDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['SECRET'],
  detect: findHighEntropySecrets,
};
