/**
 * PEM private-key blocks, masked whole from BEGIN to END line (or to the end of the base64 body
 * when the END line was cut off).
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.private_key';
const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
const BODY_END = /[^A-Za-z0-9+/=\s:,-]/g;

export function findPrivateKeys(text: string): Span[] {
  const spans: Span[] = [];
  if (text.indexOf('-----BEGIN') === -1) return spans;
  BEGIN.lastIndex = 0;
  for (let match = BEGIN.exec(text); match !== null; match = BEGIN.exec(text)) {
    const start = match.index;
    const footer = `-----END ${match[1] ?? ''}-----`;
    const footerAt = text.indexOf(footer, start + match[0].length);
    let end: number;
    if (footerAt !== -1) end = footerAt + footer.length;
    else {
      BODY_END.lastIndex = start + match[0].length;
      const stop = BODY_END.exec(text);
      end = stop === null ? text.length : stop.index;
      while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
    }
    spans.push(span(start, end, 'SECRET', 0.99, ID));
    BEGIN.lastIndex = end;
  }
  return spans;
}

export const privateKeyDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['SECRET'],
  detect: findPrivateKeys,
};
