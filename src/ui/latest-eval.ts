/**
 * Where `veil eval` leaves its latest figures for the console's Detection page and the report:
 * `<dataDir>/eval/latest.json`, the `--json` output plus the time it was measured. The figures
 * are counts and rates per label: no text of the corpus is in them.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EvalReport } from '../eval/report.js';

export const EVAL_LATEST = join('eval', 'latest.json');

/** Writes the figures (atomically: a reader never sees half a file); returns the path. */
export async function writeLatestEval(dataDir: string, report: EvalReport, now = new Date()): Promise<string> {
  const path = join(dataDir, EVAL_LATEST);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ generated_at: now.toISOString(), ...report })}\n`, 'utf8');
  await rename(temporary, path);
  return path;
}

/** The parsed latest figures, or undefined when there are none (or no data dir). */
export async function readLatestEval(dataDir: string | undefined): Promise<unknown> {
  if (dataDir === undefined) return undefined;
  try {
    return JSON.parse(await readFile(join(dataDir, EVAL_LATEST), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
