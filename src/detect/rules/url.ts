/**
 * URLs: `http(s)://...`, `www....`, and bare domains on common top-level domains. Trailing
 * sentence punctuation and unbalanced closing brackets are not part of the URL.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { isAlnumCode, span } from './rule-kit.js';

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

const ID = 'rules.url';

const URL_START = /(?<![\w@.\-/])(?:https?:\/\/|www\.)/gi;
// Bare domains are only taken on TLDs common in prose, never file extensions (md, py, sh, js).
const TLDS = new Set(
  ('com org net edu gov mil int info biz io ai app dev co uk us ca au nz de fr nl be ch at se dk fi es pt pl cz sk hu ' +
    'ie ru ua jp cn kr br ar mx za tn gr ro bg hr si lt lv ee lu tr il sg hk tw eu online site shop store tech cloud xyz').split(' '),
);
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,4}[a-z]{2,6}$/i;

function isHostChar(code: number): boolean {
  return isAlnumCode(code) || code === 45 || code === 46;
}

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

function insideAny(spans: readonly Span[], count: number, index: number): boolean {
  for (let i = 0; i < count; i++) {
    const other = spans[i];
    if (other !== undefined && index >= other.start && index < other.end) return true;
  }
  return false;
}

export function findUrls(text: string): Span[] {
  const spans: Span[] = [];
  if (text.indexOf('.') === -1) return spans;
  URL_START.lastIndex = 0;
  for (let match = URL_START.exec(text); match !== null; match = URL_START.exec(text)) {
    const start = match.index;
    let end = start + match[0].length;
    while (end < text.length && isUrlChar(text.charCodeAt(end))) end++;
    end = trimEnd(text, start + match[0].length, end);
    const host = text.slice(start + match[0].length, end);
    if (/^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|^\[?[0-9a-f:.]+\]?|^localhost/i.test(host)) {
      spans.push(span(start, end, 'URL', 0.95, ID));
    }
    URL_START.lastIndex = Math.max(end, start + 1);
  }
  const schemeSpans = spans.length;
  // Bare domains: grow the host around each dot whose right side is a known TLD.
  let dot = text.indexOf('.');
  while (dot !== -1) {
    let tldEnd = dot + 1;
    while (tldEnd < text.length && isLetter(text.charCodeAt(tldEnd))) tldEnd++;
    const tld = text.slice(dot + 1, tldEnd).toLowerCase();
    if (!TLDS.has(tld) || !isAlnumCode(text.charCodeAt(dot - 1)) || insideAny(spans, schemeSpans, dot)) {
      dot = text.indexOf('.', dot + 1);
      continue;
    }
    let start = dot - 1;
    while (start > 0 && isHostChar(text.charCodeAt(start - 1))) start--;
    let end = tldEnd;
    // A longer host (example.co.uk) or a file name (page.com.js): take the whole dotted run.
    while (end < text.length && isHostChar(text.charCodeAt(end))) end++;
    dot = text.indexOf('.', end);
    const before = text.charCodeAt(start - 1);
    if (before === 64 || before === 47 || before === 95 || isAlnumCode(before)) continue; // e-mail, path, identifier
    while (end > tldEnd && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    const host = text.slice(start, end);
    if (!HOST.test(host) || !TLDS.has(host.slice(host.lastIndexOf('.') + 1).toLowerCase())) continue;
    if (text.charCodeAt(end) === 47) {
      while (end < text.length && isUrlChar(text.charCodeAt(end))) end++;
      end = trimEnd(text, start, end);
    }
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
