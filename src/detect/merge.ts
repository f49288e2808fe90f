/**
 * Resolves overlapping spans from all detectors into one non-overlapping, sorted list, and
 * drops spans whose text is on the allow list.
 * @module
 */
import type { DetectorTier, Span } from '../core/span.js';

const TIER_PRIORITY: Record<DetectorTier, number> = { rules: 0, custom: 1, ner: 2, llm: 3 };

export interface AllowList {
  /** Exact values (compared case-insensitively, surrounding whitespace ignored). */
  readonly values?: readonly string[];
  /** Patterns that must match the whole span text. */
  readonly patterns?: readonly (string | RegExp)[];
}

export interface CompiledAllowList {
  allows(value: string): boolean;
}

export function compileAllowList(allow: AllowList | undefined): CompiledAllowList {
  const values = new Set((allow?.values ?? []).map((value) => value.trim().toLowerCase()));
  const patterns = (allow?.patterns ?? []).map((pattern) => {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
    return new RegExp(`^(?:${source})$`, flags);
  });
  if (values.size === 0 && patterns.length === 0) return { allows: () => false };
  return {
    allows(value: string): boolean {
      const trimmed = value.trim();
      if (values.has(trimmed.toLowerCase())) return true;
      return patterns.some((pattern) => pattern.test(trimmed));
    },
  };
}

/**
 * Longer span wins, then higher score, then the more precise tier. Returns spans sorted by
 * start with no overlaps. `onOverlap`, when given, hears of each span that lost and to which.
 */
export function mergeSpans(
  spans: readonly Span[],
  tierOf: (detectorId: string) => DetectorTier = () => 'rules',
  onOverlap?: (loser: Span, winner: Span) => void,
): Span[] {
  if (spans.length <= 1) return spans.filter((span) => span.end > span.start);
  const ranked = spans
    .filter((span) => span.end > span.start)
    .sort(
      (a, b) =>
        b.end - b.start - (a.end - a.start) ||
        b.score - a.score ||
        TIER_PRIORITY[tierOf(a.detector)] - TIER_PRIORITY[tierOf(b.detector)] ||
        a.start - b.start,
    );
  const kept: Span[] = [];
  for (const span of ranked) {
    const winner = kept.find((other) => span.end > other.start && span.start < other.end);
    if (winner === undefined) kept.push(span);
    else onOverlap?.(span, winner);
  }
  return kept.sort((a, b) => a.start - b.start);
}
