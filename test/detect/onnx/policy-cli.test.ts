/**
 * An ONNX detector configured through the policy file's `detectors.onnx` section, end to end
 * through `veil detect --config` (policy load, path resolution, model load, engine, merge).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../cli/run-cli.js';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/onnx-tiny');
const TEXT = 'Alice Smith flew from New York to Paris; write to alice@example.com. Jordan met Bob.';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-onnx-policy-'));
  // A path relative to the policy file, as a user would write it.
  await writeFile(
    join(dir, 'veil.yaml'),
    [
      'detectors:',
      '  disable: [ner.builtin]',
      '  thresholds: { LOCATION: 0.95 }',
      '  onnx:',
      '    - id: tiny',
      `      path: ${relative(dir, FIXTURE)}`,
      '      labels: { PER: PERSON, LOC: LOCATION }',
      '      min_score: 0.2',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'broken.yaml'), ['detectors:', '  onnx:', '    - path: no-such-model', '      labels: { PER: PERSON }', ''].join('\n'));
  await writeFile(join(dir, 'text.txt'), TEXT);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function values(json: string): string[] {
  return (JSON.parse(json) as { spans: { start: number; end: number; type: string; detector: string }[] }).spans.map(
    (span) => `${span.type}:${TEXT.slice(span.start, span.end)}:${span.detector}`,
  );
}

describe('veil detect --config with an ONNX model', () => {
  it('detects with the model the policy names, merged with the rules', async () => {
    const run = await runCliInProcess(['detect', '--config', join(dir, 'veil.yaml'), '--json', join(dir, 'text.txt')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(values(run.stdout)).toEqual([
      'PERSON:Alice Smith:onnx.tiny',
      'EMAIL:alice@example.com:rules.email',
      'PERSON:Jordan:onnx.tiny',
      'PERSON:Bob:onnx.tiny',
    ]);
  });

  it('explains which detector found what and why the rest was dropped', async () => {
    const run = await runCliInProcess(['detect', '--config', join(dir, 'veil.yaml'), '--explain', '--json', join(dir, 'text.txt')]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      spans: { detector: string; tier: string }[];
      dropped: { start: number; end: number; type: string; detector: string; reason: string; why: string; winner?: { detector: string } }[];
      detectors: { detector: string; found: number }[];
    };
    expect(report.spans[0]).toMatchObject({ detector: 'onnx.tiny', tier: 'ner' });
    const why = report.dropped.map((drop) => `${drop.type}:${TEXT.slice(drop.start, drop.end)}:${drop.reason}`);
    expect(why).toEqual(['LOCATION:New York:type_threshold', 'LOCATION:Paris:type_threshold', 'PERSON:alice:overlap']);
    expect(report.dropped[2]).toMatchObject({ winner: { detector: 'rules.email' }, why: expect.stringContaining('lost to rules.email EMAIL') });
    expect(report.detectors.find((run) => run.detector === 'onnx.tiny')?.found).toBe(6);
    expect(report.detectors.some((run) => run.detector === 'ner.builtin')).toBe(false);

    const human = await runCliInProcess(['detect', '--config', join(dir, 'veil.yaml'), '--explain', join(dir, 'text.txt')]);
    expect(human.stdout).toMatch(/^kept \(4\):\n/);
    expect(human.stdout).toContain('below threshold 0.95 for LOCATION');
    // Offsets and types only: no span text in the output.
    expect(human.stdout).not.toContain('Alice');
  });

  it('measures the model with veil eval --config', async () => {
    const record = (id: string, text: string, spans: [number, number, string][]) =>
      JSON.stringify({ id, source: 'tiny', text, spans: spans.map(([start, end, label]) => ({ start, end, label, text: text.slice(start, end) })) });
    await writeFile(
      join(dir, 'tiny.jsonl'),
      [record('1', 'Bob went to Paris.', [[0, 3, 'PERSON'], [12, 17, 'LOCATION']]), record('2', 'We met Alice Smith.', [[7, 18, 'PERSON']])].join('\n'),
    );
    const run = await runCliInProcess(['eval', '--config', join(dir, 'veil.yaml'), '--json', '--no-save', join(dir, 'tiny.jsonl')]);
    expect(run.stderr).toBe('');
    const labels = (JSON.parse(run.stdout) as { files: { labels: Record<string, { recall: number; predicted: number }> }[] }).files[0]!.labels;
    // veil.yaml sets LOCATION's threshold above the model's 0.89, so only the people are found.
    expect(labels['PERSON']).toMatchObject({ recall: 1, predicted: 2 });
    expect(labels['LOCATION']).toMatchObject({ recall: 0, predicted: 0 });
  });

  it('fails with the policy line and the folder problem when the model folder is missing', async () => {
    const run = await runCliInProcess(['detect', '--config', join(dir, 'broken.yaml'), join(dir, 'text.txt')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`broken.yaml:3:13: detectors.onnx.0.path: ONNX model folder ${join(dir, 'no-such-model')}: no such folder`);
  });
});
