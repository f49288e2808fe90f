/**
 * Resolves overlapping spans from all detectors into one non-overlapping, sorted list, and
 * drops spans whose text is on the allow list.
 * @module
 */
import type { DetectorTier, Span } from '../core/span.js';

const TIER_PRIORITY: Record<DetectorTier, number> = { rules: 0, custom: 1, ner: 2, llm: 3 };
/** Tiers whose spans cover whole values, so no part of one may be left in clear. */
const EXACT_TIERS: ReadonlySet<DetectorTier> = new Set(['rules', 'custom']);

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
  text?: string,
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
  const remainders: Span[] = [];
  for (const span of ranked) {
    const at = kept.findIndex((other) => span.end > other.start && span.start < other.end);
    if (at === -1) {
      kept.push(span);
      continue;
    }
    const winner = kept[at] as Span;
    onOverlap?.(span, winner);
    // A rule or custom span that sticks out of the span it lost to would leave the rest of its
    // value in clear (an address tagged on into the first group of the phone number on the next
    // line): the winner grows over it, and over any kept span it then reaches, keeping its own
    // type. Rules and custom patterns match whole values; a model's span that sticks out is more
    // often a stray label word ("IBAN" tagged with the number's first group) and does not grow.
    // Two overlapping readings from one detector are alternatives, not a value cut in two.
    const sticksOut = span.start < winner.start || span.end > winner.end;
    if (sticksOut && span.detector !== winner.detector && EXACT_TIERS.has(tierOf(span.detector))) grow(kept, winner, span);
    // A model's name or place that took in a date's first number ("59 Lisbon" before "23:59",
    // "Napoli il 5" before "5 agosto 1986") keeps its own words, or they would go out in clear.
    else if (text !== undefined && sticksOut && DATE_TYPES.has(winner.type) && !EXACT_TIERS.has(tierOf(span.detector))) remainders.push(...outside(text, span, winner));
  }
  for (const rest of remainders) if (!kept.some((other) => rest.end > other.start && rest.start < other.end)) kept.push(rest);
  return kept.sort((a, b) => a.start - b.start);
}

const DATE_TYPES: ReadonlySet<string> = new Set(['DATE', 'DATE_OF_BIRTH', 'TIME']);

/** The parts of `span` outside `winner`, trimmed to their words, that still hold a word of three letters. */
function outside(text: string, span: Span, winner: Span): Span[] {
  const parts: Span[] = [];
  const add = (start: number, end: number): void => {
    const piece = text.slice(start, end);
    const lead = piece.length - piece.trimStart().length;
    const trail = piece.length - piece.trimEnd().length;
    if (!WORD_OF_THREE.test(piece)) return;
    parts.push({ ...span, start: start + lead, end: end - trail });
  };
  if (span.start < winner.start) add(span.start, winner.start);
  if (span.end > winner.end) add(winner.end, span.end);
  return parts;
}

const WORD_OF_THREE = /\p{L}{3}/u;

/** Replaces `winner` in `kept` by its union with `loser` and with every kept span that union reaches. */
function grow(kept: Span[], winner: Span, loser: Span): void {
  let start = Math.min(winner.start, loser.start);
  let end = Math.max(winner.end, loser.end);
  const others = kept.filter((other) => other !== winner);
  for (let reached = true; reached; ) {
    reached = false;
    for (let index = others.length - 1; index >= 0; index--) {
      const other = others[index] as Span;
      if (other.end <= start || other.start >= end) continue;
      start = Math.min(start, other.start);
      end = Math.max(end, other.end);
      others.splice(index, 1);
      reached = true;
    }
  }
  kept.length = 0;
  kept.push(...others, { ...winner, start, end });
}
