/**
 * Detection over long texts in overlapping windows.
 *
 * A window is sized for the slowest detector (a model tier has an input limit; rules do not
 * care). Each window's spans are trusted only away from its cut edges: a span that starts within
 * `margin` of a cut or ends within `margin` of one may be a fragment (`maria@exa` of
 * `maria@example.com`) or may lack the context a rule looks at, so it is dropped and left to the
 * neighbouring window, which sees it whole. With `overlap = 2 * margin + maxEntityLength`, every
 * entity up to `maxEntityLength` lies inside the trusted part of some window, so the union of the
 * trusted spans, merged, is what detecting the whole text gives. The property test in
 * test/documents/chunk.test.ts checks that for every chunk size above `minChunkSize`.
 *
 * That holds for detectors that look only nearby. A pattern scanned left to right can tile a run
 * of adjacent values differently when it starts inside the run (three card numbers in a row: a
 * window starting in the first one pairs its last groups with the next card's first), and the
 * difference can carry on past any margin. The linear tiers (rules, custom), which have no input
 * limit, therefore run over the whole text (`TierSplit.whole`), and only the model tiers, whose
 * context is a few tokens, run in windows.
 * @module
 */
import type { DetectorTier, Span } from '../core/span.js';
import { mergeSpans } from '../detect/merge.js';

export type DetectFn = (text: string) => readonly Span[] | Promise<readonly Span[]>;

/**
 * Adds the names that other texts of a batch give (`DetectionEngine.relate`); for windows,
 * `withinText` looks for each name in the whole text, since each window was detected alone.
 */
export type RelateFn = (texts: readonly string[], spans: Span[][], options: { readonly withinText?: boolean }) => Span[][];

/**
 * Detection split by tier for a windowed text: `whole` runs the linear tiers over the whole text,
 * `windowed` the model tiers over each window. Both return merged spans of their tiers; `merge`
 * resolves overlaps between the two the way the engine does (a model's span never grows a rule's).
 */
export interface TierSplit {
  readonly whole: DetectFn;
  readonly windowed: DetectFn;
  readonly merge: (spans: readonly Span[]) => Span[];
}

/** The tiers that run over a whole text at any length: linear patterns and word lists. */
export function isLinearTier(tier: string): boolean {
  return tier === 'rules' || tier === 'custom';
}

/** The split an engine's detection needs for long texts: linear tiers whole, the rest in windows. */
export function tierSplit(engine: {
  detectTiers(text: string, include: (tier: DetectorTier) => boolean): Span[] | Promise<Span[]>;
  merge(spans: readonly Span[]): Span[];
}): TierSplit {
  return {
    whole: (text) => engine.detectTiers(text, isLinearTier),
    windowed: (text) => engine.detectTiers(text, (tier) => !isLinearTier(tier)),
    merge: (spans) => engine.merge(spans),
  };
}

export interface ChunkOptions {
  /** Characters per window. */
  readonly chunkSize: number;
  /** Context a detector may look at around an entity (keywords, word boundaries). */
  readonly margin: number;
  /** Longest entity that must survive a cut. */
  readonly maxEntityLength: number;
}

/**
 * Windows for engines with a model tier: 16K characters, a margin above the widest context a rule
 * looks at (170 characters before a span, 200 after a keyword), and room for a PEM private key.
 */
export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { chunkSize: 16_384, margin: 256, maxEntityLength: 4_096 };

/** One window for everything: rule detectors are linear and have no input limit. */
export const WHOLE_TEXT: ChunkOptions = { chunkSize: Number.POSITIVE_INFINITY, margin: 0, maxEntityLength: 0 };

/** Windows sized for the slowest enabled detector: none for rules, DEFAULT_CHUNK_OPTIONS for a model tier. */
export function chunkOptionsFor(tiers: Iterable<string>): ChunkOptions {
  for (const tier of tiers) if (!isLinearTier(tier)) return DEFAULT_CHUNK_OPTIONS;
  return WHOLE_TEXT;
}

export function overlapOf(options: ChunkOptions): number {
  return 2 * options.margin + options.maxEntityLength;
}

/** The smallest chunk size for which chunked detection equals whole-text detection. */
export function minChunkSize(options: ChunkOptions): number {
  return overlapOf(options) + 1;
}

/** Window start offsets for a text of `length` characters. */
export function windows(length: number, options: ChunkOptions): Array<[number, number]> {
  if (options.chunkSize < minChunkSize(options)) {
    throw new RangeError(`chunk size must be at least ${minChunkSize(options)}`);
  }
  if (length <= options.chunkSize) return [[0, length]];
  const step = options.chunkSize - overlapOf(options);
  const out: Array<[number, number]> = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(length, start + options.chunkSize);
    out.push([start, end]);
    if (end === length) break;
  }
  return out;
}

/**
 * Detection over windows of `text`. With `relate`, a name found in one window is also found where
 * another window repeats it (within one window the detector does that itself). With `split`, a
 * text longer than one window gets the linear tiers over the whole of it and the model tiers per
 * window; `detect` (every tier) still answers a text that fits one window.
 */
export async function detectChunked(text: string, detect: DetectFn, options: ChunkOptions, relate?: RelateFn, split?: TierSplit): Promise<Span[]> {
  const ranges = windows(text.length, options);
  if (ranges.length === 1) return mergeSpans(await detect(text));
  const seen = new Set<string>();
  const collected: Span[] = split === undefined ? [] : [...(await split.whole(text))];
  const perWindow = split?.windowed ?? detect;
  for (const [start, end] of ranges) {
    const spans = await perWindow(text.slice(start, end));
    const lowCut = start === 0 ? Number.NEGATIVE_INFINITY : options.margin;
    const highCut = end === text.length ? Number.POSITIVE_INFINITY : end - start - options.margin;
    for (const span of spans) {
      if (span.start < lowCut || span.end > highCut) continue;
      const shifted: Span = { ...span, start: span.start + start, end: span.end + start };
      const key = `${shifted.start}:${shifted.end}:${shifted.type}:${shifted.detector}`;
      if (seen.has(key)) continue;
      seen.add(key);
      collected.push(shifted);
    }
  }
  const merged = split === undefined ? mergeSpans(collected) : split.merge(collected);
  return relate === undefined ? merged : (relate([text], [merged], { withinText: true })[0] ?? merged);
}
