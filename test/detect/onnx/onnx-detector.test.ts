/**
 * End to end on the tiny fixture model (scripts/build-onnx-fixture.py): its hand-set weights
 * give `ali`+`##ce`, `bob`, `smith` person labels, `paris`, `zur`+`##ich`, `new`+`york` location
 * labels, `acme`+`corp` organisation labels and `jordan` a weak person label, so these tests
 * check tokenisation, offsets, aggregation and label mapping, not model quality.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { DetectionEngine } from '../../../src/detect/engine.js';
import { OnnxModelError } from '../../../src/detect/onnx/model-folder.js';
import { loadOnnxDetector, OnnxDetector, type OnnxDetectorOptions } from '../../../src/detect/onnx/onnx-detector.js';
import { emailDetector } from '../../../src/detect/rules/email.js';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/onnx-tiny');
const LABELS = { PER: 'PERSON', LOC: 'LOCATION' } as const;

function found(text: string, spans: readonly Span[]): string[] {
  return spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
}

let detector: OnnxDetector;
beforeAll(async () => {
  detector = await loadOnnxDetector({ path: FIXTURE, labels: LABELS });
});

describe('OnnxDetector on the fixture model', () => {
  it('finds multi-piece and multi-word entities with exact offsets', async () => {
    const text = 'Alice Smith went to New York, and Bob to Paris!';
    const spans = await detector.detect(text, {});
    expect(found(text, spans)).toEqual(['PERSON:Alice Smith', 'LOCATION:New York', 'PERSON:Bob', 'LOCATION:Paris']);
    expect(spans[0]).toMatchObject({ start: 0, end: 11, detector: 'onnx.onnx-tiny' });
    // Softmax of the piece's margin of 4 against six other labels (O carries a bias of 0.5).
    expect(spans[0]!.score).toBeCloseTo(Math.exp(4) / (Math.exp(4) + Math.exp(0.5) + 5), 5);
  });

  it('maps offsets back through lower-casing, accent stripping and UTF-16 surrogates', async () => {
    const text = '😀 ZÜRICH, Zu\u0308rich and zürich; ALICE’s';
    const spans = await detector.detect(text, {});
    expect(found(text, spans)).toEqual(['LOCATION:ZÜRICH', 'LOCATION:Zu\u0308rich', 'LOCATION:zürich', 'PERSON:ALICE']);
    expect(spans.map((span) => [span.start, span.end])).toEqual([
      [3, 9],
      [11, 18],
      [23, 29],
      [31, 36],
    ]);
  });

  it('ignores model labels the configuration does not map, and maps those it does', async () => {
    const text = 'Bob works at Acme Corp in Paris.';
    expect(found(text, await detector.detect(text, {}))).toEqual(['PERSON:Bob', 'LOCATION:Paris']);
    const withOrg = await loadOnnxDetector({ path: FIXTURE, labels: { ORG: 'ORG' }, id: 'orgs' });
    const spans = await withOrg.detect(text, {});
    expect(found(text, spans)).toEqual(['ORG:Acme Corp']);
    expect(spans[0]!.detector).toBe('onnx.orgs');
    expect(withOrg.types).toEqual(['ORG']);
  });

  it('drops spans under the minimum score, per type when configured', async () => {
    const text = 'Jordan met Alice.';
    // jordan's person logit margin is 1: about 0.31, under the default 0.5.
    expect(found(text, await detector.detect(text, {}))).toEqual(['PERSON:Alice']);
    const lenient = await loadOnnxDetector({ path: FIXTURE, labels: LABELS, minScore: 0.2 });
    expect(found(text, await lenient.detect(text, {}))).toEqual(['PERSON:Jordan', 'PERSON:Alice']);
    const strictPeople = await loadOnnxDetector({ path: FIXTURE, labels: LABELS, minScore: 0.2, thresholds: { PERSON: 0.95 } });
    expect(found('Jordan met Alice in Paris', await strictPeople.detect('Jordan met Alice in Paris', {}))).toEqual(['LOCATION:Paris']);
  });

  it('labels a long text in overlapping windows with the same result as short pieces', async () => {
    const sentence = 'Bob and Alice Smith went to the works in New York and Paris. ';
    const text = sentence.repeat(30);
    const small = await loadOnnxDetector({ path: FIXTURE, labels: LABELS, maxLength: 12, overlap: 4 });
    const spans = await small.detect(text, {});
    const one = found(sentence, await detector.detect(sentence, {}));
    expect(one).toEqual(['PERSON:Bob', 'PERSON:Alice Smith', 'LOCATION:New York', 'LOCATION:Paris']);
    expect(found(text, spans)).toEqual(Array.from({ length: 30 }, () => one).flat());
    expect(spans.every((span, index) => index === 0 || span.start >= spans[index - 1]!.end)).toBe(true);
  });

  it('finds nothing in blank or unknown text', async () => {
    expect(await detector.detect('', {})).toEqual([]);
    expect(await detector.detect('  \n ', {})).toEqual([]);
    expect(await detector.detect('qqq zzz 42', {})).toEqual([]);
  });

  it('makes only an engine that includes it asynchronous', async () => {
    const sync = new DetectionEngine({ detectors: [emailDetector], cache: false });
    expect(Array.isArray(sync.detect('a@b.example'))).toBe(true);
    const mixed = new DetectionEngine({ detectors: [emailDetector, detector], cache: false });
    const result = mixed.detect('Alice: alice@example.com');
    expect(result).toBeInstanceOf(Promise);
    expect(found('Alice: alice@example.com', await result)).toEqual(['PERSON:Alice', 'EMAIL:alice@example.com']);
  });
});

describe('OnnxDetector with a byte-level BPE tokenizer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veil-onnx-bpe-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tokenises a word with the space before it, as RoBERTa-style tokenizers expect', async () => {
    // Ids chosen so the fixture model labels only `Ġalice` (id 5) a person; `alice` (28) is O.
    const vocab = { '<pad>': 0, '<unk>': 1, '<s>': 2, '</s>': 3, Ġalice: 5, a: 17, l: 18, i: 19, c: 20, e: 21, m: 22, t: 23, Ġ: 24, al: 25, ali: 26, alic: 27, alice: 28, me: 29, met: 30 };
    const special = (content: keyof typeof vocab) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    const tokenizer = {
      version: '1.0',
      added_tokens: (['<pad>', '<unk>', '<s>', '</s>'] as const).map(special),
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'RobertaProcessing', sep: ['</s>', 3], cls: ['<s>', 2], trim_offsets: true, add_prefix_space: false },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', unk_token: '<unk>', fuse_unk: false, byte_fallback: false, vocab, merges: ['a l', 'al i', 'ali c', 'alic e', 'Ġ alice', 'm e', 'me t'] },
    };
    const folder = join(dir, 'bpe');
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    await writeFile(join(folder, 'tokenizer.json'), JSON.stringify(tokenizer));
    await writeFile(join(folder, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<pad>', model_max_length: 512 }));
    for (const file of ['model.onnx', 'config.json']) await copyFile(join(FIXTURE, file), join(folder, file));
    const bpe = await loadOnnxDetector({ path: folder, labels: LABELS });
    const text = 'alice met alice.\nalice';
    expect((await bpe.detect(text, {})).map((span) => [span.type, span.start, span.end])).toEqual([
      ['PERSON', 10, 15],
      ['PERSON', 17, 22],
    ]);
  });
});

describe('OnnxDetector start-up errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veil-onnx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the fixture with `edit` applied: file name → new content, or null to delete. */
  async function variant(name: string, edit: Record<string, string | null>): Promise<string> {
    const folder = join(dir, name);
    await rm(folder, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    for (const file of ['model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json']) {
      if (edit[file] === undefined) await copyFile(join(FIXTURE, file), join(folder, file));
      else if (edit[file] !== null) await writeFile(join(folder, file), edit[file]);
    }
    return folder;
  }

  function failure(options: OnnxDetectorOptions): OnnxModelError {
    try {
      new OnnxDetector(options);
    } catch (error) {
      expect(error).toBeInstanceOf(OnnxModelError);
      return error as OnnxModelError;
    }
    throw new Error('expected an OnnxModelError');
  }

  it('names a missing folder', () => {
    const error = failure({ path: join(dir, 'nowhere'), labels: LABELS });
    expect(error.message).toBe(`ONNX model folder ${join(dir, 'nowhere')}: no such folder`);
    expect(error.code).toBe('config_error');
  });

  it('names the file and the problem for each broken file', async () => {
    const cases: [Record<string, string | null>, string, RegExp][] = [
      [{ 'config.json': null }, 'config.json', /file is missing/],
      [{ 'config.json': '{"id2label": ' }, 'config.json', /not valid JSON/],
      [{ 'config.json': '{"model_type": "bert"}' }, 'config.json', /no id2label/],
      [{ 'config.json': '{"id2label": {"0": "O", "2": "B-PER"}}' }, 'config.json', /no entry 1/],
      [{ 'tokenizer.json': null }, 'tokenizer.json', /file is missing/],
      [{ 'tokenizer.json': '{"version": "1.0"}' }, 'tokenizer.json', /not a tokenizer export/],
      [{ 'tokenizer_config.json': '[1]' }, 'tokenizer_config.json', /not a JSON object/],
      [{ 'model.onnx': null }, 'model.onnx', /file is missing/],
      [{ 'model.onnx': '' }, 'model.onnx', /file is empty/],
    ];
    for (const [index, [edit, file, problem]] of cases.entries()) {
      const folder = await variant(`case-${index}`, edit);
      const error = failure({ path: folder, labels: LABELS });
      expect(error.data).toMatchObject({ folder, file });
      expect(error.message).toMatch(problem);
      expect(error.message.startsWith(`ONNX model ${join(folder, file)}: `)).toBe(true);
    }
  });

  it('refuses labels the model does not have, or none at all', () => {
    expect(failure({ path: FIXTURE, labels: { PERSON: 'PERSON' } }).message).toMatch(
      /id2label has no entity 'PERSON' named in labels \(the model has PER, LOC, ORG\)/,
    );
    expect(failure({ path: FIXTURE, labels: {} }).message).toMatch(/maps none of the model's entities/);
  });

  it('fails ready() when onnxruntime cannot load the model or its outputs do not fit config.json', async () => {
    const garbage = await variant('garbage', { 'model.onnx': 'not a protobuf at all' });
    const broken = new OnnxDetector({ path: garbage, labels: LABELS });
    await expect(broken.ready()).rejects.toThrow(/model\.onnx: cannot be loaded by onnxruntime/);
    await expect(broken.detect('Alice', {})).rejects.toBeInstanceOf(OnnxModelError);

    const fewer = await variant('fewer-labels', { 'config.json': JSON.stringify({ id2label: { 0: 'O', 1: 'B-PER', 2: 'I-PER' } }) });
    await expect(loadOnnxDetector({ path: fewer, labels: { PER: 'PERSON' } })).rejects.toThrow(
      /outputs 7 labels but config.json id2label has 3/,
    );
  });
});
