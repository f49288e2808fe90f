/**
 * One record of the eval format (see shared/eval/README.md), parsed and checked. Gold spans
 * come out in UTF-16 offsets so they compare directly with Veil's spans.
 *
 * Error reasons never quote the record: corpora may hold real personal data, and a message ends
 * up in terminals and CI logs.
 * @module
 */
import { codePointLength, codePointsToUtf16 } from './offsets.js';

export interface GoldSpan {
  /** UTF-16 offsets into `text`, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

export interface EvalRecord {
  readonly id: string | undefined;
  readonly text: string;
  /** Sorted as in the file (by start). */
  readonly spans: readonly GoldSpan[];
}

/** A record that cannot be used; `reason` is safe to print. */
export class RecordFormatError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RecordFormatError';
  }
}

/** Parses one JSONL line. Throws `RecordFormatError` with a printable reason. */
export function parseRecordLine(line: string): EvalRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // JSON.parse's own message quotes the input, which may be personal data.
    throw new RecordFormatError('invalid JSON');
  }
  return toRecord(value);
}

/** Checks an already parsed value against the record format. */
export function toRecord(value: unknown): EvalRecord {
  if (!isObject(value)) throw new RecordFormatError('record is not a JSON object');
  const text = value['text'];
  if (typeof text !== 'string') throw new RecordFormatError("missing or non-string 'text'");
  const id = typeof value['id'] === 'string' ? value['id'] : undefined;
  const rawSpans = value['spans'] ?? [];
  if (!Array.isArray(rawSpans)) throw new RecordFormatError("'spans' is not an array");
  const useUtf16 = value['has_astral'] === true;
  const spans = rawSpans.map((raw: unknown, index) => toGoldSpan(raw, index, text, useUtf16));
  return { id, text, spans };
}

function toGoldSpan(raw: unknown, index: number, text: string, useUtf16: boolean): GoldSpan {
  const where = `span ${index}`;
  if (!isObject(raw)) throw new RecordFormatError(`${where} is not an object`);
  const label = raw['label'];
  if (typeof label !== 'string' || label.length === 0) throw new RecordFormatError(`${where}: missing 'label'`);
  const cpStart = offsetField(raw, 'start', where);
  const cpEnd = offsetField(raw, 'end', where);
  if (cpEnd <= cpStart) throw new RecordFormatError(`${where}: end ${cpEnd} is not after start ${cpStart}`);
  let start: number;
  let end: number;
  if (useUtf16 && raw['start16'] !== undefined && raw['end16'] !== undefined) {
    start = offsetField(raw, 'start16', where);
    end = offsetField(raw, 'end16', where);
    if (end <= start || end > text.length) {
      throw new RecordFormatError(`${where} out of range: start16 ${start}, end16 ${end}, text length ${text.length}`);
    }
  } else {
    const [s, e] = codePointsToUtf16(text, [cpStart, cpEnd]);
    if (s === undefined || e === undefined) {
      throw new RecordFormatError(
        `${where} out of range: end ${cpEnd} > text length ${codePointLength(text)} (code points)`,
      );
    }
    start = s;
    end = e;
  }
  // The converter guarantees text[start:end] == span.text; checking it catches offset-unit mixups.
  const expected = raw['text'];
  if (typeof expected === 'string' && text.slice(start, end) !== expected) {
    throw new RecordFormatError(`${where}: offsets ${cpStart}..${cpEnd} do not match the span's 'text'`);
  }
  return { start, end, label };
}

function offsetField(raw: Record<string, unknown>, name: string, where: string): number {
  const value = raw[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RecordFormatError(`${where}: '${name}' is not a non-negative integer`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
