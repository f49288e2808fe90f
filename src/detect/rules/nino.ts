/**
 * UK National Insurance numbers: two letters, six digits, a letter A–D ("QQ 12 34 56 C"). The
 * prefix rules HMRC publishes (no D, F, I, Q, U or V first; no D, F, I, O, Q, U or V second; not
 * BG, GB, KN, NK, NT, TN or ZZ) make the bare pattern specific enough to take alone; next to
 * an NI word any two letters are taken, since forms and examples use the reserved ones too.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { NINO_CONTEXT } from './context.js';
import { span } from './rule-kit.js';

const ID = 'rules.nino';
const CANDIDATE = /\b([A-Z]{2}) ?\d{2}( ?)\d{2}\2\d{2}\2[A-D]\b/gi;
const VALID_PREFIX = /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]$/;

export function findNinos(text: string): Span[] {
  const spans: Span[] = [];
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    // Upper case only, unless an NI word vouches for it.
    const context = hasContext(text, start, end, NINO_CONTEXT);
    const upper = match[0] === match[0].toUpperCase();
    if (context) spans.push(span(start, end, 'NINO', 0.95, ID));
    else if (upper && VALID_PREFIX.test(match[1] ?? '')) spans.push(span(start, end, 'NINO', 0.8, ID));
  }
  return spans;
}

export const ninoDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['NINO'],
  detect: findNinos,
};
