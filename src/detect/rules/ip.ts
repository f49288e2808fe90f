/**
 * IPv4 and IPv6 addresses. IPv6 candidates are validated by `node:net`, which knows every
 * compressed and IPv4-mapped form; version strings (1.2.3) and longer dotted runs are rejected.
 * @module
 */
import { isIPv6 } from 'node:net';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { isAlnumCode, isWordCharAt, span } from './rule-kit.js';

const ID = 'rules.ip';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?!\\.?\\d)(?:/(?:3[0-2]|[12]?\\d)(?!\\d))?`, 'g');

function isIpv6Char(code: number): boolean {
  return (code >= 48 && code <= 58) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102) || code === 46;
}

export function findIps(text: string): Span[] {
  const spans: Span[] = [];
  const hasDot = text.indexOf('.') !== -1;
  if (hasDot) {
    IPV4.lastIndex = 0;
    for (let match = IPV4.exec(text); match !== null; match = IPV4.exec(text)) {
      spans.push(span(match.index, match.index + match[0].length, 'IP', 0.9, ID));
    }
  }
  // IPv6: grow a run of hex digits, colons and dots around each ':' (cheaper than a regex that
  // would try every hex letter of the prose) and let node:net judge it.
  let colon = text.indexOf(':');
  while (colon !== -1) {
    let start = colon;
    while (start > 0 && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isIpv6Char(text.charCodeAt(end))) end++;
    colon = text.indexOf(':', end);
    if (isWordCharAt(text, start - 1)) continue;
    let candidate = text.slice(start, end);
    // Sentence punctuation after the address.
    while (candidate.endsWith('.') || (candidate.endsWith(':') && !candidate.endsWith('::'))) candidate = candidate.slice(0, -1);
    let stop = start + candidate.length;
    if (text.charCodeAt(stop) === 37) {
      // Zone index: fe80::1%eth0
      let zoneEnd = stop + 1;
      while (zoneEnd < text.length && isAlnumCode(text.charCodeAt(zoneEnd))) zoneEnd++;
      if (zoneEnd > stop + 1) stop = zoneEnd;
    } else if (isWordCharAt(text, stop)) continue;
    if (!/\d/.test(candidate) || !isIPv6(candidate)) continue;
    // Clock times and ratios (10:30:00) are valid IPv6 only in theory; demand a '::' or 6+ groups.
    if (!candidate.includes('::') && candidate.split(':').length < 6) continue;
    // An IPv4-mapped address (::ffff:1.2.3.4) replaces its embedded IPv4 hit.
    for (let index = spans.length - 1; index >= 0; index--) {
      const other = spans[index];
      if (other !== undefined && start <= other.start && stop >= other.end) spans.splice(index, 1);
    }
    spans.push(span(start, stop, 'IP', 0.9, ID));
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const ipDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['IP'],
  detect: findIps,
};
