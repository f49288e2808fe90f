import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { evalCommand, runEval } from '../../src/cli/commands/eval.js';
import type { Masker } from '../../src/eval/evaluate.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: readonly string[], masker?: Masker, stderrIsTTY = false): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const io: CliIO = { stdin: new PassThrough(), stdout, stderr, stderrIsTTY, env: {}, cwd: process.cwd() };
  const code = masker === undefined ? await evalCommand.run(args, io) : await runEval(args, io, masker);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A masker that finds e-mails and nothing else, so expected numbers are known exactly. */
const emailMasker: Masker = (text) => {
  const spans = [...text.matchAll(/[\w.]+@[\w.]+\w/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, type: 'EMAIL' }));
  let masked = text;
  for (const span of [...spans].reverse()) masked = `${masked.slice(0, span.start)}<<EMAIL_1>>${masked.slice(span.end)}`;
  return { masked, spans };
};

let dir: string;
let corpus: string;
let unlisted: string;

const records = [
  { id: '1', text: 'Write to ana@example.com or call Ana Lima.', spans: [
    { start: 9, end: 24, label: 'EMAIL', text: 'ana@example.com' },
    { start: 33, end: 41, label: 'PERSON', text: 'Ana Lima' },
  ] },
  { id: '2', text: 'No personal data in this one.', spans: [] },
  { id: '3', text: 'ops@example.org is unlabelled here', spans: [] },
  { id: '4', text: '📺 Bo Diddley 🎸 bo@example.net', has_astral: true, spans: [
    { start: 2, end: 12, start16: 3, end16: 13, label: 'PERSON', text: 'Bo Diddley' },
    { start: 15, end: 29, start16: 17, end16: 31, label: 'EMAIL', text: 'bo@example.net' },
  ] },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-eval-'));
  corpus = join(dir, 'tiny.jsonl');
  unlisted = join(dir, 'unlisted.jsonl');
  const body = records.map((record) => JSON.stringify(record)).join('\n') + '\n';
  await writeFile(corpus, body);
  await writeFile(unlisted, body);
  // EMAIL is not annotated: the extra e-mail in record 3 must not count against precision.
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ 'tiny.jsonl': { annotated_labels: ['PERSON'] } }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('veil eval, end to end with the engine', () => {
  it('prints one JSON object of the documented shape', async () => {
    const result = await run([corpus, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { files: Record<string, unknown>[] };
    expect(report.files).toHaveLength(1);
    const file = report.files[0] as Record<string, Record<string, unknown>>;
    expect(file['file']).toBe(corpus);
    expect(file['records']).toBe(4);
    expect(Object.keys(file['labels'] ?? {}).sort()).toEqual(['EMAIL', 'PERSON']);
    for (const label of Object.values(file['labels'] ?? {})) {
      expect(Object.keys(label as object)).toEqual(
        expect.arrayContaining(['gold', 'recall', 'recall_strict', 'precision', 'span_leak_rate']),
      );
    }
    expect(file['labels']?.['PERSON']).toMatchObject({ gold: 2 });
    expect(Object.keys(file['overall'] ?? {})).toEqual(
      expect.arrayContaining(['recall', 'precision', 'span_leak_rate', 'token_leak_rate', 'over_masking_rate']),
    );
    expect(Object.keys(file['latency_ms'] ?? {})).toEqual(expect.arrayContaining(['p50', 'p95']));
    expect(typeof file['latency_ms']?.['p50']).toBe('number');
  });

  it('prints an aligned table without --json', async () => {
    const result = await run([corpus]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('tiny.jsonl: 4 records (2 with spans)');
    expect(result.stdout).toMatch(/^label +gold +recall +strict +predicted +precision +span leak +token leak$/m);
    expect(result.stdout).toMatch(/^overall +4 /m);
  });
});

describe('veil eval numbers through the command', () => {
  it('scores with the manifest, astral offsets and over-masking', async () => {
    const result = await run([corpus, '--json'], emailMasker);
    const file = (JSON.parse(result.stdout) as { files: { labels: Record<string, unknown>; overall: unknown }[] }).files[0];
    expect(file?.labels['EMAIL']).toMatchObject({ gold: 2, recall: 1, recall_strict: 1, precision: null, span_leak_rate: 0 });
    expect(file?.labels['PERSON']).toMatchObject({ gold: 2, recall: 0, precision: null, span_leak_rate: 1 });
    expect(file?.overall).toMatchObject({
      recall: 0.5,
      precision: null,
      span_leak_rate: 0.5,
      // words: ana, example, com, Ana, Lima, Diddley, example, net -> Ana, Lima, Diddley leak
      token_leak_rate: 3 / 8,
      over_masking_rate: 0.5,
      unscored_predictions: { EMAIL: 3 },
    });
  });

  it('falls back to the gold labels for a file missing from the manifest', async () => {
    const result = await run([unlisted, '--json'], emailMasker);
    const file = (JSON.parse(result.stdout) as { files: Record<string, unknown>[] }).files[0] as {
      labels: Record<string, unknown>;
    };
    // EMAIL is a gold label now, so the unlabelled ops@ address is a false positive.
    expect(file?.labels['EMAIL']).toMatchObject({ precision: 2 / 3 });
    expect(file).toMatchObject({ annotated_labels_source: 'gold', annotated_labels: ['EMAIL', 'PERSON'] });
  });

  it('reports several files and honours --labels', async () => {
    const result = await run([corpus, unlisted, '--json', '--labels', 'email'], emailMasker);
    const report = JSON.parse(result.stdout) as { files: { labels: Record<string, unknown> }[] };
    expect(report.files).toHaveLength(2);
    expect(report.files.map((file) => Object.keys(file.labels))).toEqual([['EMAIL'], ['EMAIL']]);
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    expect((await run([corpus, '--json'], emailMasker, false)).stderr).toBe('');
    expect((await run([corpus, '--json'], emailMasker, true)).stderr).toContain('4 records');
  });
});

describe('veil eval errors', () => {
  async function badFile(name: string, lines: readonly string[]): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, lines.join('\n') + '\n');
    return path;
  }

  it.each([
    ['bad-json.jsonl', ['{"text": "fine", "spans": []}', '', '{"text": "Secretname Oddly', ''], 3, 'invalid JSON'],
    ['no-text.jsonl', ['{"spans": []}'], 1, "missing or non-string 'text'"],
    ['range.jsonl', ['{"text": "ok"}', '{"text": "Secretname", "spans": [{"start": 0, "end": 99, "label": "PERSON"}]}'], 2, 'out of range'],
  ])('%s: exit 1 naming file and line, without record text', async (name, lines, line, reason) => {
    const path = await badFile(name, lines);
    const result = await run([path, '--json'], emailMasker);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path}:${line}: `);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).not.toContain('Secretname');
  });

  it('exits 1 on a broken manifest.json, naming it', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'veil-eval-manifest-'));
    try {
      await writeFile(join(broken, 'a.jsonl'), '{"text": "hi"}\n');
      await writeFile(join(broken, 'manifest.json'), '{"a.jsonl": ');
      const result = await run([join(broken, 'a.jsonl')], emailMasker);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${join(broken, 'manifest.json')}: invalid JSON`);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('names the record when the engine throws', async () => {
    const failing: Masker = () => {
      throw new Error('boom');
    };
    await expect(run([corpus], failing)).rejects.toThrow(`${corpus}:1: masking failed`);
  });

  it('exits 1 on a missing file', async () => {
    const result = await run([join(dir, 'nope.jsonl')], emailMasker);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nope.jsonl: no such file');
  });

  it.each([[[]], [['--labels']], [['x.jsonl', '--labels', 'NOPE']], [['x.jsonl', '--bogus']], [['-']]])(
    'exits 2 on usage error %j',
    async (args) => {
      const result = await run(args, emailMasker);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: veil eval');
    },
  );
});
