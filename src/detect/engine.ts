/**
 * The detection engine: runs the registered detectors over a text, drops allow-listed values
 * and merges overlaps. Every surface reaches detection through here (via the pipeline).
 * @module
 */
import type { DetectorTier, Span } from '../core/span.js';
import type { DetectContext, Detector } from './detector.js';
import { compileAllowList, mergeSpans, type AllowList, type CompiledAllowList } from './merge.js';
import { SpanCache, type SpanCacheOptions } from './span-cache.js';

export interface DetectionEngineOptions {
  readonly detectors: readonly Detector[];
  readonly allow?: AllowList;
  /** Spans scoring below this are dropped. Default 0. */
  readonly minScore?: number;
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

export class DetectionEngine {
  readonly detectors: readonly Detector[];
  private readonly allow: CompiledAllowList;
  private readonly minScore: number;
  private readonly tiers: Map<string, DetectorTier>;
  private readonly allSync: boolean;
  /** Undefined when caching is off. Results depend only on the text for a given engine. */
  readonly cache: SpanCache | undefined;

  constructor(options: DetectionEngineOptions) {
    this.detectors = options.detectors;
    this.allow = compileAllowList(options.allow);
    this.minScore = options.minScore ?? 0;
    this.tiers = new Map(options.detectors.map((detector) => [detector.id, detector.tier]));
    // Only the LLM tier waits on I/O; the built-in NER model answers synchronously.
    this.allSync = options.detectors.every((detector) => detector.tier !== 'llm');
    const cacheOff = process.env['VEIL_DETECT_CACHE']?.trim().toLowerCase() === 'off';
    this.cache = cacheOff || options.cache === false ? undefined : new SpanCache(options.cache ?? {});
  }

  /** Merged spans for `text`. Synchronous when every detector is (or when the text is cached). */
  detect(text: string, context: DetectContext = {}): Span[] | Promise<Span[]> {
    const cached = this.cachedSpans(text, context);
    if (cached !== undefined) return cached;
    if (this.allSync) return this.remember(text, context, this.finish(text, this.runSync(text, context)));
    return this.detectAsync(text, context).then((spans) => this.remember(text, context, spans));
  }

  /** Like `detect`, but always synchronous: asynchronous detectors are skipped. */
  detectSync(text: string, context: DetectContext = {}): Span[] {
    return this.finish(text, this.runSync(text, context));
  }

  private cachedSpans(text: string, context: DetectContext): Span[] | undefined {
    if (this.cache === undefined || context.language !== undefined) return undefined;
    const spans = this.cache.get(text);
    // A copy, so a caller that sorts or edits its array cannot change the cache.
    return spans === undefined ? undefined : [...spans];
  }

  private remember(text: string, context: DetectContext, spans: Span[]): Span[] {
    if (this.cache !== undefined && context.language === undefined) this.cache.set(text, [...spans]);
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

  private async detectAsync(text: string, context: DetectContext): Promise<Span[]> {
    const results = await Promise.all(this.detectors.map((detector) => detector.detect(text, context)));
    return this.finish(text, results.flat());
  }

  private finish(text: string, spans: readonly Span[]): Span[] {
    const kept = spans.filter(
      (span) => span.score >= this.minScore && !this.allow.allows(text.slice(span.start, span.end)),
    );
    return mergeSpans(kept, (id) => this.tiers.get(id) ?? 'rules');
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
