/**
 * Streams an eval JSONL file one record at a time (readline), so a big corpus is never held in
 * memory; only the current line is.
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { parseRecordLine, RecordFormatError, type EvalRecord } from './record.js';

export interface ReadRecord {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly record: EvalRecord;
  /** Bytes of the file consumed so far, for progress. */
  readonly bytesRead: number;
}

/** A bad eval input: names the file and, when known, the line. Never quotes record text. */
export function evalInputError(file: string, reason: string, line?: number): VeilError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new VeilError(VeilErrorCode.BadInput, `${where}: ${reason}`, {
    data: line === undefined ? { file } : { file, line },
  });
}

/** Size of `file` in bytes; throws a bad-input `VeilError` when it is missing or not a file. */
export async function evalFileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    throw evalInputError(file, code === 'ENOENT' ? 'no such file' : `cannot read (${String(code)})`);
  }
  if (!info.isFile()) throw evalInputError(file, 'not a regular file');
  return info.size;
}

/** Yields the records of `file` in order. Blank lines are skipped but still counted. */
export async function* readEvalFile(file: string): AsyncGenerator<ReadRecord> {
  await evalFileSize(file);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim().length === 0) continue;
      let record: EvalRecord;
      try {
        record = parseRecordLine(text);
      } catch (error: unknown) {
        if (error instanceof RecordFormatError) throw evalInputError(file, error.message, line);
        throw error;
      }
      yield { line, record, bytesRead: stream.bytesRead };
    }
  } catch (error: unknown) {
    if (error instanceof VeilError) throw error;
    const code = (error as { code?: unknown }).code;
    throw evalInputError(file, `read failed (${String(code ?? 'unknown error')})`, line === 0 ? undefined : line);
  } finally {
    lines.close();
    stream.destroy();
  }
}
