/**
 * The scoring rules of `veil eval`, as pure functions over one record at a time plus a running
 * tally, so the CLI and (later) the web UI compute the same numbers.
 *
 * - A gold span is *found* when one predicted span, of any type, covers at least half of it;
 *   *found strictly* when that span's parent type is also the gold label.
 * - A prediction is a false positive when it overlaps no gold span at all. Precision is only
 *   reported for labels the corpus annotates (see manifest.ts).
 * - A gold span *leaks* when its exact text still occurs in the masked record; a word leaks
 *   when it (3+ letters/digits) still occurs as a whole word there.
 * @module
 */
import { parentType } from '../core/entities.js';
import type { EvalRecord, GoldSpan } from './record.js';

/** A span the engine masked, in UTF-16 offsets of the original text. */
export interface PredictedSpan {
  readonly start: number;
  readonly end: number;
  /** Entity type as detected (fine types allowed; scored by parent type). */
  readonly type: string;
}

export interface RecordPrediction {
  /** The record as it would be sent upstream. */
  readonly masked: string;
  readonly spans: readonly PredictedSpan[];
}

export interface GoldOutcome {
  readonly label: string;
  readonly found: boolean;
  readonly foundStrict: boolean;
  readonly leaked: boolean;
  /** Words of the span with 3+ letters/digits, and how many of them are still in the masked text. */
  readonly words: number;
  readonly leakedWords: number;
}

export interface PredictionOutcome {
  /** Parent type of the prediction, i.e. the corpus label it is scored as. */
  readonly label: string;
  /** True when it overlaps at least one gold span (of any label). */
  readonly matched: boolean;
  readonly length: number;
}

export interface RecordScore {
  readonly chars: number;
  readonly gold: readonly GoldOutcome[];
  readonly predictions: readonly PredictionOutcome[];
}

/** Characters two half-open ranges share. */
export function overlapLength(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** True when `predicted` covers at least half of `gold`. */
export function coversHalf(gold: GoldSpan, predicted: PredictedSpan): boolean {
  return 2 * overlapLength(gold, predicted) >= gold.end - gold.start;
}

// Marks belong to the word: Indic and Arabic vowel signs must not split a name in two.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Words (maximal runs of letters/digits) with at least `min` code points. */
export function significantWords(text: string, min = 3): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    // Cheap length test first; only near the threshold count code points.
    if (word.length >= min && (word.length >= 2 * min || [...word].length >= min)) words.push(word);
  }
  return words;
}

/** Scores one record against what the engine did to it. */
export function scoreRecord(record: EvalRecord, prediction: RecordPrediction): RecordScore {
  const { text } = record;
  const { masked, spans: predicted } = prediction;
  let maskedWords: Set<string> | undefined;
  const gold = record.spans.map((span): GoldOutcome => {
    let found = false;
    let foundStrict = false;
    for (const candidate of predicted) {
      if (!coversHalf(span, candidate)) continue;
      found = true;
      if (parentType(candidate.type) === span.label) {
        foundStrict = true;
        break;
      }
    }
    const value = text.slice(span.start, span.end);
    const words = significantWords(value);
    let leakedWords = 0;
    if (words.length > 0) {
      maskedWords ??= new Set(masked.match(WORD) ?? []);
      for (const word of words) if (maskedWords.has(word)) leakedWords++;
    }
    return { label: span.label, found, foundStrict, leaked: masked.includes(value), words: words.length, leakedWords };
  });
  const predictions = predicted.map(
    (span): PredictionOutcome => ({
      label: parentType(span.type),
      matched: record.spans.some((goldSpan) => overlapLength(goldSpan, span) > 0),
      length: span.end - span.start,
    }),
  );
  return { chars: text.length, gold, predictions };
}

/** Nearest-rank percentile (`p` in 0..1) of unsorted values; `null` when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? null;
}

/** `part / whole`, or `null` when there is nothing to divide. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export interface LabelCounts {
  gold: number;
  found: number;
  foundStrict: number;
  leaked: number;
  words: number;
  leakedWords: number;
  predicted: number;
  falsePositives: number;
}

export interface TallyOptions {
  /** Only these labels are counted (`--labels`); all when undefined. */
  readonly labels?: readonly string[];
}

/** Running totals over the records of one file. Holds counts and latencies, never text. */
export class EvalTally {
  records = 0;
  recordsWithSpans = 0;
  /** Span-free records, those with at least one (counted) mask, and their characters. */
  spanFree = 0;
  spanFreeMasked = 0;
  spanFreeChars = 0;
  spanFreeMaskedChars = 0;
  /**
   * Span-free masked records by the set of labels masked in them (key: sorted labels joined by
   * commas). Lets the report tell masks of annotated labels from e.g. URLs in a NER corpus, whose
   * annotated labels may only be known at the end.
   */
  readonly spanFreeMaskedByLabels = new Map<string, number>();
  readonly perLabel = new Map<string, LabelCounts>();
  readonly latenciesMs: number[] = [];
  private readonly filter: ReadonlySet<string> | undefined;

  constructor(options: TallyOptions = {}) {
    this.filter = options.labels === undefined ? undefined : new Set(options.labels);
  }

  /** True when `label` is reported (passes `--labels`). */
  counts(label: string): boolean {
    return this.filter === undefined || this.filter.has(label);
  }

  add(score: RecordScore, latencyMs?: number): void {
    this.records++;
    if (latencyMs !== undefined) this.latenciesMs.push(latencyMs);
    if (score.gold.length > 0) this.recordsWithSpans++;
    for (const outcome of score.gold) {
      if (!this.counts(outcome.label)) continue;
      const counts = this.label(outcome.label);
      counts.gold++;
      if (outcome.found) counts.found++;
      if (outcome.foundStrict) counts.foundStrict++;
      if (outcome.leaked) counts.leaked++;
      counts.words += outcome.words;
      counts.leakedWords += outcome.leakedWords;
    }
    const maskedLabels = new Set<string>();
    let maskedChars = 0;
    for (const prediction of score.predictions) {
      if (!this.counts(prediction.label)) continue;
      const counts = this.label(prediction.label);
      counts.predicted++;
      if (!prediction.matched) counts.falsePositives++;
      maskedLabels.add(prediction.label);
      maskedChars += prediction.length;
    }
    if (score.gold.length === 0) {
      this.spanFree++;
      this.spanFreeChars += score.chars;
      this.spanFreeMaskedChars += maskedChars;
      if (maskedLabels.size > 0) {
        this.spanFreeMasked++;
        const key = [...maskedLabels].sort().join(',');
        this.spanFreeMaskedByLabels.set(key, (this.spanFreeMaskedByLabels.get(key) ?? 0) + 1);
      }
    }
  }

  private label(label: string): LabelCounts {
    let counts = this.perLabel.get(label);
    if (counts === undefined) {
      counts = { gold: 0, found: 0, foundStrict: 0, leaked: 0, words: 0, leakedWords: 0, predicted: 0, falsePositives: 0 };
      this.perLabel.set(label, counts);
    }
    return counts;
  }
}
