/**
 * The detection seam. Every tier (rules, NER, LLM, custom entities) implements `Detector`;
 * the merge step and the pipeline only ever see this interface.
 * @module
 */
import type { EntityType } from '../core/entities.js';
import type { DetectorTier, Span } from '../core/span.js';

/** What a detector may know about the text it scans. Never the policy. */
export interface DetectContext {
  /** BCP-47 language hint, when the caller knows it. */
  readonly language?: string;
  /**
   * When given, the engine adds each tier's time and spans (before merge) here, for the request's
   * stage timings. Nothing is added for a cached text; the LLM tier reports through its own log.
   */
  readonly tiers?: TierTimings;
}

/** Time (ms) and spans per detector tier, summed over the texts of one request. */
export type TierTimings = Partial<Record<DetectorTier, { ms: number; spans: number }>>;

export interface Detector {
  /** Stable id, e.g. `rules.email`; recorded in every span it produces. */
  readonly id: string;
  readonly tier: DetectorTier;
  /** Entity types this detector can emit. */
  readonly types: readonly EntityType[];
  /**
   * Spans found in `text`, in UTF-16 offsets. Rule detectors answer synchronously so the hot
   * path never yields to the event loop; model tiers may return a promise.
   */
  detect(text: string, context: DetectContext): readonly Span[] | Promise<readonly Span[]>;
  /**
   * Optional: spans to add to texts of one batch (a request's messages, a document's fields or
   * windows) because the merged results of the others name them. A surname that a later message
   * uses alone is the person an earlier one named in full. Synchronous and cheap: it runs on
   * every batch, after detection (cached or not). `withinText`: the texts are windows of one
   * text, and a name is also looked for in the window it was found in.
   */
  acrossTexts?(texts: readonly string[], spans: readonly (readonly Span[])[], options: { readonly withinText?: boolean }): Span[][];
}
