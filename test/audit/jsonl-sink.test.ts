import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAuditSinkContract } from '../conformance/audit-sink.contract.js';
import { JsonlAuditSink } from '../../src/audit/sinks/jsonl.js';
import { prepareEvent, type PendingAuditEvent } from '../../src/audit/event.js';
import { checkpointBuilder } from '../../src/audit/checkpoint.js';
import { signingKeyFromPrivate } from '../../src/audit/signing-key.js';
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
/** Resolves once no process holds `writer.lock` in `dir` (a writer lets go when idle). */
async function lockReleased(dir: string): Promise<void> {
  for (let waited = 0; readdirSync(dir).includes('writer.lock'); waited += 10) {
    if (waited > 5_000) throw new Error('writer.lock was never released');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

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
  openSibling: async (sink) => opened(new JsonlAuditSink({ dataDir: dataDirOf(sink as JsonlAuditSink), maxFileBytes: 4096 })),
  rewriteEvents: async (sink, edit) => rewrite((sink as JsonlAuditSink).dir, edit),
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

  it('holds the write lock while busy, lets go when idle, and removes a lock left by a killed process', async () => {
    const dataDir = newDir();
    const sink = await opened(new JsonlAuditSink({ dataDir }));
    await sink.append(events(2));
    // A busy writer keeps the lock between batches...
    expect(readdirSync(sink.dir)).toContain('writer.lock');
    // ...and lets go once idle: another process (veil mcp, the CLI) can write.
    await lockReleased(sink.dir);
    writeFileSync(join(sink.dir, 'writer.lock'), '2147483646 dead\n');
    await sink.append(events(1));
    expect(readFileSync(join(sink.dir, 'writer.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await lockReleased(sink.dir);
    expect((await sink.head()).seq).toBe(3);
    await sink.close();
    // A process killed while taking the lock leaves its draft; the next writer removes it.
    writeFileSync(join(sink.dir, 'writer.lock.2147483646.abc.tmp'), '2147483646 abc\n');
    const next = await opened(new JsonlAuditSink({ dataDir }));
    expect(readdirSync(next.dir).filter((name) => name.startsWith('writer.lock.') && name.endsWith('.tmp'))).toEqual([]);
    await next.close();
  });

  it('waits for a live holder of the lock', async () => {
    const dataDir = newDir();
    const sink = await opened(new JsonlAuditSink({ dataDir }));
    await lockReleased(sink.dir);
    // Held by another live process (the test runner's parent).
    writeFileSync(join(sink.dir, 'writer.lock'), `${process.ppid} other\n`);
    let done = false;
    const write = sink.append(events(1)).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(done).toBe(false);
    rmSync(join(sink.dir, 'writer.lock'));
    await write;
    expect((await sink.head()).seq).toBe(1);
    await sink.close();
  });

  it('removes a lock naming this very process that no instance here holds (a container restarted under the same pid)', async () => {
    const dataDir = newDir();
    const sink = await opened(new JsonlAuditSink({ dataDir }));
    await lockReleased(sink.dir);
    writeFileSync(join(sink.dir, 'writer.lock'), `${process.pid} from-a-killed-run\n`);
    await sink.append(events(1));
    expect((await sink.head()).seq).toBe(1);
    await sink.close();
  });

  it('several processes on one directory: each continues the chain the other wrote', async () => {
    const dataDir = newDir();
    const gateway = await opened(new JsonlAuditSink({ dataDir, maxFileBytes: 1500 }));
    const cli = await opened(new JsonlAuditSink({ dataDir, maxFileBytes: 1500 }));
    const key = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
    for (let i = 0; i < 6; i += 1) {
      await gateway.append(events(3));
      await cli.append(events(1));
      if (i % 2 === 1) await (i % 4 === 1 ? cli : gateway).checkpoint(checkpointBuilder(key));
    }
    await gateway.checkpoint(checkpointBuilder(key));
    const result = await verifyAudit({ sink: new JsonlAuditSink({ dataDir, readOnly: true }), trustedKeys: [key] });
    expect(result).toMatchObject({ ok: true, event_count: 24 });
    expect(result.checkpoints.verified).toBe(3);
    await gateway.close();
    await cli.close();
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
