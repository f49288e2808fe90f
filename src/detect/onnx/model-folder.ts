/**
 * Reads a Hugging Face-style token-classification export from a local folder (`config.json`
 * with `id2label`, `tokenizer.json`, optional `tokenizer_config.json`, `model.onnx`) and checks
 * everything that can be checked without running the model. Every problem is an
 * `OnnxModelError` naming the folder, the file and what is wrong; none quotes text content.
 * Nothing is ever fetched: the folder is all there is.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { VeilError, VeilErrorCode } from '../../core/errors.js';

export const MODEL_FILE = 'model.onnx';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const CONFIG_FILE = 'config.json';

/** A folder, file or model that cannot be used; `data.file` says which file, `data.problem` what. */
export class OnnxModelError extends VeilError {
  constructor(folder: string, file: string | undefined, problem: string, cause?: unknown) {
    const where = file === undefined ? `ONNX model folder ${folder}` : `ONNX model ${join(folder, file)}`;
    super(VeilErrorCode.Config, `${where}: ${problem}`, {
      data: { folder, ...(file === undefined ? {} : { file }), problem },
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'OnnxModelError';
  }
}

/**
 * The part of `@huggingface/tokenizers` used here, typed locally: the package's declaration
 * files use extension-less relative imports, which NodeNext resolution does not follow.
 */
export interface WordTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
}

export interface ModelFolder {
  /** Absolute path of the folder. */
  readonly folder: string;
  readonly modelPath: string;
  readonly tokenizer: WordTokenizer;
  /** Label of each output index, from `config.json` `id2label`. */
  readonly labels: readonly string[];
  /** Most tokens per model call (special tokens included), when the files say. */
  readonly maxLength: number | undefined;
  /** Id used for padding in batched calls. */
  readonly padId: number;
  /** Ids the tokenizer puts before and after a sequence (e.g. `[CLS]` and `[SEP]`). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  /**
   * Whether a word reads differently after a space (byte-level BPE's `Ġword`, a Metaspace that
   * does not prepend `▁`): then a word is tokenised with the space it had in the text.
   */
  readonly leadingSpaceMatters: boolean;
}

/** Modification times of the files that make up the model, for caches that must notice edits. */
export function folderStamp(folder: string): string {
  return [CONFIG_FILE, TOKENIZER_FILE, TOKENIZER_CONFIG_FILE, MODEL_FILE]
    .map((file) => {
      try {
        return String(statSync(join(folder, file)).mtimeMs);
      } catch {
        return '-';
      }
    })
    .join(':');
}

function readJson(folder: string, file: string, required: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(join(folder, file), 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new OnnxModelError(folder, file, code === 'ENOENT' ? 'file is missing' : `cannot be read (${code ?? 'read error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OnnxModelError(folder, file, 'is not valid JSON');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{"0": "O", "1": "B-PER", ...}` as an array; indices must run 0..n-1. */
function readLabels(folder: string, config: unknown): string[] {
  const id2label = isRecord(config) ? config['id2label'] : undefined;
  if (!isRecord(id2label) || Object.keys(id2label).length === 0) {
    throw new OnnxModelError(folder, CONFIG_FILE, 'has no id2label mapping (expected {"0": "O", "1": "B-PER", ...})');
  }
  const labels: string[] = [];
  for (const [key, value] of Object.entries(id2label)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || String(index) !== key.trim()) {
      throw new OnnxModelError(folder, CONFIG_FILE, `id2label key '${key}' is not a label index`);
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw new OnnxModelError(folder, CONFIG_FILE, `id2label entry ${key} is not a label name`);
    }
    labels[index] = value.trim();
  }
  for (let index = 0; index < labels.length; index++) {
    if (labels[index] === undefined) throw new OnnxModelError(folder, CONFIG_FILE, `id2label has no entry ${index}`);
  }
  return labels;
}

function positiveInteger(value: unknown): number | undefined {
  // Tokenizer configs say "no limit" with a huge sentinel (1e30); treat that as unknown.
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1_000_000 ? value : undefined;
}

function loadTokenizer(folder: string): { tokenizer: WordTokenizer; tokenizerConfig: Record<string, unknown> } {
  const json = readJson(folder, TOKENIZER_FILE, true);
  if (!isRecord(json) || !isRecord(json['model'])) {
    throw new OnnxModelError(folder, TOKENIZER_FILE, 'is not a tokenizer export (no "model" section)');
  }
  const config = readJson(folder, TOKENIZER_CONFIG_FILE, false) ?? {};
  if (!isRecord(config)) throw new OnnxModelError(folder, TOKENIZER_CONFIG_FILE, 'is not a JSON object');
  try {
    return { tokenizer: new Tokenizer(json, config) as WordTokenizer, tokenizerConfig: config };
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
    throw new OnnxModelError(folder, TOKENIZER_FILE, `cannot be loaded by @huggingface/tokenizers (${reason})`, error);
  }
}

/** Where the tokenizer puts a sequence between its special tokens, found by encoding a probe. */
function specialTokenFrame(folder: string, tokenizer: WordTokenizer): { prefixIds: number[]; suffixIds: number[] } {
  const probe = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const framed = tokenizer.encode('a', { add_special_tokens: true }).ids;
  if (probe.length === 0) throw new OnnxModelError(folder, TOKENIZER_FILE, 'turns plain text into no tokens');
  for (let at = 0; at + probe.length <= framed.length; at++) {
    if (probe.every((id, offset) => framed[at + offset] === id)) {
      return { prefixIds: framed.slice(0, at), suffixIds: framed.slice(at + probe.length) };
    }
  }
  throw new OnnxModelError(folder, TOKENIZER_FILE, 'post-processor does not keep the text tokens together');
}

function padIdOf(tokenizer: WordTokenizer, tokenizerConfig: Record<string, unknown>): number {
  const named = tokenizerConfig['pad_token'];
  const name = typeof named === 'string' ? named : isRecord(named) && typeof named['content'] === 'string' ? named['content'] : undefined;
  for (const candidate of [name, '[PAD]', '<pad>']) {
    const id = candidate === undefined ? undefined : tokenizer.token_to_id(candidate);
    if (id !== undefined) return id;
  }
  return 0;
}

/** Reads and checks the folder. Throws `OnnxModelError`. */
export function readModelFolder(path: string): ModelFolder {
  const folder = resolve(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new OnnxModelError(folder, undefined, 'no such folder');
  }
  if (!isFolder) throw new OnnxModelError(folder, undefined, 'is not a folder');
  const config = readJson(folder, CONFIG_FILE, true);
  const labels = readLabels(folder, config);
  const { tokenizer, tokenizerConfig } = loadTokenizer(folder);
  const modelPath = join(folder, MODEL_FILE);
  let size: number;
  try {
    size = statSync(modelPath).size;
  } catch {
    throw new OnnxModelError(folder, MODEL_FILE, 'file is missing');
  }
  if (size === 0) throw new OnnxModelError(folder, MODEL_FILE, 'file is empty');
  // The tokenizer's limit and the model's position table may disagree; the smaller one holds.
  const limits = [tokenizerConfig['model_max_length'], isRecord(config) ? config['max_position_embeddings'] : undefined]
    .map(positiveInteger)
    .filter((limit): limit is number => limit !== undefined);
  const maxLength = limits.length === 0 ? undefined : Math.min(...limits);
  return {
    folder,
    modelPath,
    tokenizer,
    labels,
    maxLength,
    padId: padIdOf(tokenizer, tokenizerConfig),
    ...specialTokenFrame(folder, tokenizer),
    leadingSpaceMatters: tokenizer.encode(' a', { add_special_tokens: false }).ids.join() !== tokenizer.encode('a', { add_special_tokens: false }).ids.join(),
  };
}
