/**
 * Runs one eval file through a masker and returns its report. The masker is a plain function so
 * the scoring can be exercised without the engine, and other surfaces can plug in their own.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { readAnnotatedLabels } from './manifest.js';
import { evalFileSize, readEvalFile } from './reader.js';
import { summarize, type FileReport } from './report.js';
import { EvalTally, scoreRecord, type RecordPrediction } from './scoring.js';

/** Masks one record's text as the gateway would. */
export type Masker = (text: string) => RecordPrediction | Promise<RecordPrediction>;

export interface EvalProgress {
  readonly file: string;
  readonly records: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface EvaluateOptions {
  /** `--labels`: report only these labels. */
  readonly labels?: readonly string[];
  /** Called every `progressEvery` records and once at the end. */
  readonly onProgress?: (progress: EvalProgress) => void;
  readonly progressEvery?: number;
}

/** Reads, masks and scores every record of `file`. Throws a bad-input `VeilError` on bad data. */
export async function evaluateFile(file: string, masker: Masker, options: EvaluateOptions = {}): Promise<FileReport> {
  const started = performance.now();
  const totalBytes = await evalFileSize(file);
  const annotatedLabels = await readAnnotatedLabels(file);
  const tally = new EvalTally(options.labels === undefined ? {} : { labels: options.labels });
  const every = options.progressEvery ?? 100;
  let bytesRead = 0;
  for await (const item of readEvalFile(file)) {
    const t0 = performance.now();
    let prediction: RecordPrediction;
    try {
      const pending = masker(item.record.text);
      // Only await real promises: a synchronous engine is timed without a microtask hop.
      prediction = pending instanceof Promise ? await pending : pending;
    } catch (error: unknown) {
      // Point at the record that broke the engine; the cause keeps the detail for debugging.
      throw new VeilError(VeilErrorCode.Internal, `${file}:${item.line}: masking failed`, {
        data: { file, line: item.line },
        cause: error,
      });
    }
    const ms = performance.now() - t0;
    tally.add(scoreRecord(item.record, prediction), ms);
    bytesRead = item.bytesRead;
    if (options.onProgress !== undefined && tally.records % every === 0) {
      options.onProgress({ file, records: tally.records, bytesRead, totalBytes });
    }
  }
  options.onProgress?.({ file, records: tally.records, bytesRead: totalBytes, totalBytes });
  return summarize(tally, {
    file,
    annotatedLabels,
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    seconds: (performance.now() - started) / 1000,
  });
}
