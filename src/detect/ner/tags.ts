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

// The unrolled decoder below assumes seven tags (O + B/I for three labels) and BIO's rule
// that I-X may follow only B-X or I-X (see `allowed`).
if (TAG_COUNT !== 7) throw new Error('NER tags: the Viterbi decoder expects 7 tags');

/** Decoder work space, grown as needed up to `SCRATCH_LIMIT` cells and reused (decoding is synchronous). */
export const SCRATCH_LIMIT = (1 << 16) * TAG_COUNT;
let scoreScratch = new Float64Array(0);
let backScratch = new Uint8Array(0);

/**
 * Best tag sequence given per-token emission scores (`emissions[i * TAG_COUNT + tag]`) and
 * transition scores (`transitions[prev * TAG_COUNT + tag]`, prev may be START).
 */
export function viterbi(emissions: Float64Array, length: number, transitions: ArrayLike<number>): Uint8Array {
  const tags = new Uint8Array(length);
  if (length === 0) return tags;
  const cells = length * TAG_COUNT;
  if (scoreScratch.length < cells && cells <= SCRATCH_LIMIT) {
    scoreScratch = new Float64Array(Math.min(SCRATCH_LIMIT, Math.max(cells, scoreScratch.length * 2)));
    backScratch = new Uint8Array(scoreScratch.length);
  }
  // Every cell read below is written first, so the shared buffers need no clearing. A text too
  // long for them gets its own, which is not kept.
  const score = cells <= scoreScratch.length ? scoreScratch : new Float64Array(cells);
  const back = cells <= backScratch.length ? backScratch : new Uint8Array(cells);
  for (let t = 0; t < TAG_COUNT; t++) {
    score[t] = allowed(START, t) ? (emissions[t] ?? 0) + (transitions[START * TAG_COUNT + t] ?? 0) : -Infinity;
  }
  // A typed table: plain reads in the loop below (the caller's may be any array-like).
  const transition =
    transitions instanceof Float64Array ? transitions : Float64Array.from({ length: (TAG_COUNT + 1) * TAG_COUNT }, (_, index) => transitions[index] ?? 0);
  for (let i = 1; i < length; i++) {
    const base = i * TAG_COUNT;
    const prevBase = base - TAG_COUNT;
    // The previous token's scores stay in registers for all seven tags of this one.
    const s0 = score[prevBase] as number;
    const s1 = score[prevBase + 1] as number;
    const s2 = score[prevBase + 2] as number;
    const s3 = score[prevBase + 3] as number;
    const s4 = score[prevBase + 4] as number;
    const s5 = score[prevBase + 5] as number;
    const s6 = score[prevBase + 6] as number;
    for (let t = 0; t < TAG_COUNT; t++) {
      // Predecessors in ascending order with a strict comparison: ties go to the lowest tag.
      let best = -Infinity;
      let arg = 0;
      if (isInside(t)) {
        // I-X follows only B-X (t - 1) or I-X (t).
        const from = t === 2 ? s1 : t === 4 ? s3 : s5;
        const stay = t === 2 ? s2 : t === 4 ? s4 : s6;
        const a = from + (transition[(t - 1) * TAG_COUNT + t] as number);
        if (a > best) {
          best = a;
          arg = t - 1;
        }
        const b = stay + (transition[t * TAG_COUNT + t] as number);
        if (b > best) {
          best = b;
          arg = t;
        }
      } else {
        let s = s0 + (transition[t] as number);
        if (s > best) {
          best = s;
          arg = 0;
        }
        s = s1 + (transition[TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = 1;
        }
        s = s2 + (transition[2 * TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = 2;
        }
        s = s3 + (transition[3 * TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = 3;
        }
        s = s4 + (transition[4 * TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = 4;
        }
        s = s5 + (transition[5 * TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = 5;
        }
        s = s6 + (transition[6 * TAG_COUNT + t] as number);
        if (s > best) {
          best = s;
          arg = 6;
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
