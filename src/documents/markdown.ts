/**
 * Markdown chunker. Markdown is text to the detectors, with one structure worth knowing: a pipe
 * table whose header names personal data (`| Name | Email |`) has those columns masked whole, as
 * in CSV. Everything else, table syntax included, is scanned as running text; placeholders hold
 * no character Markdown treats as syntax there, so the document keeps its structure.
 * @module
 */
import { fieldType } from './field-types.js';
import type { Segment } from './segment.js';

interface Line {
  readonly start: number;
  /** End of the content, before `\r\n` or `\n`. */
  readonly end: number;
  readonly text: string;
}

function linesOf(source: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= source.length) {
    const newline = source.indexOf('\n', start);
    const lineEnd = newline === -1 ? source.length : newline;
    const end = lineEnd > start && source[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    lines.push({ start, end, text: source.slice(start, end) });
    if (newline === -1) break;
    start = newline + 1;
  }
  return lines;
}

const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;
const FENCE = /^\s{0,3}(?:```|~~~)/;

/** Cell ranges of a table row (source offsets), leading and trailing pipes dropped. */
function cellsOf(line: Line): Array<[number, number]> {
  const cells: Array<[number, number]> = [];
  let cellStart = line.start;
  for (let index = line.start; index <= line.end; index++) {
    const atEnd = index === line.end;
    const char = atEnd ? '|' : line.text[index - line.start];
    if (char === '\\' && !atEnd) {
      index++;
      continue;
    }
    if (char !== '|') continue;
    cells.push([cellStart, index]);
    cellStart = index + 1;
  }
  const isBlank = ([from, to]: [number, number]): boolean => line.text.slice(from - line.start, to - line.start).trim() === '';
  if (line.text.trimStart().startsWith('|') && cells.length > 0 && isBlank(cells[0] as [number, number])) cells.shift();
  if (line.text.trimEnd().endsWith('|') && cells.length > 0 && isBlank(cells[cells.length - 1] as [number, number])) cells.pop();
  return cells;
}

export function markdownSegments(source: string): Segment[] {
  if (source === '') return [];
  const lines = linesOf(source);
  // Cells of typed columns, in source order.
  const typed: Array<{ start: number; end: number; type: string }> = [];
  let fenced = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as Line;
    if (FENCE.test(line.text)) {
      fenced = !fenced;
      continue;
    }
    const next = lines[index + 1];
    if (fenced || next === undefined || !line.text.includes('|') || !DELIMITER_ROW.test(next.text) || !next.text.includes('-')) continue;
    const columnTypes = cellsOf(line).map(([from, to]) => fieldType(source.slice(from, to)));
    if (!columnTypes.some((type) => type !== undefined)) continue;
    let row = index + 2;
    for (; row < lines.length; row++) {
      const body = lines[row] as Line;
      if (body.text.trim() === '' || !body.text.includes('|')) break;
      cellsOf(body).forEach(([from, to], column) => {
        const type = columnTypes[column];
        if (type !== undefined && source.slice(from, to).trim() !== '') typed.push({ start: from, end: to, type });
      });
    }
    index = row - 1;
  }
  // Running text between the typed cells.
  const segments: Segment[] = [];
  let last = 0;
  for (const cell of typed) {
    if (cell.start > last) segments.push({ start: last, end: cell.start, text: source.slice(last, cell.start), escape: 'none' });
    segments.push({ start: cell.start, end: cell.end, text: source.slice(cell.start, cell.end), escape: 'none', wholeType: cell.type });
    last = cell.end;
  }
  if (last < source.length) segments.push({ start: last, end: source.length, text: source.slice(last), escape: 'none' });
  return segments;
}
