/**
 * Which labels a corpus annotates. Precision is only meaningful for those: a NER corpus that
 * marks PERSON/ORG/LOCATION leaves e-mails unlabelled, so an EMAIL detection there is not a
 * false positive. The list comes from `manifest.json` next to the file.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { evalInputError } from './reader.js';

export interface AnnotatedLabels {
  readonly labels: readonly string[];
  /** `manifest`: from manifest.json; `gold`: fell back to the labels seen in the gold spans. */
  readonly source: 'manifest' | 'gold';
}

/**
 * The `annotated_labels` of `file` in its directory's manifest.json, or `undefined` when there
 * is no manifest or the file is not listed (the caller then falls back to the gold labels).
 */
export async function readAnnotatedLabels(file: string): Promise<readonly string[] | undefined> {
  const manifestPath = join(dirname(file), 'manifest.json');
  let raw: string;
  try {
    raw = await readFile(manifestPath, 'utf8');
  } catch {
    return undefined;
  }
  return annotatedLabelsFromManifest(raw, basename(file), manifestPath);
}

/** Pure part of `readAnnotatedLabels`, for callers that already hold the manifest text. */
export function annotatedLabelsFromManifest(
  manifestText: string,
  fileName: string,
  manifestPath = 'manifest.json',
): readonly string[] | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch {
    throw evalInputError(manifestPath, 'invalid JSON');
  }
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const entry = (manifest as Record<string, unknown>)[fileName];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const labels = (entry as Record<string, unknown>)['annotated_labels'];
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((label): label is string => typeof label === 'string')) {
    throw evalInputError(manifestPath, `'annotated_labels' of ${fileName} is not a list of strings`);
  }
  return labels;
}
