/**
 * CSV chunker (RFC 4180 with the delimiter sniffed from the header). Cells are segments; a
 * column whose header names a kind of personal data (`email`, `ssn`, `phone`, `name`, ...) is
 * masked whole. The delimiter, quoting and line endings are never rewritten: masking replaces
 * cell contents in place, and a placeholder needs no quoting.
 * @module
 */
import { fieldType } from './field-types.js';
import { DecodeBuffer, type Segment } from './segment.js';

export interface CsvCell {
  readonly segment: Segment;
  readonly quoted: boolean;
}

export interface CsvTable {
  readonly delimiter: string;
  readonly rows: CsvCell[][];
}

const CANDIDATES = [',', ';', '\t', '|'];

/** The delimiter that occurs most in the first line outside quotes (comma by default). */
export function sniffDelimiter(source: string): string {
  let best = ',';
  let bestCount = 0;
  const newline = source.indexOf('\n');
  const head = source.slice(0, newline === -1 ? Math.min(source.length, 4096) : newline);
  for (const candidate of CANDIDATES) {
    let count = 0;
    let quoted = false;
    for (const char of head) {
      if (char === '"') quoted = !quoted;
      else if (!quoted && char === candidate) count++;
    }
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

export function parseCsv(source: string, delimiter = sniffDelimiter(source)): CsvTable {
  const rows: CsvCell[][] = [];
  let row: CsvCell[] = [];
  let index = 0;
  const length = source.length;
  if (length === 0) return { delimiter, rows };
  for (;;) {
    let cell: CsvCell;
    if (source[index] === '"') {
      const buffer = new DecodeBuffer(index + 1);
      let cursor = index + 1;
      let plainStart = cursor;
      for (;;) {
        const quote = source.indexOf('"', cursor);
        if (quote === -1) {
          cursor = length;
          break;
        }
        if (source[quote + 1] === '"') {
          if (quote > plainStart) buffer.push(source.slice(plainStart, quote), plainStart, quote);
          buffer.push('"', quote, quote + 2);
          cursor = quote + 2;
          plainStart = cursor;
          continue;
        }
        cursor = quote;
        break;
      }
      if (cursor > plainStart) buffer.push(source.slice(plainStart, cursor), plainStart, cursor);
      cell = { segment: buffer.finish(cursor, 'none'), quoted: true };
      index = Math.min(length, cursor + 1);
      // Anything between the closing quote and the delimiter is kept as written (lenient).
      while (index < length && source[index] !== delimiter && source[index] !== '\n' && source[index] !== '\r') index++;
    } else {
      let cursor = index;
      while (cursor < length && source[cursor] !== delimiter && source[cursor] !== '\n' && source[cursor] !== '\r') {
        cursor++;
      }
      cell = { segment: { start: index, end: cursor, text: source.slice(index, cursor), escape: 'none' }, quoted: false };
      index = cursor;
    }
    row.push(cell);
    if (index >= length) {
      rows.push(row);
      break;
    }
    if (source[index] === delimiter) {
      index++;
      continue;
    }
    // Line end: \n, \r\n or \r.
    index += source[index] === '\r' && source[index + 1] === '\n' ? 2 : 1;
    rows.push(row);
    row = [];
    if (index >= length) break;
  }
  return { delimiter, rows };
}

export function csvSegments(source: string): Segment[] {
  const { rows } = parseCsv(source);
  const header = rows[0] ?? [];
  const columnTypes = header.map((cell) => fieldType(cell.segment.text));
  const segments: Segment[] = [];
  rows.forEach((row, rowIndex) => {
    row.forEach((cell, column) => {
      const text = cell.segment.text;
      if (text.trim() === '') return;
      // The header row itself is data about the file, not about a person.
      const type = rowIndex === 0 ? undefined : columnTypes[column];
      segments.push(type === undefined || rowIndex === 0 ? cell.segment : { ...cell.segment, wholeType: type });
    });
  });
  return segments;
}
