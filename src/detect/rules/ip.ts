/**
 * IPv4 and IPv6 addresses. IPv6 candidates are validated by `node:net`, which knows every
 * compressed and IPv4-mapped form; version strings (1.2.3) and longer dotted runs are rejected.
 * @module
 */
import { isIPv6 } from 'node:net';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.ip';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?!\\.?\\d)(?:/(?:3[0-2]|[12]?\\d)(?!\\d))?`, 'g');
// Hex groups and colons only; validation happens afterwards, so the pattern stays linear.
const IPV6 = /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f.]*(?:%[0-9a-z]+)?/gi;

export function findIps(text: string): Span[] {
  const spans: Span[] = [];
  const hasDot = text.indexOf('.') !== -1;
  if (hasDot) {
    IPV4.lastIndex = 0;
    for (let match = IPV4.exec(text); match !== null; match = IPV4.exec(text)) {
      spans.push(span(match.index, match.index + match[0].length, 'IP', 0.9, ID));
    }
  }
  if (text.indexOf(':') === -1) return spans;
  IPV6.lastIndex = 0;
  for (let match = IPV6.exec(text); match !== null; match = IPV6.exec(text)) {
    let value = match[0];
    const zone = value.indexOf('%');
    const address = zone === -1 ? value : value.slice(0, zone);
    let candidate = address;
    // Sentence punctuation after the address.
    while (candidate.endsWith('.') || (candidate.endsWith(':') && !candidate.endsWith('::'))) candidate = candidate.slice(0, -1);
    if (!/\d/.test(candidate) || !isIPv6(candidate)) continue;
    // Clock times and ratios (10:30:00) are valid IPv6 only in theory; demand a '::' or 6+ groups.
    const groups = candidate.split(':').length;
    if (!candidate.includes('::') && groups < 6) continue;
    value = candidate.length === address.length ? value : candidate;
    const start = match.index;
    const end = start + value.length;
    if (spans.some((other) => start < other.end && end > other.start)) {
      // An IPv4-mapped address (::ffff:1.2.3.4) replaces its embedded IPv4 hit.
      for (let index = spans.length - 1; index >= 0; index--) {
        const other = spans[index];
        if (other !== undefined && start <= other.start && end >= other.end) spans.splice(index, 1);
      }
    }
    spans.push(span(start, end, 'IP', 0.9, ID));
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const ipDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['IP'],
  detect: findIps,
};
