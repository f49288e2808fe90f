/**
 * `veil serve` runs the vault's TTL purge job: expired session tokens are deleted on a timer
 * (interval from veil.yaml or the environment), each run that removed something leaves an audit
 * event with the count, and the job stops with the gateway. `off` disables it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { resolveVaultSettings } from '../../src/vault/config.js';
import { Vault } from '../../src/vault/vault.js';
import { startMockUpstream } from '../proxy/helpers/mock-upstream.js';

const MASTER_KEY = Buffer.alloc(32, 3).toString('base64');
const EMAIL = 'maria.garcia@example.com';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Served {
  readonly dir: string;
  readonly err: () => string;
  readonly url: string;
  readonly stop: () => Promise<number>;
}

async function serve(yaml: string, env: Record<string, string>): Promise<Served> {
  const upstream = await startMockUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'veil-purge-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'veil.yaml'), `upstream:\n  url: ${upstream.url}\n${yaml}`);
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (data: Buffer) => (text += data.toString()));
  const io: CliIO = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr,
    stderrIsTTY: false,
    env: { VEIL_LOG_LEVEL: 'silent', VEIL_DATA_DIR: join(dir, '.veil'), VEIL_MASTER_KEY: MASTER_KEY, ...env },
    cwd: dir,
  };
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let listening: (url: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (listening = resolve));
  const exit = runServe(['--port', '0'], io, stopped, listening);
  const url = await Promise.race([ready, exit.then(() => Promise.reject(new Error(text)))]);
  return {
    dir,
    err: () => text,
    url,
    stop: async () => {
      stop('test');
      const code = await exit;
      await upstream.close();
      return code;
    },
  };
}

async function sessionRequest(url: string): Promise<void> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-veil-session': 'chat-1' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }),
  });
  expect(await response.text()).toContain(EMAIL);
}

function auditLines(dir: string): Record<string, unknown>[] {
  const auditDir = join(dir, '.veil', 'audit');
  return readdirSync(auditDir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(auditDir, name), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Entries still stored (expired ones included), counted by purging them now. */
async function storedNow(dir: string): Promise<number> {
  const vault = await Vault.open({ dataDir: join(dir, '.veil'), masterKey: MASTER_KEY, env: {}, now: () => Date.now() + 3_600_000 });
  try {
    return await vault.purgeExpired();
  } finally {
    await vault.close();
  }
}

describe('veil serve: vault TTL purge job', () => {
  it('purges expired tokens on its interval (veil.yaml), audits the count and stops on shutdown', async () => {
    const served = await serve('vault:\n  ttl_seconds: 0.3\n  purge_interval_seconds: 0.1\n', {});
    expect(served.err()).toContain('veil: vault sqlite, expired tokens purged every 0.1 s');
    await sessionRequest(served.url);
    let purges: Record<string, unknown>[] = [];
    for (let waited = 0; waited < 5_000 && purges.length === 0; waited += 100) {
      await sleep(100);
      purges = auditLines(served.dir).filter((event) => event['kind'] === 'vault');
    }
    expect(await served.stop()).toBe(0);
    expect(purges).toHaveLength(1);
    expect(purges[0]).toMatchObject({ tenant: 'system', vault: { operation: 'purge', session: null, entries: 1, data_key: false }, outcome: 'ok' });
    expect(await storedNow(served.dir)).toBe(0);
    expect(JSON.stringify(auditLines(served.dir))).not.toContain('maria');
  });

  it('off (environment wins over the file) leaves expired tokens in place', async () => {
    const served = await serve('vault:\n  purge_interval_seconds: 0.1\n', { VEIL_VAULT_TTL_SECONDS: '0.2', VEIL_VAULT_PURGE_INTERVAL_SECONDS: 'off' });
    expect(served.err()).toContain('veil: vault sqlite, TTL purge off');
    await sessionRequest(served.url);
    await sleep(600);
    expect(await served.stop()).toBe(0);
    expect(auditLines(served.dir).filter((event) => event['kind'] === 'vault')).toHaveLength(0);
    expect(await storedNow(served.dir)).toBe(1);
  });
});

describe('resolveVaultSettings', () => {
  it('defaults to a 300 s purge on SQLite; the environment wins; mistakes are Config errors', () => {
    expect(resolveVaultSettings(undefined, {})).toEqual({ purgeIntervalSeconds: 300 });
    expect(resolveVaultSettings({ store: 'postgres', url: 'postgres://file/db', purge_interval_seconds: 0 }, { VEIL_VAULT_URL: 'postgres://env/db' })).toEqual({
      url: 'postgres://env/db',
      purgeIntervalSeconds: null,
    });
    expect(resolveVaultSettings({ ttl_seconds: 60 }, { VEIL_VAULT_TTL_SECONDS: '30' })).toEqual({ purgeIntervalSeconds: 300 });
    expect(resolveVaultSettings({ ttl_seconds: 60 }, {})).toEqual({ ttlSeconds: 60, purgeIntervalSeconds: 300 });
    expect(() => resolveVaultSettings({ store: 'postgres' }, {})).toThrow(/vault.url/);
    expect(() => resolveVaultSettings({ purge_every: 5 }, {})).toThrow(/vault.purge_every/);
    expect(() => resolveVaultSettings({}, { VEIL_VAULT_PURGE_INTERVAL_SECONDS: 'soon' })).toThrow(/seconds, or off/);
  });
});
