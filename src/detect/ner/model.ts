/**
 * The built-in NER model: hashed feature weights (int16), BIO transitions and the lexicon the
 * features read, in one binary file. Format: the ASCII magic `VEILNER1`, a little-endian
 * uint32 byte length of a UTF-8 JSON header, the header, zero padding to a multiple of 2, then
 * `2^bits * TAG_COUNT` little-endian int16 weights (`weights[bucket * TAG_COUNT + tag]`).
 * The header records what the model was trained on and under which licences.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  localFeatures,
  neighbourFeatures,
  PAD,
  PAIR_FEATURES,
  pairFeatures,
  sentenceFlags,
  textCase,
  wordAttributes,
  type FeatureLexicon,
  type FeatureSink,
  type WordAttributes,
} from './features.js';
import { SCRATCH_LIMIT, TAG_COUNT, viterbi, type NerLabel } from './tags.js';

// The unrolled scoring loop below assumes seven tags (O + B/I for three labels).
if (TAG_COUNT !== 7) throw new Error('NER model: scoring loop expects 7 tags');
import { tokenize, type Token } from './tokenize.js';

const MAGIC = 'VEILNER1';

export interface TrainingSource {
  readonly name: string;
  readonly licence: string;
  readonly records: number;
  readonly note?: string;
}

export interface NerModelHeader {
  readonly format: 1;
  readonly bits: number;
  readonly tags: readonly string[];
  /** `(TAG_COUNT + 1) * TAG_COUNT` transition weights, same scale as the int16 weights. */
  readonly transitions: readonly number[];
  /** Lower-case word → GAZ bit mask. */
  readonly gazetteer: Readonly<Record<string, number>>;
  /** Lower-case word → capitalisation bucket 0..4. */
  readonly capitalisation: Readonly<Record<string, number>>;
  readonly trainedOn: readonly TrainingSource[];
  readonly attribution: readonly string[];
  readonly created: string;
  readonly [extra: string]: unknown;
}

/**
 * Weight sums of one word form's feature groups (see features.ts), so a token costs the
 * lookups of its pair features only. The sums are of int16 weights, a few dozen at most, so
 * Float32 holds them exactly and the emissions equal a feature-by-feature sum bit for bit.
 */
interface WordScores {
  /** The word form's attributes, which the pair features read. */
  readonly word: WordAttributes;
  /** The word as neighbour -1, +1, -2 and +2: seven sums each. */
  readonly neighbour: Sums;
  /** The word's own templates per text casing (1..3) and sentence start (0/1); filled when first needed. */
  readonly local: (Sums | undefined)[];
}

/** Float32 for the int16 model (exact, half the memory); Float64 for a float model in training. */
type Sums = Float32Array | Float64Array;

const NEIGHBOUR_SLOTS = { [-1]: 0, 1: 7, [-2]: 14, 2: 21 } as const;
/** Distinct word forms whose sums are kept; dropped wholesale when full, like the attribute cache. */
const SCORE_CACHE_LIMIT = 50_000;

/** A loaded model, ready to tag text. */
export class NerModel {
  readonly header: NerModelHeader;
  private readonly weights: Int16Array | Float64Array;
  private readonly mask: number;
  private readonly transitions: Float64Array;
  /** Int16 units per unit of perceptron weight (1 for a float model). */
  private readonly scale: number;
  readonly lexicon: FeatureLexicon;
  private readonly wordScores = new Map<string, WordScores>();
  private padScores: WordScores | undefined;
  private emissionScratch = new Float64Array(0);
  private readonly newSums: (length: number) => Sums;

  constructor(header: NerModelHeader, weights: Int16Array | Float64Array, lexicon?: FeatureLexicon) {
    if (weights.length !== (1 << header.bits) * TAG_COUNT) throw new Error('NER model: weight table size mismatch');
    this.header = header;
    this.weights = weights;
    this.mask = (1 << header.bits) - 1;
    this.transitions = Float64Array.from(header.transitions);
    this.scale = typeof header['scale'] === 'number' ? header['scale'] : 1;
    this.newSums = weights instanceof Int16Array ? (length) => new Float32Array(length) : (length) => new Float64Array(length);
    this.lexicon = lexicon ?? {
      gazetteer: new Map(Object.entries(header.gazetteer)),
      capitalisation: new Map(Object.entries(header.capitalisation)),
    };
  }

  /**
   * Tokens of `text` and their best BIO tags. `entityBias` (in units of the model's own
   * weights, see `header.scale`) is added to every non-O tag: positive values trade precision
   * for recall, which is the right trade for a privacy filter.
   */
  tag(text: string, entityBias = 0, labelBias?: Partial<Record<NerLabel, number>>): { tokens: Token[]; tags: Uint8Array } {
    const tokens = tokenize(text);
    if (tokens.length === 0) return { tokens, tags: new Uint8Array(0) };
    // The decoder reads the emissions before the next call, so one growing buffer serves them
    // all (up to the decoder's own limit; a longer text gets its own).
    const needed = tokens.length * TAG_COUNT;
    if (this.emissionScratch.length < needed && needed <= SCRATCH_LIMIT) {
      this.emissionScratch = new Float64Array(Math.min(SCRATCH_LIMIT, Math.max(needed, this.emissionScratch.length * 2)));
    }
    const into = needed <= this.emissionScratch.length ? this.emissionScratch : undefined;
    const emissions = this.emissions(text, tokens, entityBias, labelBias, into);
    return { tokens, tags: viterbi(emissions, tokens.length, this.transitions) };
  }

  /**
   * Per-token tag scores (`[token * TAG_COUNT + tag]`) of `tokens` of `text`, biases included,
   * written to `into` (at least `tokens.length * TAG_COUNT` long) or to a new array.
   */
  emissions(
    text: string,
    tokens: readonly Token[],
    entityBias = 0,
    labelBias?: Partial<Record<NerLabel, number>>,
    into?: Float64Array,
  ): Float64Array {
    const caseOfText = textCase(text);
    const { starts, lines } = sentenceFlags(tokens);
    // One lookup per token: a word form's attributes and weight sums are cached together.
    const scores = new Array<WordScores>(tokens.length);
    for (let i = 0; i < tokens.length; i++) scores[i] = this.scoresOf((tokens[i] as Token).text);
    const pad = this.padScores ?? (this.padScores = this.computeScores(PAD));
    const emissions = into ?? new Float64Array(tokens.length * TAG_COUNT);
    const w = this.weights;
    const mask = this.mask;
    const oPenalty = entityBias * this.scale;
    // Extra per-label bias (B and I tags alike), e.g. to favour ORG recall.
    const perPerson = (labelBias?.PERSON ?? 0) * this.scale;
    const perLocation = (labelBias?.LOCATION ?? 0) * this.scale;
    const perOrg = (labelBias?.ORG ?? 0) * this.scale;
    // Pair features differ per token: their table lookups are the only ones left per token.
    const pairs = new Uint32Array(PAIR_FEATURES);
    for (let i = 0; i < tokens.length; i++) {
      const own = scores[i] as WordScores;
      const before = scores[i - 1] ?? pad;
      const after = scores[i + 1] ?? pad;
      const local = this.localScores(own, starts[i] as number, caseOfText);
      const previous = before.neighbour;
      const next = after.neighbour;
      const previous2 = (scores[i - 2] ?? pad).neighbour;
      const next2 = (scores[i + 2] ?? pad).neighbour;
      pairFeatures(before.word, own.word, after.word, lines[i] as number, pairs);
      // Seven local accumulators: the table lookups dominate, so keep everything else in registers.
      let e0 = (local[0] as number) + (previous[0] as number) + (next[7] as number) + (previous2[14] as number) + (next2[21] as number);
      let e1 = (local[1] as number) + (previous[1] as number) + (next[8] as number) + (previous2[15] as number) + (next2[22] as number);
      let e2 = (local[2] as number) + (previous[2] as number) + (next[9] as number) + (previous2[16] as number) + (next2[23] as number);
      let e3 = (local[3] as number) + (previous[3] as number) + (next[10] as number) + (previous2[17] as number) + (next2[24] as number);
      let e4 = (local[4] as number) + (previous[4] as number) + (next[11] as number) + (previous2[18] as number) + (next2[25] as number);
      let e5 = (local[5] as number) + (previous[5] as number) + (next[12] as number) + (previous2[19] as number) + (next2[26] as number);
      let e6 = (local[6] as number) + (previous[6] as number) + (next[13] as number) + (previous2[20] as number) + (next2[27] as number);
      for (let f = 0; f < PAIR_FEATURES; f++) {
        const b = ((pairs[f] as number) & mask) * 7;
        e0 += w[b] as number;
        e1 += w[b + 1] as number;
        e2 += w[b + 2] as number;
        e3 += w[b + 3] as number;
        e4 += w[b + 4] as number;
        e5 += w[b + 5] as number;
        e6 += w[b + 6] as number;
      }
      const base = i * 7;
      emissions[base] = e0 - oPenalty;
      emissions[base + 1] = e1 + perPerson;
      emissions[base + 2] = e2 + perPerson;
      emissions[base + 3] = e3 + perLocation;
      emissions[base + 4] = e4 + perLocation;
      emissions[base + 5] = e5 + perOrg;
      emissions[base + 6] = e6 + perOrg;
    }
    return emissions;
  }

  /** Adds the weights of every feature `emit` produces into `target` from `offset`. */
  private sumInto(target: Sums, offset: number, emit: (sink: FeatureSink) => void): void {
    const w = this.weights;
    const mask = this.mask;
    emit((feature) => {
      const b = (feature & mask) * 7;
      for (let tag = 0; tag < 7; tag++) target[offset + tag] = (target[offset + tag] as number) + (w[b + tag] as number);
    });
  }

  private computeScores(word: WordAttributes): WordScores {
    const neighbour = this.newSums(28);
    for (const position of [-1, 1, -2, 2] as const) {
      this.sumInto(neighbour, NEIGHBOUR_SLOTS[position], (sink) => neighbourFeatures(word, position, sink));
    }
    return { word, neighbour, local: [] };
  }

  private scoresOf(text: string): WordScores {
    let scores = this.wordScores.get(text);
    if (scores === undefined) {
      scores = this.computeScores(wordAttributes(text, this.lexicon));
      if (this.wordScores.size >= SCORE_CACHE_LIMIT) this.wordScores.clear();
      this.wordScores.set(text, scores);
    }
    return scores;
  }

  private localScores(scores: WordScores, start: number, caseOfText: number): Sums {
    const slot = caseOfText * 2 + start;
    let local = scores.local[slot];
    if (local === undefined) {
      local = this.newSums(7);
      this.sumInto(local, 0, (sink) => localFeatures(scores.word, start, caseOfText, sink));
      scores.local[slot] = local;
    }
    return local;
  }
}

/** Serialises a model: header JSON plus int16 weights. */
export function encodeModel(header: NerModelHeader, weights: Int16Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefixLength = MAGIC.length + 4 + json.length;
  const padding = prefixLength % 2;
  const out = Buffer.alloc(prefixLength + padding + weights.length * 2);
  out.write(MAGIC, 0, 'ascii');
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  const body = prefixLength + padding;
  for (let i = 0; i < weights.length; i++) out.writeInt16LE(weights[i] ?? 0, body + i * 2);
  return out;
}

/** Parses a model file's bytes; throws a descriptive error on anything malformed. */
export function decodeModel(bytes: Buffer): NerModel {
  if (bytes.length < MAGIC.length + 4 || bytes.toString('ascii', 0, MAGIC.length) !== MAGIC) {
    throw new Error('NER model: not a Veil NER model file');
  }
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  const prefixLength = MAGIC.length + 4 + jsonLength;
  if (prefixLength > bytes.length) throw new Error('NER model: truncated header');
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, prefixLength)) as NerModelHeader;
  if (header.format !== 1 || typeof header.bits !== 'number') throw new Error('NER model: unsupported format');
  const body = prefixLength + (prefixLength % 2);
  const count = (1 << header.bits) * TAG_COUNT;
  if (body + count * 2 !== bytes.length) throw new Error('NER model: weight table size mismatch');
  // Copy into a fresh, aligned buffer: the file buffer's offset may be odd. Little-endian
  // hosts (all Node targets in practice) take the fast path.
  let weights: Int16Array;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    const start = bytes.byteOffset + body;
    weights = new Int16Array(bytes.buffer.slice(start, start + count * 2));
  } else {
    weights = new Int16Array(count);
    for (let i = 0; i < count; i++) weights[i] = bytes.readInt16LE(body + i * 2);
  }
  return new NerModel(header, weights);
}

/** Reads a model file from disk. */
export function loadModelFile(path: string | URL): NerModel {
  return decodeModel(readFileSync(path));
}
