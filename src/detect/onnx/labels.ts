/**
 * Word labels to entity spans. Models label tokens in one of the common schemes: IO
 * (`PER`), BIO (`B-PER`, `I-PER`), BIOES / BILOU (`S-`, `E-`, `U-`, `L-`); `O` is outside.
 * A span starts at a begin or single tag, at a change of entity, or after an outside word,
 * and ends at an end or single tag.
 * @module
 */

export interface ParsedLabel {
  /** Entity name without the scheme prefix (`PER` for `B-PER`); undefined for outside. */
  readonly entity: string | undefined;
  readonly begins: boolean;
  readonly ends: boolean;
}

const PREFIXED = /^([BIESLU])[-_](.+)$/;

export function parseLabel(label: string): ParsedLabel {
  if (label === 'O' || label === '') return { entity: undefined, begins: false, ends: false };
  const match = PREFIXED.exec(label);
  if (match === null) return { entity: label, begins: false, ends: false };
  const tag = match[1]!;
  return { entity: match[2]!, begins: tag === 'B' || tag === 'S' || tag === 'U', ends: tag === 'E' || tag === 'L' || tag === 'S' || tag === 'U' };
}

/** Entity names a label set can produce (`B-PER`, `I-PER` → `PER`). */
export function entitiesOf(labels: readonly string[]): string[] {
  const names = new Set<string>();
  for (const label of labels) {
    const entity = parseLabel(label).entity;
    if (entity !== undefined) names.add(entity);
  }
  return [...names];
}

export interface WordLabel {
  readonly start: number;
  readonly end: number;
  readonly label: ParsedLabel;
  readonly score: number;
}

export interface EntitySpan {
  readonly entity: string;
  readonly start: number;
  readonly end: number;
  /** Mean of the word scores. */
  readonly score: number;
}

/** Groups consecutive labelled words (in text order) into entity spans. */
export function groupWords(words: readonly WordLabel[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let open: { entity: string; start: number; end: number; total: number; count: number } | undefined;
  const close = (): void => {
    if (open !== undefined) spans.push({ entity: open.entity, start: open.start, end: open.end, score: open.total / open.count });
    open = undefined;
  };
  for (const word of words) {
    const { entity, begins, ends } = word.label;
    if (entity === undefined) {
      close();
      continue;
    }
    if (open === undefined || begins || open.entity !== entity) {
      close();
      open = { entity, start: word.start, end: word.end, total: word.score, count: 1 };
    } else {
      open.end = word.end;
      open.total += word.score;
      open.count++;
    }
    if (ends) close();
  }
  close();
  return spans;
}
