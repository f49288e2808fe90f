/**
 * E-mail addresses. Scans outward from each '@' instead of running a regex over the whole text,
 * so the cost is linear in the text and zero for texts without '@'.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { isAlnumCode, span } from './rule-kit.js';

const ID = 'rules.email';
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,22}[a-z0-9]$/i;

function isLocalChar(code: number): boolean {
  // Letters, digits and the specials that real addresses use: . _ % + - '
  return isAlnumCode(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45 || code === 39;
}

function isDomainChar(code: number): boolean {
  return isAlnumCode(code) || code === 46 || code === 45;
}

/**
 * `scheme://user:password@host`: the part before '@' is a URL's credentials, not a mailbox (the
 * password rule takes the password).
 */
function isUrlUserInfo(text: string, start: number): boolean {
  return text.charCodeAt(start - 1) === 58 && /[a-z][a-z0-9+.-]*:\/\/[^\s/@]*:$/i.test(text.slice(Math.max(0, start - 128), start));
}

export function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  let at = text.indexOf('@');
  let lastEnd = 0;
  while (at !== -1) {
    let start = at;
    while (start > lastEnd && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
    while (start < at && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 39)) start++;
    let end = at + 1;
    while (end < text.length && end - at < 255 && isDomainChar(text.charCodeAt(end))) end++;
    // A sentence-final dot or hyphen is punctuation, not part of the domain.
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    if (start < at && end > at + 1 && text.charCodeAt(at - 1) !== 46 && !isUrlUserInfo(text, start) && DOMAIN.test(text.slice(at + 1, end))) {
      spans.push(span(start, end, 'EMAIL', 0.95, ID));
      lastEnd = end;
    }
    at = text.indexOf('@', Math.max(at + 1, end));
  }
  return spans;
}

export const emailDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['EMAIL'],
  detect: findEmails,
};
