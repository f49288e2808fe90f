/**
 * The detection engine: runs the registered detectors over a text, drops allow-listed values
 * and merges overlaps. Every surface reaches detection through here (via the pipeline).
 * @module
 */
import type { DetectorTier, Span } from '../core/span.js';
import type { DetectContext, Detector, TierTimings } from './detector.js';
import { compileAllowList, mergeSpans, type AllowList, type CompiledAllowList } from './merge.js';
import { SpanCache, type SpanCacheOptions } from './span-cache.js';

export interface DetectionEngineOptions {
  readonly detectors: readonly Detector[];
  readonly allow?: AllowList;
  /** Spans scoring below this are dropped. Default 0. */
  readonly minScore?: number;
  /** Per entity type: spans of that type scoring below are dropped (before the merge). */
  readonly thresholds?: Readonly<Record<string, number>>;
  /**
   * Cache of merged spans per text (on by default). `false` turns it off, e.g. for a benchmark
   * that must show the uncached cost. `VEIL_DETECT_CACHE=off` does the same.
   */
  readonly cache?: SpanCacheOptions | false;
}

export interface DetectionTiming {
  readonly detector: string;
  readonly ms: number;
}

/** Why a span a detector found is not in the result. */
export type DropReason =
  | { readonly kind: 'min_score'; readonly threshold: number }
  | { readonly kind: 'type_threshold'; readonly threshold: number }
  | { readonly kind: 'allow_list' }
  /** It overlapped `winner`, which was longer, scored higher or came from a more precise tier. */
  | { readonly kind: 'overlap'; readonly winner: Span };

export interface DroppedSpan {
  readonly span: Span;
  readonly reason: DropReason;
}

export interface DetectorRun extends DetectionTiming {
  readonly tier: DetectorTier;
  /** Spans it returned, before thresholds, allow list and merge. */
  readonly found: number;
}

/** What `explain` tells: the result, every span left out and why, and what each detector did. */
export interface DetectionExplanation {
  readonly spans: Span[];
  readonly dropped: DroppedSpan[];
  readonly detectors: DetectorRun[];
}

/** Made-up values in the shapes the built-in detectors look for; never a real person's. */
const WARM_UP_TEXT = [
  'Dear Dr. Ana Example, your claim #CLM-0000-000000 at Example General Hospital in Springfield is open.',
  'Call +1 555 0100 0000 or five five five, zero one zero zero, e-mail ana@example.com or ana dot example at example dot com.',
  'Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 000-00-0000, NI number QQ 12 34 56 C, MRN 00000000.',
  'Born June third nineteen ninety, seen on 10/11 and on 5 March 2024; lives at 1 Example Street, Apt 2.',
  'Login: ana42, password: not-a-secret&0, api key sk-0000000000000000000000000000, 192.0.2.1, 张伟在北京。',
].join('\n');

export class DetectionEngine {
  readonly detectors: readonly Detector[];
  private readonly allow: CompiledAllowList;
  private readonly minScore: number;
  private readonly thresholds: Readonly<Record<string, number>>;
  private readonly tiers: Map<string, DetectorTier>;
  private readonly tierOf: (detectorId: string) => DetectorTier;
  /** Undefined when caching is off. Results depend only on the text for a given engine. */
  readonly cache: SpanCache | undefined;

  constructor(options: DetectionEngineOptions) {
    this.detectors = options.detectors;
    this.allow = compileAllowList(options.allow);
    this.minScore = options.minScore ?? 0;
    this.thresholds = options.thresholds ?? {};
    this.tiers = new Map(options.detectors.map((detector) => [detector.id, detector.tier]));
    this.tierOf = (id) => this.tiers.get(id) ?? 'rules';
    const cacheOff = process.env['VEIL_DETECT_CACHE']?.trim().toLowerCase() === 'off';
    this.cache = cacheOff || options.cache === false ? undefined : new SpanCache(options.cache ?? {});
  }

  /**
   * Merged spans for `text`. Synchronous when every detector answers synchronously (the rules
   * and the built-in NER model do) or when the text is cached; a promise only when some
   * detector (LLM, ONNX) returns one.
   */
  detect(text: string, context: DetectContext = {}): Span[] | Promise<Span[]> {
    // One digest per text: the same key serves the lookup and, on a miss, the store.
    const key = this.cache === undefined || context.language !== undefined ? undefined : this.cache.keyOf(text);
    if (key !== undefined) {
      const cached = this.cache?.getKeyed(key);
      // A copy, so a caller that sorts or edits its array cannot change the cache.
      if (cached !== undefined) return [...cached];
    }
    const tiers = context.tiers;
    const results =
      tiers === undefined
        ? this.detectors.map((detector) => detector.detect(text, context))
        : this.detectors.map((detector) => timedDetect(detector, text, context, tiers));
    if (!results.some(isPromise)) return this.remember(key, this.finish(text, results.flat() as Span[]));
    return Promise.all(results).then((all) => this.remember(key, this.finish(text, all.flat())));
  }

  /**
   * Adds to each text of a batch what the detectors find there because other texts of the batch
   * name it (`Detector.acrossTexts`: a surname used alone in a later message). `spans` are the
   * texts' merged results; the additions pass the same thresholds and allow list. Returns
   * `spans` itself when nothing is added, which is the common case and costs a few searches.
   */
  relate(texts: readonly string[], spans: Span[][], options: { readonly withinText?: boolean } = {}): Span[][] {
    if (texts.length < 2 && options.withinText !== true) return spans;
    let out: Span[][] | undefined;
    for (const detector of this.detectors) {
      if (detector.acrossTexts === undefined) continue;
      const added = detector.acrossTexts(texts, out ?? spans, options);
      added.forEach((extra, index) => {
        const text = texts[index] ?? '';
        const kept = extra.filter((span) => this.dropReason(text, span) === undefined);
        if (kept.length === 0) return;
        out ??= [...spans];
        out[index] = mergeSpans([...(out[index] ?? []), ...kept], this.tierOf);
      });
    }
    return out ?? spans;
  }

  /**
   * Runs every detector once on a made-up text that trips each of them, outside the cache, so
   * that a server's first real request does not pay for compiling their patterns (the spoken-date
   * pattern alone takes ~13 ms) and for the first, unoptimised passes. The text holds no real data.
   */
  async warmUp(): Promise<void> {
    await this.explain(WARM_UP_TEXT);
  }

  /**
   * Like `detect` (never cached), and also every span that was found but left out, with the
   * reason, and what each detector returned and took. Costs more than `detect`; for
   * `veil detect --explain`, not the hot path.
   */
  async explain(text: string, context: DetectContext = {}): Promise<DetectionExplanation> {
    const found: Span[] = [];
    const detectors: DetectorRun[] = [];
    for (const detector of this.detectors) {
      const started = performance.now();
      const spans = await detector.detect(text, context);
      detectors.push({ detector: detector.id, tier: detector.tier, found: spans.length, ms: performance.now() - started });
      found.push(...spans);
    }
    const dropped: DroppedSpan[] = [];
    const spans = this.finish(text, found, (drop) => dropped.push(drop));
    return { spans, dropped, detectors };
  }

  /**
   * Like `detect`, with only the detectors whose tier `include` accepts, and never cached: long
   * documents run the linear tiers over the whole text and the model tiers in windows
   * (documents/chunk.ts).
   */
  detectTiers(text: string, include: (tier: DetectorTier) => boolean, context: DetectContext = {}): Span[] | Promise<Span[]> {
    const results = this.detectors.filter((detector) => include(detector.tier)).map((detector) => detector.detect(text, context));
    if (!results.some(isPromise)) return this.finish(text, results.flat() as Span[]);
    return Promise.all(results).then((all) => this.finish(text, all.flat()));
  }

  /** Resolves overlaps between spans this engine's detectors found (thresholds already applied), as `detect` does. */
  merge(spans: readonly Span[]): Span[] {
    return mergeSpans(spans, this.tierOf);
  }

  /** Like `detect`, but always synchronous: asynchronous detectors are skipped. */
  detectSync(text: string, context: DetectContext = {}): Span[] {
    return this.finish(text, this.runSync(text, context));
  }

  private remember(key: string | undefined, spans: Span[]): Span[] {
    if (key !== undefined) this.cache?.setKeyed(key, [...spans]);
    return spans;
  }

  private runSync(text: string, context: DetectContext): Span[] {
    const found: Span[] = [];
    for (const detector of this.detectors) {
      const spans = detector.detect(text, context);
      if (!isPromise(spans)) for (const span of spans) found.push(span);
    }
    return found;
  }

  /** Thresholds, allow list, merge. `onDrop` hears of every span left out (explain only). */
  private finish(text: string, spans: readonly Span[], onDrop?: (drop: DroppedSpan) => void): Span[] {
    const kept: Span[] = [];
    for (const span of spans) {
      const reason = this.dropReason(text, span);
      if (reason === undefined) kept.push(span);
      else onDrop?.({ span, reason });
    }
    const onOverlap =
      onDrop === undefined ? undefined : (span: Span, winner: Span) => onDrop({ span, reason: { kind: 'overlap', winner } });
    return mergeSpans(kept, this.tierOf, onOverlap, text);
  }

  private dropReason(text: string, span: Span): DropReason | undefined {
    if (span.score < this.minScore) return { kind: 'min_score', threshold: this.minScore };
    const threshold = this.thresholds[span.type];
    if (threshold !== undefined && span.score < threshold) return { kind: 'type_threshold', threshold };
    if (this.allow.allows(text.slice(span.start, span.end))) return { kind: 'allow_list' };
    return undefined;
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/** `detector.detect`, with its time and spans added to its tier (a promise: until it settles). */
function timedDetect(detector: Detector, text: string, context: DetectContext, tiers: TierTimings): ReturnType<Detector['detect']> {
  const started = performance.now();
  const add = <T extends readonly Span[]>(spans: T): T => {
    // The LLM tier's time, spans and outcome come from its own call log.
    if (detector.tier === 'llm') return spans;
    const entry = tiers[detector.tier] ?? (tiers[detector.tier] = { ms: 0, spans: 0 });
    entry.ms += performance.now() - started;
    entry.spans += spans.length;
    return spans;
  };
  const spans = detector.detect(text, context);
  return isPromise(spans) ? spans.then(add) : add(spans);
}
