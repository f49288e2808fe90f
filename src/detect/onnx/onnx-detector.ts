/**
 * Bring-your-own ONNX token-classification model (tier "ner", opt-in). A local folder holding a
 * Hugging Face export is run with onnxruntime-node on the CPU: the text is split into words,
 * each word tokenised, long texts cut into overlapping windows that fit the model, the label of
 * each word taken from its first piece, words grouped into spans by the label scheme, and the
 * model's entity names mapped to Veil types through configuration (unmapped ones are ignored).
 *
 * The detector answers with a promise, so only engines that include it become asynchronous;
 * onnxruntime itself is imported on first use, so the default path never loads it.
 * @module
 */
import { basename } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { isValidEntityTypeName, type EntityType } from '../../core/entities.js';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { Span } from '../../core/span.js';
import type { DetectContext, Detector } from '../detector.js';
import { entitiesOf, groupWords, parseLabel, type ParsedLabel, type WordLabel } from './labels.js';
import { CONFIG_FILE, MODEL_FILE, OnnxModelError, readModelFolder, type ModelFolder } from './model-folder.js';
import { splitWords, windowsOf, type Word } from './words.js';

export interface OnnxDetectorOptions {
  /** Folder holding `model.onnx`, `tokenizer.json` and `config.json` (with `id2label`). */
  readonly path: string;
  /** Model entity name → Veil type, e.g. `{ PER: 'PERSON', LOC: 'LOCATION' }`. Others are ignored. */
  readonly labels: Readonly<Record<string, EntityType>>;
  /** Detector id is `onnx.<id>`; default the folder name. */
  readonly id?: string;
  /** Spans scoring below are dropped. Default 0.5. */
  readonly minScore?: number;
  /** Per Veil type, overriding `minScore`. */
  readonly thresholds?: Readonly<Record<string, number>>;
  /** Tokens per model call, special tokens included. Default: the model's own limit, else 512. */
  readonly maxLength?: number;
  /** Tokens shared by neighbouring windows of a long text. Default a quarter of a window, at most 64. */
  readonly overlap?: number;
  /** Windows per model call. Default 8. */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's choice. */
  readonly threads?: number;
}

const INPUTS_WE_FILL = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);
const SPACE = /\s/;
/** Distinct words whose token ids are remembered (words repeat a lot across requests). */
const WORD_CACHE_SIZE = 20_000;

type OrtModule = typeof Ort;

interface Runtime {
  readonly ort: OrtModule;
  readonly session: InferenceSession;
  readonly inputs: ReadonlySet<string>;
  readonly output: string;
}

function configError(folder: string, problem: string): VeilError {
  return new OnnxModelError(folder, CONFIG_FILE, problem);
}

export class OnnxDetector implements Detector {
  readonly id: string;
  readonly tier = 'ner' as const;
  readonly types: readonly EntityType[];
  private readonly model: ModelFolder;
  private readonly labels: readonly ParsedLabel[];
  private readonly typeOf: ReadonlyMap<string, EntityType>;
  private readonly minScore: number;
  private readonly thresholds: Readonly<Record<string, number>>;
  /** Text tokens per window (the model's length less the special tokens). */
  private readonly budget: number;
  private readonly overlap: number;
  private readonly batchSize: number;
  private readonly threads: number | undefined;
  private readonly wordIds = new Map<string, readonly number[]>();
  private runtime: Promise<Runtime> | undefined;

  /** Reads and checks the folder; throws `OnnxModelError`. The model itself loads on `ready()` or first use. */
  constructor(options: OnnxDetectorOptions) {
    this.model = readModelFolder(options.path);
    const { folder } = this.model;
    this.id = `onnx.${options.id ?? basename(folder)}`;
    this.labels = this.model.labels.map(parseLabel);
    const known = entitiesOf(this.model.labels);
    const typeOf = new Map<string, EntityType>();
    for (const [entity, type] of Object.entries(options.labels)) {
      if (!known.includes(entity)) {
        throw configError(folder, `id2label has no entity '${entity}' named in labels (the model has ${known.join(', ')})`);
      }
      if (!isValidEntityTypeName(type)) throw new VeilError(VeilErrorCode.Config, `ONNX model ${folder}: labels.${entity}: '${type}' is not an entity type name`);
      typeOf.set(entity, type);
    }
    if (typeOf.size === 0) throw configError(folder, `labels maps none of the model's entities (${known.join(', ')}) to a Veil type`);
    this.typeOf = typeOf;
    this.types = [...new Set(typeOf.values())];
    this.minScore = options.minScore ?? 0.5;
    this.thresholds = options.thresholds ?? {};
    const maxLength = options.maxLength ?? this.model.maxLength ?? 512;
    const framing = this.model.prefixIds.length + this.model.suffixIds.length;
    if (maxLength - framing < 2) throw configError(folder, `max length ${maxLength} leaves no room for text tokens`);
    this.budget = maxLength - framing;
    this.overlap = Math.min(options.overlap ?? Math.min(64, Math.floor(this.budget / 4)), Math.floor(this.budget / 2));
    this.batchSize = Math.max(1, options.batchSize ?? 8);
    this.threads = options.threads;
  }

  /** Loads the model and checks its inputs and outputs; throws `OnnxModelError`. */
  async ready(): Promise<void> {
    await this.load();
  }

  async detect(text: string, _context: DetectContext): Promise<Span[]> {
    const runtime = await this.load();
    const spaced = this.model.leadingSpaceMatters;
    const words = splitWords(text).map((word) => {
      const form = text.slice(word.start, word.end);
      const afterSpace = spaced && word.start > 0 && SPACE.test(text.charAt(word.start - 1));
      return { ...word, ids: this.idsOf(afterSpace ? ` ${form}` : form) };
    });
    if (words.length === 0) return [];
    const best = await this.labelWords(runtime, words);
    const labelled: WordLabel[] = [];
    words.forEach((word, index) => {
      const label = best.label[index]!;
      if (label >= 0) labelled.push({ start: word.start, end: word.end, label: this.labels[label]!, score: best.score[index]! });
    });
    const spans: Span[] = [];
    for (const group of groupWords(labelled)) {
      const type = this.typeOf.get(group.entity);
      if (type === undefined || group.score < (this.thresholds[type] ?? this.minScore)) continue;
      spans.push({ start: group.start, end: group.end, type, score: group.score, detector: this.id });
    }
    return spans;
  }

  private idsOf(word: string): readonly number[] {
    let ids = this.wordIds.get(word);
    if (ids === undefined) {
      ids = this.model.tokenizer.encode(word, { add_special_tokens: false }).ids;
      if (this.wordIds.size >= WORD_CACHE_SIZE) this.wordIds.clear();
      this.wordIds.set(word, ids);
    }
    return ids;
  }

  /**
   * Label index and probability per word. Where windows overlap, a word keeps the answer of
   * the window in which it sits farthest from an edge (the most context on both sides).
   */
  private async labelWords(runtime: Runtime, words: readonly Word[]): Promise<{ label: Int32Array; score: Float32Array }> {
    const label = new Int32Array(words.length).fill(-1);
    const score = new Float32Array(words.length);
    const centrality = new Int32Array(words.length).fill(-1);
    const windows = windowsOf(words, this.budget, this.overlap);
    const { prefixIds, suffixIds, padId } = this.model;
    const labelCount = this.labels.length;
    for (let first = 0; first < windows.length; first += this.batchSize) {
      const batch = windows.slice(first, first + this.batchSize);
      const rows = batch.map((window) => {
        const ids: number[] = [...prefixIds];
        const firstPiece: number[] = [];
        for (let index = window.from; index < window.to; index++) {
          firstPiece.push(ids.length);
          for (const id of words[index]!.ids) if (ids.length - prefixIds.length < this.budget) ids.push(id);
        }
        ids.push(...suffixIds);
        return { window, ids, firstPiece };
      });
      const length = Math.max(...rows.map((row) => row.ids.length));
      const logits = await this.run(runtime, rows.map((row) => row.ids), length, padId);
      rows.forEach((row, rowIndex) => {
        const textEnd = row.ids.length - suffixIds.length;
        row.firstPiece.forEach((position, offset) => {
          const wordIndex = row.window.from + offset;
          const pieces = words[wordIndex]!.ids.length;
          if (pieces === 0 || position >= textEnd) return;
          const central = Math.max(0, Math.min(position - prefixIds.length, textEnd - position - pieces));
          if (central <= centrality[wordIndex]!) return;
          centrality[wordIndex] = central;
          const base = (rowIndex * length + position) * labelCount;
          const [index, probability] = softmaxArgmax(logits, base, labelCount);
          label[wordIndex] = index;
          score[wordIndex] = probability;
        });
      });
    }
    return { label, score };
  }

  private async run(runtime: Runtime, rows: readonly (readonly number[])[], length: number, padId: number): Promise<Float32Array> {
    const { ort, session, inputs, output } = runtime;
    const size = rows.length * length;
    const ids = new BigInt64Array(size).fill(BigInt(padId));
    const mask = new BigInt64Array(size);
    const positions = new BigInt64Array(size);
    rows.forEach((row, rowIndex) => {
      row.forEach((id, column) => {
        ids[rowIndex * length + column] = BigInt(id);
        mask[rowIndex * length + column] = 1n;
        positions[rowIndex * length + column] = BigInt(column);
      });
    });
    const dims = [rows.length, length];
    const feeds: Record<string, Tensor> = { input_ids: new ort.Tensor('int64', ids, dims) };
    if (inputs.has('attention_mask')) feeds['attention_mask'] = new ort.Tensor('int64', mask, dims);
    if (inputs.has('token_type_ids')) feeds['token_type_ids'] = new ort.Tensor('int64', new BigInt64Array(size), dims);
    if (inputs.has('position_ids')) feeds['position_ids'] = new ort.Tensor('int64', positions, dims);
    const result = await session.run(feeds, [output]);
    const logits = result[output];
    const expected = [rows.length, length, this.labels.length];
    if (logits === undefined || logits.type !== 'float32' || logits.dims.join(',') !== expected.join(',')) {
      throw new OnnxModelError(this.model.folder, MODEL_FILE, `output '${output}' has shape [${logits?.dims.join(', ') ?? ''}], expected [${expected.join(', ')}] (batch, tokens, labels in config.json)`);
    }
    return logits.data as Float32Array;
  }

  private load(): Promise<Runtime> {
    this.runtime ??= this.open();
    return this.runtime;
  }

  private async open(): Promise<Runtime> {
    const { folder, modelPath } = this.model;
    const ort = await import('onnxruntime-node');
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, {
        graphOptimizationLevel: 'all',
        ...(this.threads === undefined ? {} : { intraOpNumThreads: this.threads }),
      });
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
      throw new OnnxModelError(folder, MODEL_FILE, `cannot be loaded by onnxruntime (${reason})`, error);
    }
    const inputs = new Set(session.inputNames);
    if (!inputs.has('input_ids')) throw new OnnxModelError(folder, MODEL_FILE, `has no input_ids input (inputs: ${session.inputNames.join(', ')})`);
    const unknown = session.inputNames.filter((name) => !INPUTS_WE_FILL.has(name));
    if (unknown.length > 0) throw new OnnxModelError(folder, MODEL_FILE, `needs input ${unknown.join(', ')}, which a token classifier is not given`);
    const output = session.outputNames.includes('logits') ? 'logits' : session.outputNames.length === 1 ? session.outputNames[0]! : undefined;
    if (output === undefined) throw new OnnxModelError(folder, MODEL_FILE, `has several outputs and none is named logits (${session.outputNames.join(', ')})`);
    const metadata = session.outputMetadata.find((item) => item.name === output);
    const shape = metadata !== undefined && metadata.isTensor ? metadata.shape : [];
    const labelAxis = shape[shape.length - 1];
    if (typeof labelAxis === 'number' && labelAxis !== this.labels.length) {
      throw new OnnxModelError(folder, MODEL_FILE, `outputs ${labelAxis} labels but config.json id2label has ${this.labels.length}`);
    }
    return { ort, session, inputs, output };
  }
}

/** Index of the largest logit in `row` and its softmax probability. */
function softmaxArgmax(logits: Float32Array, base: number, count: number): [number, number] {
  let best = 0;
  for (let index = 1; index < count; index++) if (logits[base + index]! > logits[base + best]!) best = index;
  const top = logits[base + best]!;
  let sum = 0;
  for (let index = 0; index < count; index++) sum += Math.exp(logits[base + index]! - top);
  return [best, 1 / sum];
}

/** Creates the detector and loads its model, so every problem surfaces here. */
export async function loadOnnxDetector(options: OnnxDetectorOptions): Promise<OnnxDetector> {
  const detector = new OnnxDetector(options);
  await detector.ready();
  return detector;
}
