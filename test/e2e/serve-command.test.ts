/** `veil serve` as a user runs it: a child process from the built CLI (run `npm run build` first). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropSchemas, newSchema, pgProbe } from '../vault/pg-harness.js';

const MAIN = resolve('dist/cli/main.js');

function serve(
  args: string[],
  cwd = process.cwd(),
  extraEnv: NodeJS.ProcessEnv = {},
): { child: ReturnType<typeof spawn>; stderr: () => string; exited: Promise<number | null>; dataDir: string } {
  // Its own data dir, so the vault and audit log of a test run never land in the checkout.
  const dataDir = mkdtempSync(join(tmpdir(), 'veil-serve-data-'));
  const env = { ...process.env, VEIL_LOG_LEVEL: 'silent', OPENAI_API_KEY: '', VEIL_DATA_DIR: dataDir, ...extraEnv };
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const exited = new Promise<number | null>((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
  return { child, stderr: () => stderr, exited, dataDir };
}

function listening(run: ReturnType<typeof serve>): Promise<string> {
  return new Promise<string>((resolvePromise, reject) => {
    run.child.stderr?.on('data', () => {
      const match = /listening on (http:\/\/[^\s]+)\/v1/.exec(run.stderr());
      if (match?.[1] !== undefined) resolvePromise(match[1]);
    });
    void run.exited.then(() => reject(new Error(run.stderr())));
  });
}

describe.skipIf(!existsSync(MAIN))('veil serve', () => {
  it('starts in demo mode, answers, and stops cleanly on SIGTERM', async () => {
    const run = serve(['--port', '0']);
    const url = await listening(run);
    expect(run.stderr()).toContain('demo mode');
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const answer = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Mail maria.garcia@example.com' }] }),
    });
    expect(await answer.text()).toContain('<<EMAIL_1>>');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('still closes everything and exits when one part cannot close (its data directory was removed)', async () => {
    // With PostgreSQL the vault holds sockets: a shutdown that stopped at the failed audit flush
    // left them open and the process running for good. SQLite stands in where there is none.
    const run = serve(['--port', '0'], process.cwd(), pgProbe.url === undefined ? {} : { VEIL_VAULT_URL: pgProbe.url, VEIL_VAULT_SCHEMA: newSchema('serve_close') });
    const url = await listening(run);
    // An audited request, so the audit log has a checkpoint to write on the way out.
    await (await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' })).text();
    rmSync(run.dataDir, { recursive: true, force: true });
    run.child.kill('SIGTERM');
    const code = await Promise.race([run.exited, new Promise<string>((resolvePromise) => setTimeout(() => resolvePromise('still running'), 15_000))]);
    if (code === 'still running') run.child.kill('SIGKILL');
    expect(code).toBe(1);
    // The failure is named by its code only (the audit sink's, or the file system's).
    expect(run.stderr()).toMatch(/did not close cleanly: (internal_error|ENOENT)\n/);
    await dropSchemas();
  });

  it('exits 1 with file:line:column on a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-serve-'));
    writeFileSync(join(dir, 'veil.yaml'), 'server:\n  port: -1\n');
    const run = serve([], dir);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/veil\.yaml:2:9: server\.port/);
  });

  it('exits 2 on an unknown option', async () => {
    const run = serve(['--bogus', '1']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain("unknown option '--bogus'");
  });
});
