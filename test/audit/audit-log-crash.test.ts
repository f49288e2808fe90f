/**
 * The audit log across process deaths: SIGTERM (the gateway calls `close()`) loses nothing and
 * leaves every event under a signed checkpoint; SIGKILL leaves a chain that verifies up to the
 * last event written, which the next start continues.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { loadSigningKey } from '../../src/audit/signing-key.js';
import { JsonlAuditSink } from '../../src/audit/sinks/jsonl.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { ensureDist } from './dist-harness.js';

const root = mkdtempSync(join(tmpdir(), 'veil-audit-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHILD = `
import { AuditLog } from ${JSON.stringify(pathToFileURL(ensureDist('audit/audit-log')).href)};
const [dataDir, mode] = process.argv.slice(2);
const log = await AuditLog.open({ dataDir, flushIntervalMs: mode === 'term' ? 60_000 : 2, batchSize: 50, checkpointEvery: 200 });
process.once('SIGTERM', () => {
  log.close().then(() => process.exit(0), (error) => { process.stderr.write(String(error)); process.exit(1); });
});
// Like a server: something keeps the process alive until the signal comes.
if (mode === 'term') setInterval(() => undefined, 1000);
let n = 0;
const tick = () => {
  for (let i = 0; i < 25; i += 1) {
    log.record({ kind: 'request', tenant: 'acme', route: '/v1/chat/completions', request_id: 'r' + (n += 1), entities: { EMAIL: { mask: 1 } } });
  }
  process.stdout.write('recorded ' + n + ' written ' + log.stats.written + '\\n');
  if (mode === 'term' && n >= 1000) return;
  setTimeout(tick, 1);
};
tick();
`;

function startChild(dataDir: string, mode: 'kill' | 'term'): { child: ChildProcess; waitFor: (test: (line: string) => boolean) => Promise<string> } {
  const script = join(root, 'child.mjs');
  writeFileSync(script, CHILD);
  const child = spawn(process.execPath, [script, dataDir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  return { child, waitFor: (test) => new Promise((resolve) => waiters.push({ test, resolve })) };
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

describe('AuditLog across process deaths', () => {
  it('SIGKILL: the chain verifies up to the last event written, and the next start continues it', async () => {
    const dataDir = mkdtempSync(join(root, 'kill-'));
    const { child, waitFor } = startChild(dataDir, 'kill');
    await waitFor((line) => Number(line.split(' ')[3]) >= 600);
    const done = exited(child);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const key = await loadSigningKey({ dataDir, create: false });
    const reader = new JsonlAuditSink({ dataDir, readOnly: true });
    const afterKill = await verifyAudit({ sink: reader, trustedKeys: [key] });
    expect(afterKill.ok, afterKill.message).toBe(true);
    expect(afterKill.event_count).toBeGreaterThanOrEqual(600);
    expect(afterKill.checkpoints.verified).toBeGreaterThanOrEqual(2);

    // The next start takes over the stale lock and continues the same chain.
    const log = await AuditLog.open({ dataDir });
    log.record({ kind: 'cli', tenant: 'acme', command: 'audit' });
    await log.close();
    const afterRestart = await verifyAudit({ sink: reader, trustedKeys: [key] });
    expect(afterRestart).toMatchObject({ ok: true, event_count: afterKill.event_count + 1 });
  });

  it('SIGTERM: close() writes every queued event and a final checkpoint', async () => {
    const dataDir = mkdtempSync(join(root, 'term-'));
    const { child, waitFor } = startChild(dataDir, 'term');
    // Flushes are 60 s apart in this mode: all 1000 events are still queued when SIGTERM comes.
    await waitFor((line) => line.startsWith('recorded 1000 '));
    const done = exited(child);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    const key = await loadSigningKey({ dataDir, create: false });
    const result = await verifyAudit({ sink: new JsonlAuditSink({ dataDir, readOnly: true }), trustedKeys: [key] });
    expect(result).toMatchObject({ ok: true, event_count: 1000, last_seq: 1000 });
    expect(result.checkpoints.merkle_roots.at(-1)?.to_seq).toBe(1000);
  });
});
