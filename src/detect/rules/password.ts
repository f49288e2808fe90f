/**
 * Passwords written as assignments (`password=...`, `pwd: ...`, `"password": "..."`) and the
 * credentials inside connection strings (`postgres://user:pass@host`). Only the value is masked,
 * so the reader still sees which field it was.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.password';
const ASSIGNMENT =
  /(?<![A-Za-z0-9])(?:password|passwd|pass|pwd|passphrase|pw|secret|client_secret|db_pass(?:word)?|[a-z_]*_password)["']?\s{0,3}(?:[:=]|=>)\s{0,3}/gi;
const CONNECTION = /\b[a-z][a-z0-9+.-]{1,24}:\/\/([^\s:/@?#]{1,128}):([^\s@/?#]{1,256})@[^\s/]/gi;
const PLACEHOLDER = /^(?:\*+|x+|\.{3}|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%s|null|none|true|false|undefined|required|optional|string)$/i;

export function findPasswords(text: string): Span[] {
  const spans: Span[] = [];
  ASSIGNMENT.lastIndex = 0;
  for (let match = ASSIGNMENT.exec(text); match !== null; match = ASSIGNMENT.exec(text)) {
    let start = match.index + match[0].length;
    const quote = text[start];
    let end: number;
    if (quote === '"' || quote === "'" || quote === '`') {
      start++;
      end = text.indexOf(quote, start);
      if (end === -1 || end - start > 256) continue;
    } else {
      end = start;
      while (end < text.length && end - start < 256 && !/[\s,;&"'<>)}\]]/.test(text[end] ?? ' ')) end++;
      // A sentence-final period is punctuation.
      if (end > start + 1 && text[end - 1] === '.') end--;
    }
    const value = text.slice(start, end);
    if (value.length < 3 || PLACEHOLDER.test(value)) continue;
    spans.push(span(start, end, 'SECRET', 0.9, ID));
    ASSIGNMENT.lastIndex = end;
  }
  if (text.indexOf('://') !== -1) {
    CONNECTION.lastIndex = 0;
    for (let match = CONNECTION.exec(text); match !== null; match = CONNECTION.exec(text)) {
      const password = match[2] ?? '';
      const start = match.index + match[0].length - 2 - password.length;
      if (PLACEHOLDER.test(password) || spans.some((other) => other.start === start)) continue;
      spans.push(span(start, start + password.length, 'SECRET', 0.95, ID));
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const passwordDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['SECRET'],
  detect: findPasswords,
};
