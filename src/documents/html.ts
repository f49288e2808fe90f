/**
 * HTML chunker: text nodes and attribute values are masked, markup (tag names, attribute names,
 * comments' delimiters, doctype) is left byte for byte. Character references are decoded for
 * the detectors and the placeholder is written escaped (`&lt;&lt;EMAIL_1&gt;&gt;`) because a
 * bare `<EMAIL_1>` in a text node would open a tag.
 * @module
 */
import { readReference } from './html-entities.js';
import { DecodeBuffer, type Segment } from './segment.js';

/** Elements whose content is raw text: no tags, no references. */
const RAW_TEXT = new Set(['script', 'style']);
/** Elements whose content has references but no tags. */
const ESCAPABLE_RAW_TEXT = new Set(['textarea', 'title']);

export interface HtmlTag {
  readonly kind: 'start' | 'end';
  readonly name: string;
  readonly attributes: readonly string[];
}

export interface HtmlScan {
  readonly segments: Segment[];
  /** Tags in order, for tests that check markup survived masking. */
  readonly tags: HtmlTag[];
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\n' || char === '\t' || char === '\r' || char === '\f';
}

/** Decoded segment for source[from, to), with references resolved. */
function decoded(source: string, from: number, to: number): Segment {
  const buffer = new DecodeBuffer(from);
  let plainStart = from;
  for (let index = from; index < to; index++) {
    if (source.charCodeAt(index) !== 38 /* & */) continue;
    const reference = readReference(source, index);
    if (reference === undefined || index + reference.length > to) continue;
    if (index > plainStart) buffer.push(source.slice(plainStart, index), plainStart, index);
    buffer.push(reference.text, index, index + reference.length);
    index += reference.length - 1;
    plainStart = index + 1;
  }
  if (to > plainStart) buffer.push(source.slice(plainStart, to), plainStart, to);
  return buffer.finish(to, 'html');
}

function raw(source: string, from: number, to: number): Segment {
  return { start: from, end: to, text: source.slice(from, to), escape: 'none' };
}

function hasText(source: string, from: number, to: number): boolean {
  return /\S/.test(source.slice(from, to));
}

export function scanHtml(source: string): HtmlScan {
  const segments: Segment[] = [];
  const tags: HtmlTag[] = [];
  const length = source.length;
  let index = 0;
  let textStart = 0;
  const flushText = (to: number): void => {
    if (to > textStart && hasText(source, textStart, to)) segments.push(decoded(source, textStart, to));
  };
  while (index < length) {
    if (source.charCodeAt(index) !== 60 /* < */) {
      index++;
      continue;
    }
    const next = source.charCodeAt(index + 1);
    if (source.startsWith('<!--', index)) {
      flushText(index);
      const close = source.indexOf('-->', index + 4);
      const bodyEnd = close === -1 ? length : close;
      // Comments are not rendered but do leave with the file, so their text is masked too;
      // references are not decoded there, so the placeholder is written as is.
      if (hasText(source, index + 4, bodyEnd)) segments.push(raw(source, index + 4, bodyEnd));
      index = close === -1 ? length : close + 3;
      textStart = index;
      continue;
    }
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      flushText(index);
      const close = source.indexOf('>', index);
      index = close === -1 ? length : close + 1;
      textStart = index;
      continue;
    }
    const isEnd = next === 47; /* / */
    const nameStart = isEnd ? index + 2 : index + 1;
    if (!isAsciiLetter(source.charCodeAt(nameStart))) {
      index++;
      continue;
    }
    flushText(index);
    let cursor = nameStart;
    while (cursor < length && !isSpace(source[cursor]) && source[cursor] !== '>' && source[cursor] !== '/') cursor++;
    const name = source.slice(nameStart, cursor).toLowerCase();
    const attributes: string[] = [];
    // Attributes: name, optional `=` and a quoted or unquoted value.
    while (cursor < length && source[cursor] !== '>') {
      if (isSpace(source[cursor]) || source[cursor] === '/') {
        cursor++;
        continue;
      }
      const attrStart = cursor;
      while (cursor < length && !isSpace(source[cursor]) && !'>/='.includes(source[cursor] ?? '')) cursor++;
      if (cursor === attrStart) cursor++;
      attributes.push(source.slice(attrStart, cursor).toLowerCase());
      let look = cursor;
      while (isSpace(source[look])) look++;
      if (source[look] !== '=') continue;
      look++;
      while (isSpace(source[look])) look++;
      const quote = source[look];
      let valueStart: number;
      let valueEnd: number;
      if (quote === '"' || quote === "'") {
        valueStart = look + 1;
        const close = source.indexOf(quote, valueStart);
        valueEnd = close === -1 ? length : close;
        cursor = close === -1 ? length : close + 1;
      } else {
        valueStart = look;
        valueEnd = look;
        while (valueEnd < length && !isSpace(source[valueEnd]) && source[valueEnd] !== '>') valueEnd++;
        cursor = valueEnd;
      }
      if (!isEnd && hasText(source, valueStart, valueEnd)) segments.push(decoded(source, valueStart, valueEnd));
    }
    index = cursor < length ? cursor + 1 : length;
    tags.push({ kind: isEnd ? 'end' : 'start', name, attributes });
    textStart = index;
    if (!isEnd && (RAW_TEXT.has(name) || ESCAPABLE_RAW_TEXT.has(name))) {
      const closing = new RegExp(`</${name}`, 'ig');
      closing.lastIndex = index;
      const close = closing.exec(source)?.index ?? -1;
      const contentEnd = close === -1 ? length : close;
      if (hasText(source, index, contentEnd)) {
        segments.push(RAW_TEXT.has(name) ? raw(source, index, contentEnd) : decoded(source, index, contentEnd));
      }
      index = contentEnd;
      textStart = index;
    }
  }
  flushText(length);
  return { segments, tags };
}

export function htmlSegments(source: string): Segment[] {
  return scanHtml(source).segments;
}
