import type { EntityType } from './entities.js';

/**
 * Detector tiers, in priority order for merge ties (rules are the most precise).
 */
export type DetectorTier = 'rules' | 'custom' | 'ner' | 'llm';

/**
 * A detected entity. Offsets are UTF-16 code units into the scanned text, end exclusive.
 * A span never carries the text it covers: callers slice it when they need it, so a span
 * can be logged, counted or audited without leaking the value.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly type: EntityType;
  /** Confidence in [0, 1]. */
  readonly score: number;
  /** Id of the detector that produced the span. */
  readonly detector: string;
}
