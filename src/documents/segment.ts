/**
 * What a format chunker hands to the document masker: the pieces of a file that carry text
 * (text nodes, string leaves, cells), each with the decoded text detectors should see and a
 * map back to the exact source bytes. Masking then replaces source slices, never re-serialises
 * the file, which is what keeps untouched bytes untouched and makes unmask give the original back.
 * @module
 */

/** How a placeholder must be written inside a segment to keep the file valid. */
export type PlaceholderEscape = 'none' | 'html';

export interface Segment {
  /** Source offsets (UTF-16) of the segment's raw text. */
  readonly start: number;
  readonly end: number;
  /** Decoded text (entities, escapes and doubled quotes resolved): what detectors scan. */
  readonly text: string;
  /**
   * `offsets[i]` is the source offset where decoded character `i` begins; `offsets[text.length]`
   * is `end`. Absent when the text is the source slice itself.
   */
  readonly offsets?: readonly number[];
  readonly escape: PlaceholderEscape;
  /**
   * Entity type for the whole segment, without detection: a CSV column or JSON key named
   * `email` masks the cell even where the value looks harmless.
   */
  readonly wholeType?: string;
}

/** Source range of the decoded range [start, end) of a segment. */
export function sourceRange(segment: Segment, start: number, end: number): [number, number] {
  if (segment.offsets === undefined) return [segment.start + start, segment.start + end];
  return [segment.offsets[start] ?? segment.end, segment.offsets[end] ?? segment.end];
}

/** Builds a decoded string and its offset map while a chunker walks escaped source. */
export class DecodeBuffer {
  private readonly parts: string[] = [];
  private readonly offsets: number[] = [];
  private identity = true;

  constructor(private readonly base: number) {}

  /** Appends `decoded`, produced by source range [from, to). */
  push(decoded: string, from: number, to: number): void {
    if (decoded.length !== to - from) this.identity = false;
    for (let index = 0; index < decoded.length; index++) {
      // Every unit of a multi-unit expansion points at the escape's start, so any span touching
      // it covers the whole escape.
      this.offsets.push(decoded.length === to - from ? from + index : from);
    }
    this.parts.push(decoded);
  }

  finish(end: number, escape: PlaceholderEscape, wholeType?: string): Segment {
    const text = this.parts.join('');
    const base: Segment = {
      start: this.base,
      end,
      text,
      escape,
      ...(wholeType === undefined ? {} : { wholeType }),
    };
    if (this.identity) return base;
    return { ...base, offsets: [...this.offsets, end] };
  }
}
