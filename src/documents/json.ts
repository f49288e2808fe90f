/**
 * JSON and JSONL chunkers. Keys are kept; every string leaf is a segment, decoded from its JSON
 * escapes and tagged with the nearest key so that `"email": "..."` is masked whole. Numbers,
 * booleans and nulls are left alone: turning a number into a string would change the file's
 * types, so numeric identifiers are for policy to handle.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { fieldType } from './field-types.js';
import { DecodeBuffer, type Segment } from './segment.js';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Reads the string literal whose opening quote is at `open`; returns the segment and its end. */
function readString(source: string, open: number): { segment: Segment; next: number } {
  const buffer = new DecodeBuffer(open + 1);
  let plainStart = open + 1;
  let index = open + 1;
  for (;;) {
    const char = source[index];
    if (char === undefined) throw new VeilError(VeilErrorCode.BadInput, 'unterminated JSON string');
    if (char === '"') break;
    if (char !== '\\') {
      index++;
      continue;
    }
    if (index > plainStart) buffer.push(source.slice(plainStart, index), plainStart, index);
    const kind = source[index + 1] ?? '';
    if (kind === 'u') {
      buffer.push(String.fromCharCode(Number.parseInt(source.slice(index + 2, index + 6), 16)), index, index + 6);
      index += 6;
    } else {
      buffer.push(SIMPLE_ESCAPES[kind] ?? kind, index, index + 2);
      index += 2;
    }
    plainStart = index;
  }
  if (index > plainStart) buffer.push(source.slice(plainStart, index), plainStart, index);
  return { segment: buffer.finish(index, 'none'), next: index + 1 };
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** Key of the object member or of the array itself, for header-aware leaves. */
  key: string | undefined;
  expectKey: boolean;
}

/** String leaves of one JSON text starting at `base` (already validated by JSON.parse). */
function scanJson(source: string, from: number, to: number, segments: Segment[]): void {
  const stack: Frame[] = [];
  let index = from;
  while (index < to) {
    const char = source[index];
    const top = stack[stack.length - 1];
    if (char === '"') {
      const { segment, next } = readString(source, index);
      if (top?.kind === 'object' && top.expectKey) {
        top.key = segment.text;
        top.expectKey = false;
      } else if (segment.text.trim() !== '') {
        const type = top?.key === undefined ? undefined : fieldType(top.key);
        segments.push(type === undefined ? segment : { ...segment, wholeType: type });
      }
      index = next;
      continue;
    }
    if (char === '{' || char === '[') {
      // A nested container inherits the key it sits under: `"emails": ["a@x", "b@y"]`.
      stack.push({ kind: char === '{' ? 'object' : 'array', key: top?.key, expectKey: char === '{' });
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',' && top?.kind === 'object') {
      top.expectKey = true;
    }
    index++;
  }
}

function parseOrThrow(text: string, where: string): void {
  try {
    JSON.parse(text);
  } catch (error: unknown) {
    // V8's message quotes the input, which may be the very data being protected: report the
    // position only.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const at = position === undefined ? '' : ` at character ${Number(position) + 1}`;
    throw new VeilError(VeilErrorCode.BadInput, `invalid JSON${where}${at}`);
  }
}

export function jsonSegments(source: string): Segment[] {
  // A byte-order mark is kept in the output but is not JSON to JSON.parse.
  const from = source.startsWith('\uFEFF') ? 1 : 0;
  parseOrThrow(source.slice(from), '');
  const segments: Segment[] = [];
  scanJson(source, from, source.length, segments);
  return segments;
}

export function jsonlSegments(source: string): Segment[] {
  const segments: Segment[] = [];
  let lineStart = 0;
  let lineNumber = 1;
  while (lineStart <= source.length) {
    const newline = source.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? source.length : newline;
    const line = source.slice(lineStart, lineEnd);
    if (line.trim() !== '') {
      parseOrThrow(line, ` on line ${lineNumber}`);
      scanJson(source, lineStart, lineEnd, segments);
    }
    if (newline === -1) break;
    lineStart = newline + 1;
    lineNumber++;
  }
  return segments;
}
