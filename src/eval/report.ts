/**
 * Turns a finished tally into the report of one file, and renders reports as the `--json`
 * object or as aligned text tables. Pure: no I/O.
 * @module
 */
import { percentile, ratio, type EvalTally, type LabelCounts } from './scoring.js';

export interface LabelReport {
  readonly gold: number;
  readonly found: number;
  readonly found_strict: number;
  readonly recall: number | null;
  readonly recall_strict: number | null;
  /** Predictions scored as this label; `null` when the corpus does not annotate it. */
  readonly predicted: number | null;
  readonly false_positives: number | null;
  readonly precision: number | null;
  readonly span_leak_rate: number | null;
  readonly token_leak_rate: number | null;
}

export interface OverallReport {
  readonly gold: number;
  readonly recall: number | null;
  readonly recall_strict: number | null;
  readonly predicted: number;
  readonly false_positives: number;
  readonly precision: number | null;
  readonly span_leak_rate: number | null;
  readonly token_leak_rate: number | null;
  /** Share of span-free records that got at least one mask. */
  readonly over_masking_rate: number | null;
  /** Like `over_masking_rate`, counting only masks of annotated labels. */
  readonly over_masking_rate_annotated: number | null;
  /** Masked characters / all characters, over span-free records. */
  readonly over_masked_char_rate: number | null;
  readonly span_free_records: number;
  /** Predictions of labels the corpus does not annotate: neither right nor wrong, just counted. */
  readonly unscored_predictions: Readonly<Record<string, number>>;
}

export interface FileReport {
  readonly file: string;
  readonly records: number;
  readonly records_with_spans: number;
  /** Labels precision is counted on, and where that list came from. */
  readonly annotated_labels: readonly string[];
  readonly annotated_labels_source: 'manifest' | 'gold';
  readonly labels: Readonly<Record<string, LabelReport>>;
  readonly overall: OverallReport;
  readonly latency_ms: { readonly p50: number | null; readonly p95: number | null };
  readonly seconds: number;
}

export interface EvalReport {
  readonly files: readonly FileReport[];
}

export interface SummarizeOptions {
  readonly file: string;
  /** From manifest.json; `undefined` falls back to the labels present in the gold spans. */
  readonly annotatedLabels: readonly string[] | undefined;
  /** `--labels`: report exactly these, in this order. */
  readonly labels?: readonly string[];
  readonly seconds?: number;
}

const EMPTY: LabelCounts = { gold: 0, found: 0, foundStrict: 0, leaked: 0, words: 0, leakedWords: 0, predicted: 0, falsePositives: 0 };

/** The report of one file from its tally. */
export function summarize(tally: EvalTally, options: SummarizeOptions): FileReport {
  const goldLabels = [...tally.perLabel].filter(([, counts]) => counts.gold > 0).map(([label]) => label);
  const annotated = options.annotatedLabels ?? goldLabels;
  const annotatedSet = new Set(annotated);
  const reported =
    options.labels ??
    [...new Set([...goldLabels, ...annotated])].sort(
      (a, b) => (tally.perLabel.get(b)?.gold ?? 0) - (tally.perLabel.get(a)?.gold ?? 0) || a.localeCompare(b),
    );

  const labels: Record<string, LabelReport> = {};
  const total: LabelCounts = { ...EMPTY };
  const unscored: Record<string, number> = {};
  for (const label of reported) {
    const counts = tally.perLabel.get(label) ?? EMPTY;
    const scored = annotatedSet.has(label);
    labels[label] = {
      gold: counts.gold,
      found: counts.found,
      found_strict: counts.foundStrict,
      recall: ratio(counts.found, counts.gold),
      recall_strict: ratio(counts.foundStrict, counts.gold),
      predicted: scored ? counts.predicted : null,
      false_positives: scored ? counts.falsePositives : null,
      precision: scored ? ratio(counts.predicted - counts.falsePositives, counts.predicted) : null,
      span_leak_rate: ratio(counts.leaked, counts.gold),
      token_leak_rate: ratio(counts.leakedWords, counts.words),
    };
  }
  // Totals run over every counted label, not only the listed ones, so that gold spans of a label
  // missing from the manifest still count towards recall and leaks.
  for (const [label, counts] of tally.perLabel) {
    total.gold += counts.gold;
    total.found += counts.found;
    total.foundStrict += counts.foundStrict;
    total.leaked += counts.leaked;
    total.words += counts.words;
    total.leakedWords += counts.leakedWords;
    if (annotatedSet.has(label)) {
      total.predicted += counts.predicted;
      total.falsePositives += counts.falsePositives;
    } else if (counts.predicted > 0) {
      unscored[label] = counts.predicted;
    }
  }
  return {
    file: options.file,
    records: tally.records,
    records_with_spans: tally.recordsWithSpans,
    annotated_labels: [...annotated],
    annotated_labels_source: options.annotatedLabels === undefined ? 'gold' : 'manifest',
    labels,
    overall: {
      gold: total.gold,
      recall: ratio(total.found, total.gold),
      recall_strict: ratio(total.foundStrict, total.gold),
      predicted: total.predicted,
      false_positives: total.falsePositives,
      precision: ratio(total.predicted - total.falsePositives, total.predicted),
      span_leak_rate: ratio(total.leaked, total.gold),
      token_leak_rate: ratio(total.leakedWords, total.words),
      over_masking_rate: ratio(tally.spanFreeMasked, tally.spanFree),
      over_masking_rate_annotated: ratio(overMaskedAnnotated(tally, annotatedSet), tally.spanFree),
      over_masked_char_rate: ratio(tally.spanFreeMaskedChars, tally.spanFreeChars),
      span_free_records: tally.spanFree,
      unscored_predictions: unscored,
    },
    latency_ms: { p50: round(percentile(tally.latenciesMs, 0.5), 4), p95: round(percentile(tally.latenciesMs, 0.95), 4) },
    seconds: round(options.seconds ?? 0, 3) ?? 0,
  };
}

function overMaskedAnnotated(tally: EvalTally, annotated: ReadonlySet<string>): number {
  let records = 0;
  for (const [key, count] of tally.spanFreeMaskedByLabels) {
    if (key.split(',').some((label) => annotated.has(label))) records += count;
  }
  return records;
}

function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The `--json` output: one object, one line. */
export function formatJson(report: EvalReport): string {
  return `${JSON.stringify(report)}\n`;
}

const DASH = '-';

function fixed(value: number | null, digits = 3): string {
  return value === null ? DASH : value.toFixed(digits);
}

function percent(value: number | null): string {
  return value === null ? DASH : `${(value * 100).toFixed(1)}%`;
}

/** Lays out rows with the first column left-aligned and the others right-aligned. */
export function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Human-readable report: one table per file. */
export function formatTable(report: EvalReport): string {
  return report.files.map(formatFile).join('\n');
}

function formatFile(file: FileReport): string {
  const header = ['label', 'gold', 'recall', 'strict', 'predicted', 'precision', 'span leak', 'token leak'];
  const rows: string[][] = [header];
  for (const [label, r] of Object.entries(file.labels)) {
    rows.push([
      label,
      String(r.gold),
      fixed(r.recall),
      fixed(r.recall_strict),
      r.predicted === null ? DASH : String(r.predicted),
      fixed(r.precision),
      fixed(r.span_leak_rate),
      fixed(r.token_leak_rate),
    ]);
  }
  const o = file.overall;
  rows.push([
    'overall',
    String(o.gold),
    fixed(o.recall),
    fixed(o.recall_strict),
    String(o.predicted),
    fixed(o.precision),
    fixed(o.span_leak_rate),
    fixed(o.token_leak_rate),
  ]);
  const table = alignRows(rows);
  const rule = '-'.repeat(Math.max(...table.map((line) => line.length)));
  const unscored = Object.entries(o.unscored_predictions)
    .map(([label, count]) => `${label} ${count}`)
    .join(', ');
  const lines = [
    `${file.file}: ${file.records} records (${file.records_with_spans} with spans), ${file.seconds.toFixed(2)} s`,
    `precision counted on: ${file.annotated_labels.join(', ') || '(none)'} (${file.annotated_labels_source === 'manifest' ? 'manifest.json' : 'labels in the file'})`,
    '',
    table[0] ?? '',
    rule,
    ...table.slice(1, -1),
    rule,
    table[table.length - 1] ?? '',
    '',
    `over-masking: ${
      o.span_free_records === 0
        ? 'no span-free records'
        : `${percent(o.over_masking_rate)} of ${o.span_free_records} span-free records masked ` +
          `(${percent(o.over_masking_rate_annotated)} with annotated labels), ${percent(o.over_masked_char_rate)} of their characters`
    }`,
    `latency per record: p50 ${fixed(file.latency_ms.p50)} ms, p95 ${fixed(file.latency_ms.p95)} ms`,
  ];
  if (unscored.length > 0) lines.push(`not scored (labels the corpus does not annotate): ${unscored}`);
  return `${lines.join('\n')}\n`;
}
