/**
 * Masks a whole document through the engine, whatever its format.
 *
 * 1. The format's chunker lists the segments that carry text, each with decoded text and a map
 *    back to source offsets.
 * 2. The engine's detectors run on each segment (long ones in overlapping windows, see chunk.ts);
 *    header-aware segments become one span without detection.
 * 3. All spans, now in source offsets, go through the pipeline's `mask()` in ONE call over the
 *    source, with the caller's scope: one token numbering for the document, the same token for
 *    the same value everywhere, and the policy's `decide` applies as on any other surface.
 * 4. Placeholders replace the source slices in place, escaped where the format needs it, so
 *    everything else in the file stays byte for byte and unmask restores the original bytes.
 * @module
 */
import type { Span } from '../core/span.js';
import { DetectionEngine } from '../detect/engine.js';
import type { Veil } from '../engine.js';
import { mask, type DecideFn, type MaskAction } from '../pipeline/mask.js';
import type { TokenScope } from '../vault/token-scope.js';
import { chunkOptionsFor, detectChunked, tierSplit, type ChunkOptions, type RelateFn } from './chunk.js';
import { csvSegments } from './csv.js';
import type { DocumentFormat } from './format.js';
import { escapeHtml } from './html-entities.js';
import { htmlSegments } from './html.js';
import { jsonlSegments, jsonSegments } from './json.js';
import { markdownSegments } from './markdown.js';
import { sourceRange, type PlaceholderEscape, type Segment } from './segment.js';

/** Detector id recorded for spans that come from a column or key name rather than a detector. */
export const FIELD_DETECTOR = 'document.field';

/** A cell or leaf holding nothing but placeholders (`<<EMAIL_1>>`) or redaction markers (`[EMAIL]`). */
const ALREADY_MASKED = /^\s*(?:(?:<<[A-Z][A-Z0-9_]*>>|\[[A-Z][A-Z0-9_]*\])\s*)+$/;

export function segmentsOf(source: string, format: DocumentFormat): Segment[] {
  switch (format) {
    case 'text':
      return source === '' ? [] : [{ start: 0, end: source.length, text: source, escape: 'none' }];
    case 'md':
      return markdownSegments(source);
    case 'html':
      return htmlSegments(source);
    case 'json':
      return jsonSegments(source);
    case 'jsonl':
      return jsonlSegments(source);
    case 'csv':
      return csvSegments(source);
  }
}

export interface DocumentSpan extends Span {
  readonly escape: PlaceholderEscape;
}

/** Spans of a document in source offsets, sorted and disjoint. */
export async function detectDocument(
  veil: Veil,
  source: string,
  format: DocumentFormat,
  chunk: ChunkOptions = chunkOptionsFor(veil.detection.detectors.map((detector) => detector.tier)),
): Promise<DocumentSpan[]> {
  const out: DocumentSpan[] = [];
  const detect = (text: string): Span[] | Promise<Span[]> => veil.detect(text);
  const relate: RelateFn = (texts, spans, options) => veil.detection.relate(texts, spans, options);
  const split = tierSplit(veil.detection);
  // Every segment's spans first (in segment offsets), then one pass that lends each segment the
  // names the others give: a CSV row's notes that use the surname of its `name` column.
  const scanned: { segment: Segment; spans: Span[] }[] = [];
  for (const segment of segmentsOf(source, format)) {
    if (segment.wholeType !== undefined) {
      // Empty, or already masked (a masked copy scanned or masked again): a token is not a value.
      if (segment.text.trim() === '' || ALREADY_MASKED.test(segment.text)) continue;
      const leading = segment.text.length - segment.text.trimStart().length;
      const trailing = segment.text.length - segment.text.trimEnd().length;
      scanned.push({ segment, spans: [{ start: leading, end: segment.text.length - trailing, type: segment.wholeType, score: 1, detector: FIELD_DETECTOR }] });
      continue;
    }
    scanned.push({ segment, spans: await detectChunked(segment.text, detect, chunk, relate, split) });
  }
  const related = relate(
    scanned.map(({ segment }) => segment.text),
    scanned.map(({ spans }) => spans),
    {},
  );
  scanned.forEach(({ segment }, index) => {
    for (const span of related[index] ?? []) {
      const [start, end] = sourceRange(segment, span.start, span.end);
      if (end > start) out.push({ ...span, start, end, escape: segment.escape });
    }
  });
  return out.sort((a, b) => a.start - b.start);
}

/** One replaced span: where it was, what replaced it. Never the value. */
export interface DocumentEntity {
  readonly type: string;
  readonly action: MaskAction;
  /** `EMAIL_1`; undefined for redactions. */
  readonly token: string | undefined;
  /** Offsets in the source document. */
  readonly start: number;
  readonly end: number;
  /** 1-based line and column of `start`. */
  readonly line: number;
  readonly column: number;
  readonly detector: string;
  readonly score: number;
}

export interface MaskedDocument {
  readonly format: DocumentFormat;
  readonly text: string;
  readonly entities: DocumentEntity[];
  /** Entities the policy decided to block: a caller must not send the document anywhere. */
  readonly blocked: DocumentEntity[];
}

export interface MaskDocumentOptions {
  readonly format: DocumentFormat;
  readonly scope: TokenScope;
  readonly decide?: DecideFn;
  readonly chunk?: ChunkOptions;
}

/** Start offsets of every line, for 1-based line/column lookups. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

export function lineOf(starts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}

function fixedEngine(spans: readonly Span[]): DetectionEngine {
  return new DetectionEngine({
    detectors: [{ id: 'document.spans', tier: 'rules', types: [], detect: () => spans }],
  });
}

export async function maskDocument(veil: Veil, source: string, options: MaskDocumentOptions): Promise<MaskedDocument> {
  const spans = await detectDocument(veil, source, options.format, options.chunk);
  const escapeAt = new Map(spans.map((span) => [span.start, span.escape]));
  const result = await mask([source], {
    engine: fixedEngine(spans.map(({ escape: _escape, ...span }) => span)),
    scope: options.scope,
    ...(options.decide === undefined ? {} : { decide: options.decide }),
  });
  const masked = result.texts[0] ?? source;
  const starts = lineStarts(source);
  const parts: string[] = [];
  let last = 0;
  const entities: DocumentEntity[] = [];
  const blocked: DocumentEntity[] = [];
  for (const entity of result.entities) {
    const placeholder = masked.slice(entity.maskedStart, entity.maskedEnd);
    parts.push(source.slice(last, entity.start));
    parts.push(escapeAt.get(entity.start) === 'html' ? escapeHtml(placeholder) : placeholder);
    last = entity.end;
    const documentEntity: DocumentEntity = {
      type: entity.type,
      action: entity.action,
      token: entity.token,
      start: entity.start,
      end: entity.end,
      ...lineOf(starts, entity.start),
      detector: entity.detector,
      score: entity.score,
    };
    entities.push(documentEntity);
    if (entity.action === 'block') blocked.push(documentEntity);
  }
  parts.push(source.slice(last));
  return { format: options.format, text: parts.join(''), entities, blocked };
}

/**
 * Puts the values of `scope` back into a masked document. HTML placeholders were written
 * escaped; they are unescaped first so the rehydrator sees `<<EMAIL_1>>`. Values were stored as
 * the source bytes (still escaped for their format), so no re-escaping happens here.
 */
export function unmaskDocument(veil: Veil, text: string, scope: TokenScope, format: DocumentFormat): string {
  const prepared =
    format === 'html'
      ? text.replace(/&lt;&lt;([A-Za-z][A-Za-z0-9_]*)&gt;&gt;/g, (whole, key: string) =>
          scope.resolve(key) === undefined ? whole : `<<${key}>>`,
        )
      : text;
  // No JSON escaping here: the scope holds each value as its exact source bytes (already
  // escaped where the document escaped it), so putting them back restores the original file.
  return veil.rehydrate(prepared, scope);
}
