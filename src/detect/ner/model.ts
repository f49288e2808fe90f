/**
 * The built-in NER model: hashed feature weights (int16), BIO transitions and the lexicon the
 * features read, in one binary file. Format: the ASCII magic `VEILNER1`, a little-endian
 * uint32 byte length of a UTF-8 JSON header, the header, zero padding to a multiple of 2, then
 * `2^bits * TAG_COUNT` little-endian int16 weights (`weights[bucket * TAG_COUNT + tag]`).
 * The header records what the model was trained on and under which licences.
 * @module
 */
import { readFileSync } from 'node:fs';
import { extractFeatures, textCase, type FeatureLexicon } from './features.js';
import { TAG_COUNT, viterbi, type NerLabel } from './tags.js';

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

/** A loaded model, ready to tag text. */
export class NerModel {
  readonly header: NerModelHeader;
  private readonly weights: Int16Array | Float64Array;
  private readonly mask: number;
  private readonly transitions: Float64Array;
  /** Int16 units per unit of perceptron weight (1 for a float model). */
  private readonly scale: number;
  readonly lexicon: FeatureLexicon;

  constructor(header: NerModelHeader, weights: Int16Array | Float64Array, lexicon?: FeatureLexicon) {
    if (weights.length !== (1 << header.bits) * TAG_COUNT) throw new Error('NER model: weight table size mismatch');
    this.header = header;
    this.weights = weights;
    this.mask = (1 << header.bits) - 1;
    this.transitions = Float64Array.from(header.transitions);
    this.scale = typeof header['scale'] === 'number' ? header['scale'] : 1;
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
    const { features, offsets } = extractFeatures(tokens, this.lexicon, textCase(text));
    const emissions = new Float64Array(tokens.length * TAG_COUNT);
    const w = this.weights;
    const mask = this.mask;
    const oPenalty = entityBias * this.scale;
    // Extra per-label bias (B and I tags alike), e.g. to favour ORG recall.
    const perPerson = (labelBias?.PERSON ?? 0) * this.scale;
    const perLocation = (labelBias?.LOCATION ?? 0) * this.scale;
    const perOrg = (labelBias?.ORG ?? 0) * this.scale;
    // Seven local accumulators: the table lookups dominate, so keep everything else in registers.
    for (let i = 0; i < tokens.length; i++) {
      let e0 = 0;
      let e1 = 0;
      let e2 = 0;
      let e3 = 0;
      let e4 = 0;
      let e5 = 0;
      let e6 = 0;
      const end = offsets[i + 1] as number;
      for (let f = offsets[i] as number; f < end; f++) {
        const b = ((features[f] as number) & mask) * 7;
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
    return { tokens, tags: viterbi(emissions, tokens.length, this.transitions) };
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
