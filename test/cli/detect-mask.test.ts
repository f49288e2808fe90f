import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './run-cli.js';

const LINE = 'Write to maria@example.com or call +1 415 555 0132.';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('veil (no command)', () => {
  it('prints help and exits 2', async () => {
    const run = await runCliInProcess([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Commands:');
  });

  it('rejects an unknown command with exit 2', async () => {
    const run = await runCliInProcess(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('veil detect', () => {
  it('lists spans without values', async () => {
    const run = await runCliInProcess(['detect'], { stdin: LINE });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/EMAIL/);
    expect(run.stdout).toMatch(/PHONE/);
    expect(run.stdout).not.toContain('maria@example.com');
  });

  it('prints JSON with UTF-16 offsets', async () => {
    const run = await runCliInProcess(['detect', '--json'], { stdin: `😀 ${LINE}` });
    const { spans } = JSON.parse(run.stdout) as { spans: Array<{ start: number; end: number; type: string }> };
    const email = spans.find((span) => span.type === 'EMAIL');
    expect(email).toBeDefined();
    expect(`😀 ${LINE}`.slice(email?.start, email?.end)).toBe('maria@example.com');
  });

  it('streams the --jsonl batch form in input order', async () => {
    const file = join(dir, 'batch.jsonl');
    await writeFile(file, [JSON.stringify({ id: 'a', text: LINE }), '', JSON.stringify({ id: 7, text: 'nothing' })].join('\n'));
    const run = await runCliInProcess(['detect', '--jsonl', file]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: unknown; spans: unknown[] });
    expect(lines.map((line) => line.id)).toEqual(['a', 7]);
    expect(lines[0]?.spans.length).toBeGreaterThanOrEqual(2);
    expect(lines[1]?.spans).toEqual([]);
    expect(run.stdout).not.toContain('maria@');
  });

  it('names file and line on bad JSONL input (exit 1)', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify({ id: 1, text: 'ok' })}\n{not json\n`);
    const run = await runCliInProcess(['detect', '--jsonl', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:2`);
  });

  it('reports a missing file with exit 1', async () => {
    const run = await runCliInProcess(['detect', join(dir, 'nope.txt')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no such file');
  });

  it('reports bad options with exit 2', async () => {
    const run = await runCliInProcess(['detect', '--bogus']);
    expect(run.code).toBe(2);
  });
});

describe('veil mask', () => {
  it('masks stdin to stdout', async () => {
    const run = await runCliInProcess(['mask'], { stdin: LINE });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Write to <<EMAIL_1>> or call <<PHONE_1>>.');
  });

  it('prints entities without values with --json', async () => {
    const run = await runCliInProcess(['mask', '--json'], { stdin: LINE });
    const result = JSON.parse(run.stdout) as { text: string; entities: Array<{ type: string; token: string }> };
    expect(result.text).toContain('<<EMAIL_1>>');
    expect(result.entities.map((entity) => entity.token)).toEqual(['EMAIL_1', 'PHONE_1']);
    expect(run.stdout).not.toContain('maria@example.com');
  });

  it('requires --session for unmask (exit 2)', async () => {
    const run = await runCliInProcess(['unmask'], { stdin: '<<EMAIL_1>>' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--session');
  });
});
