/**
 * URLs: `http(s)://...`, `www....`, and bare domains on common top-level domains. Trailing
 * sentence punctuation and unbalanced closing brackets are not part of the URL.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.url';

const URL_START = /(?<![\w@.\-/])(?:https?:\/\/|www\.)/gi;
// Bare domains are only taken on TLDs common in prose, never file extensions (md, py, sh, js).
const BARE_DOMAIN =
  /(?<![\w@.\-/])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,4}(?:com|org|net|edu|gov|mil|int|info|biz|io|ai|app|dev|co|uk|us|ca|au|nz|de|fr|nl|be|ch|at|se|dk|fi|es|pt|pl|cz|sk|hu|ie|ru|ua|jp|cn|kr|br|ar|mx|za|tn|gr|ro|bg|hr|si|lt|lv|ee|lu|tr|il|sg|hk|tw|eu|online|site|shop|store|tech|cloud|xyz)(?![\w-]|\.[a-z0-9])(?:\/[^\s<>"'`]*)?/gi;

function isUrlChar(code: number): boolean {
  // Anything but whitespace, quotes, angle brackets, backticks and control characters.
  return code > 32 && code !== 34 && code !== 39 && code !== 60 && code !== 62 && code !== 96 && code !== 127;
}

const TRAILING = new Set([46, 44, 59, 58, 33, 63, 42, 95]); // . , ; : ! ? * _

function trimEnd(text: string, start: number, end: number): number {
  for (;;) {
    if (end <= start) return end;
    const code = text.charCodeAt(end - 1);
    if (TRAILING.has(code)) {
      end--;
      continue;
    }
    const open = code === 41 ? '(' : code === 93 ? '[' : code === 125 ? '{' : '';
    if (open !== '') {
      const body = text.slice(start, end);
      const close = body[body.length - 1] ?? '';
      if (body.split(open).length < body.split(close).length) {
        end--;
        continue;
      }
    }
    return end;
  }
}

export function findUrls(text: string): Span[] {
  const spans: Span[] = [];
  if (text.indexOf('.') === -1) return spans;
  let covered = 0;
  URL_START.lastIndex = 0;
  for (let match = URL_START.exec(text); match !== null; match = URL_START.exec(text)) {
    const start = match.index;
    let end = start + match[0].length;
    while (end < text.length && isUrlChar(text.charCodeAt(end))) end++;
    end = trimEnd(text, start + match[0].length, end);
    const host = text.slice(start + match[0].length, end);
    if (/^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|^\[?[0-9a-f:.]+\]?|^localhost/i.test(host)) {
      spans.push(span(start, end, 'URL', 0.95, ID));
      covered = end;
    }
    URL_START.lastIndex = Math.max(end, start + 1);
  }
  BARE_DOMAIN.lastIndex = 0;
  for (let match = BARE_DOMAIN.exec(text); match !== null; match = BARE_DOMAIN.exec(text)) {
    const start = match.index;
    if (start < covered && spans.some((other) => start >= other.start && start < other.end)) continue;
    const end = trimEnd(text, start, start + match[0].length);
    spans.push(span(start, end, 'URL', 0.7, ID));
  }
  return spans;
}

export const urlDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['URL'],
  detect: findUrls,
};
