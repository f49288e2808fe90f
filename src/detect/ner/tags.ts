/**
 * The BIO tag set of the built-in model and the Viterbi decoder shared by training and
 * inference. Transitions that BIO forbids (I-X after anything but B-X/I-X) are hard
 * constraints, so every decoded sequence converts to well-formed spans.
 * @module
 */

export const ENTITY_LABELS = ['PERSON', 'LOCATION', 'ORG'] as const;
export type NerLabel = (typeof ENTITY_LABELS)[number];

/** Tag 0 is O; tag 2k+1 is B-label k, 2k+2 is I-label k. */
export const TAG_COUNT = 1 + 2 * ENTITY_LABELS.length;
/** Row index of the virtual start state in the transition table. */
export const START = TAG_COUNT;

export function isInside(tag: number): boolean {
  return tag > 0 && tag % 2 === 0;
}

export function labelOfTag(tag: number): NerLabel | undefined {
  return tag === 0 ? undefined : ENTITY_LABELS[(tag - 1) >> 1];
}

export function beginTag(labelIndex: number): number {
  return 2 * labelIndex + 1;
}

/** True when `next` may follow `previous` (START allowed as `previous`). */
export function allowed(previous: number, next: number): boolean {
  if (!isInside(next)) return true;
  return previous === next || previous === next - 1;
}

/**
 * For each tag, the tags that may precede it, in ascending order (so ties resolve to the lowest),
 * flattened: `PREDECESSORS[PREDECESSOR_FROM[t] .. PREDECESSOR_FROM[t + 1])`. Flat typed arrays
 * keep the decoder's inner loop free of iterators and nested arrays.
 */
const PREDECESSOR_LISTS = Array.from({ length: TAG_COUNT }, (_, next) =>
  Array.from({ length: TAG_COUNT }, (_, previous) => previous).filter((previous) => allowed(previous, next)),
);
const PREDECESSORS = Uint8Array.from(PREDECESSOR_LISTS.flat());
const PREDECESSOR_FROM = Uint8Array.from(
  PREDECESSOR_LISTS.reduce<number[]>((from, list) => [...from, (from[from.length - 1] as number) + list.length], [0]),
);

/**
 * Best tag sequence given per-token emission scores (`emissions[i * TAG_COUNT + tag]`) and
 * transition scores (`transitions[prev * TAG_COUNT + tag]`, prev may be START).
 */
export function viterbi(emissions: Float64Array, length: number, transitions: ArrayLike<number>): Uint8Array {
  const tags = new Uint8Array(length);
  if (length === 0) return tags;
  const score = new Float64Array(length * TAG_COUNT);
  const back = new Uint8Array(length * TAG_COUNT);
  for (let t = 0; t < TAG_COUNT; t++) {
    score[t] = allowed(START, t) ? (emissions[t] ?? 0) + (transitions[START * TAG_COUNT + t] ?? 0) : -Infinity;
  }
  // A typed table: plain reads in the loop below (the caller's may be any array-like).
  const transition =
    transitions instanceof Float64Array ? transitions : Float64Array.from({ length: (TAG_COUNT + 1) * TAG_COUNT }, (_, index) => transitions[index] ?? 0);
  for (let i = 1; i < length; i++) {
    const base = i * TAG_COUNT;
    const prevBase = base - TAG_COUNT;
    for (let t = 0; t < TAG_COUNT; t++) {
      let best = -Infinity;
      let arg = 0;
      const to = PREDECESSOR_FROM[t + 1] as number;
      for (let k = PREDECESSOR_FROM[t] as number; k < to; k++) {
        const p = PREDECESSORS[k] as number;
        const s = (score[prevBase + p] as number) + (transition[p * TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = p;
        }
      }
      score[base + t] = best + (emissions[base + t] ?? 0);
      back[base + t] = arg;
    }
  }
  let best = -Infinity;
  let arg = 0;
  const lastBase = (length - 1) * TAG_COUNT;
  for (let t = 0; t < TAG_COUNT; t++) {
    const s = score[lastBase + t] ?? -Infinity;
    if (s > best) {
      best = s;
      arg = t;
    }
  }
  tags[length - 1] = arg;
  for (let i = length - 1; i > 0; i--) {
    arg = back[i * TAG_COUNT + arg] ?? 0;
    tags[i - 1] = arg;
  }
  return tags;
}
