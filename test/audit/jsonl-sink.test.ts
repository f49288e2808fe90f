import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAuditSinkContract } from '../conformance/audit-sink.contract.js';
import { JsonlAuditSink } from '../../src/audit/sinks/jsonl.js';
import { prepareEvent, type PendingAuditEvent } from '../../src/audit/event.js';
import { verifyAudit } from '../../src/audit/verify.js';

const root = mkdtempSync(join(tmpdir(), 'veil-jsonl-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const newDir = (): string => mkdtempSync(join(root, `d${(counter += 1)}-`));
const dataDirOf = (sink: JsonlAuditSink): string => join(sink.dir, '..');

async function opened(sink: JsonlAuditSink): Promise<JsonlAuditSink> {
  await sink.open();
  return sink;
}

/** Rewrites the event lines, keeping the file layout: each file keeps its line count, the last takes the rest. */
function rewrite(dir: string, edit: (lines: string[]) => string[]): void {
  const files = readdirSync(dir)
    .filter((name) => name.startsWith('events-'))
    .sort();
  const counts = files.map((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== '').length);
  const all = files.flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== ''));
  const edited = edit(all);
  let at = 0;
  files.forEach((name, i) => {
    const take = i === files.length - 1 ? edited.length - at : Math.min(counts[i] ?? 0, edited.length - at);
    const chunk = edited.slice(at, at + take);
    at += take;
    writeFileSync(join(dir, name), chunk.map((line) => `${line}\n`).join(''));
  });
}

runAuditSinkContract({
  name: 'jsonl',
  create: async () => opened(new JsonlAuditSink({ dataDir: newDir(), maxFileBytes: 4096 })),
  reopen: async (sink) => opened(new JsonlAuditSink({ dataDir: dataDirOf(sink as JsonlAuditSink), maxFileBytes: 4096 })),
  rewriteEvents: async (sink, edit) => rewrite((sink as JsonlAuditSink).dir, edit),
  skip: {
    reason: 'a JSONL audit log has one writer process (writer.lock); replicas share the PostgreSQL sink',
    tests: ['two writers on the same storage lose and duplicate nothing'],
  },
});

let clock = Date.parse('2026-05-01T23:59:50.000Z');
function events(count: number, stepMs = 1000): PendingAuditEvent[] {
  return Array.from({ length: count }, () => {
    clock += stepMs;
    return prepareEvent({ kind: 'request', tenant: 'acme', time: new Date(clock).toISOString() });
  });
}

describe('JsonlAuditSink specifics', () => {
  it('rotates by size and by UTC day without breaking the chain', async () => {
    const dataDir = newDir();
    const sink = await opened(new JsonlAuditSink({ dataDir, maxFileBytes: 2048 }));
    await sink.append(events(3));
    // These cross midnight (2026-05-02) and outgrow 2 KB files.
    await sink.append(events(20));
    await sink.close();
    const files = readdirSync(sink.dir).filter((name) => name.startsWith('events-')).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(files[0]).toBe('events-000000000001-20260501.jsonl');
    expect(files.some((name) => name.endsWith('-20260502.jsonl'))).toBe(true);
    for (const name of files) expect(statSync(join(sink.dir, name)).size).toBeLessThanOrEqual(2048);
    const reader = await opened(new JsonlAuditSink({ dataDir, readOnly: true }));
    expect(await verifyAudit({ sink: reader })).toMatchObject({ ok: true, event_count: 23 });
  });

  it('creates files with mode 0600 in a 0700 directory', async () => {
    const sink = await opened(new JsonlAuditSink({ dataDir: newDir() }));
    await sink.append(events(1));
    const [file] = readdirSync(sink.dir).filter((name) => name.startsWith('events-'));
    expect(statSync(join(sink.dir, file ?? '')).mode & 0o777).toBe(0o600);
    expect(statSync(sink.dir).mode & 0o777).toBe(0o700);
    await sink.close();
  });

  it('allows one writer per directory, and takes over a stale lock', async () => {
    const dataDir = newDir();
    const sink = await opened(new JsonlAuditSink({ dataDir }));
    await expect(new JsonlAuditSink({ dataDir }).open()).rejects.toThrow(/is being written by process/);
    await sink.close();
    // A lock left by a process that no longer exists (killed) does not block.
    writeFileSync(join(sink.dir, 'writer.lock'), '2147483646\n');
    const next = await opened(new JsonlAuditSink({ dataDir }));
    await next.close();
  });

  it('a torn final line is ignored by readers and cut by the next writer', async () => {
    const dataDir = newDir();
    const sink = await opened(new JsonlAuditSink({ dataDir }));
    await sink.append(events(3));
    await sink.close();
    const [file] = readdirSync(sink.dir).filter((name) => name.startsWith('events-'));
    appendFileSync(join(sink.dir, file ?? ''), '{"v":1,"seq":4,"id":"cut-sh');
    const reader = await opened(new JsonlAuditSink({ dataDir, readOnly: true }));
    const result = await verifyAudit({ sink: reader });
    expect(result).toMatchObject({ ok: true, event_count: 3, torn_tail: true });
    expect(result.message).toMatch(/torn final line/);
    const writer = await opened(new JsonlAuditSink({ dataDir }));
    expect((await writer.head()).seq).toBe(3);
    await writer.append(events(1));
    await writer.close();
    expect(await verifyAudit({ sink: reader })).toMatchObject({ ok: true, event_count: 4, torn_tail: false });
  });

  it('read-only on a missing directory reads as empty', async () => {
    const reader = await opened(new JsonlAuditSink({ dataDir: join(newDir(), 'nothing'), readOnly: true }));
    expect(await reader.head()).toMatchObject({ seq: 0 });
    await expect(reader.append(events(1))).rejects.toThrow(/read-only/);
  });
});
