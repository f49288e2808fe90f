/** `veil keys rotate` (runKeysRotate): local and Transit rotation, resume, rotation under load. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysRotate } from '../../src/cli/commands/keys-rotate.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';
import { startFakeTransit, type FakeTransit } from './fakes/kms-servers.js';

const root = mkdtempSync(join(tmpdir(), 'veil-keys-rotate-'));
let transit: FakeTransit;
beforeAll(async () => {
  transit = await startFakeTransit();
});
afterAll(async () => {
  await transit.close();
  rmSync(root, { recursive: true, force: true });
});

async function rotate(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runKeysRotate(args, { stdin: new PassThrough(), stdout, stderr, stderrIsTTY: false, env, cwd: root });
  return { code, stdout: out, stderr: err };
}

const email = (value: string) => ({ type: 'EMAIL', value, normalized: normalizeValue('EMAIL', value) });

/** Tokenizes one value per tenant; returns tenant → [token, value]. */
async function seed(env: NodeJS.ProcessEnv, dataDir: string, tenants: string[]): Promise<Map<string, [string, string]>> {
  const vault = await Vault.open({ dataDir, env });
  const issued = new Map<string, [string, string]>();
  try {
    for (const tenant of tenants) {
      const value = `someone@${tenant}.example`;
      const [token] = await (await vault.openScope({ tenant, session: 's' })).tokenize([email(value)]);
      issued.set(tenant, [token ?? '', value]);
    }
  } finally {
    await vault.close();
  }
  return issued;
}

async function expectReadable(env: NodeJS.ProcessEnv, dataDir: string, issued: Map<string, [string, string]>): Promise<string[]> {
  const vault = await Vault.open({ dataDir, env });
  try {
    const keyIds = new Set<string>();
    for (const [tenant, [token, value]] of issued) {
      expect((await vault.openScope({ tenant, session: 's' })).resolve(token)).toBe(value);
      keyIds.add((await vault.store.getDataKey(tenant))?.keyId ?? '');
    }
    return [...keyIds];
  } finally {
    await vault.close();
  }
}

describe('veil keys rotate', () => {
  it('local: a new master key, the old one retired, every data key re-wrapped, values intact', async () => {
    const dataDir = mkdtempSync(join(root, 'local-'));
    const env = { VEIL_DATA_DIR: dataDir };
    const issued = await seed(env, dataDir, ['acme', 'globex', 'initech']);
    const before = await expectReadable(env, dataDir, issued);
    const oldKey = readFileSync(join(dataDir, 'master.key'), 'utf8');
    const result = await rotate([], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('data keys: 3 seen, 3 re-wrapped, 0 already current, 0 changed meanwhile, 0 failed\n');
    expect(result.stderr).toMatch(/^new master key local:[0-9a-f]{16} \(the previous one, local:[0-9a-f]{16}, is kept in retired-keys\/ for reading\)/);
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8')).not.toBe(oldKey);
    expect(readdirSync(join(dataDir, 'retired-keys'))).toEqual([`${(before[0] ?? '').replace(':', '-')}.key`]);
    const after = await expectReadable(env, dataDir, issued);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    // Nothing left to do the second time.
    expect((await rotate(['--rewrap-only'], env)).stdout).toContain('3 seen, 0 re-wrapped, 3 already current');
    expect(existsSync(join(dataDir, 'keys-rotate.cursor'))).toBe(false);
    // Once nothing uses the old key, it can go; values stay readable.
    const retired = await rotate(['--rewrap-only', '--retire-unused'], env);
    expect(retired.stdout).toContain(`retired key ${before[0] ?? ''} deleted (no data key uses it)`);
    expect(readdirSync(join(dataDir, 'retired-keys'))).toEqual([]);
    await expectReadable(env, dataDir, issued);
    // One audit event per run (three runs), and one key event for the one new version.
    const events = readdirSync(join(dataDir, 'audit'))
      .filter((file) => file.endsWith('.jsonl'))
      .flatMap((file) => readFileSync(join(dataDir, 'audit', file), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { kind?: string; command?: string | null; key?: { operation: string; key_id: string } | null; principal?: { role: string | null } });
    expect(events.filter((event) => event.command === 'keys-rotate')).toHaveLength(3);
    expect(events.filter((event) => event.kind === 'key').map((event) => event.key)).toEqual([{ operation: 'rotate', key_id: after[0] }]);
    expect(events.filter((event) => event.kind !== undefined).every((event) => event.principal?.role === 'cli')).toBe(true);
  });

  it('--resume continues after the saved cursor; --tenant limits the walk', async () => {
    const dataDir = mkdtempSync(join(root, 'resume-'));
    const env = { VEIL_DATA_DIR: dataDir };
    const issued = await seed(env, dataDir, ['t1', 't2', 't3', 't4']);
    writeFileSync(join(dataDir, 'keys-rotate.cursor'), 't2\n');
    const resumed = await rotate(['--resume'], env);
    expect(resumed.stdout).toContain('2 seen, 2 re-wrapped');
    const only = await rotate(['--rewrap-only', '--tenant', 't1'], env);
    expect(only.stdout).toContain('1 seen, 1 re-wrapped');
    await expectReadable(env, dataDir, issued);
  });

  it('vault-transit: rotates the Transit key and moves every data key to the new version', async () => {
    const dataDir = mkdtempSync(join(root, 'transit-'));
    const env = { VEIL_DATA_DIR: dataDir, VEIL_KEY_PROVIDER: 'vault-transit', VAULT_ADDR: transit.url, VAULT_TOKEN: transit.rootToken, VEIL_TRANSIT_KEY: 'rot' };
    const issued = await seed(env, dataDir, ['acme', 'globex']);
    expect(await expectReadable(env, dataDir, issued)).toEqual(['vault-transit:rot:v1']);
    const result = await rotate([], env);
    expect(result).toMatchObject({ code: 0, stderr: 'new Transit key version vault-transit:rot:v2\n' });
    expect(result.stdout).toContain('2 seen, 2 re-wrapped');
    expect(await expectReadable(env, dataDir, issued)).toEqual(['vault-transit:rot:v2']);
  });

  it('KMS providers need the new version made in the KMS first', async () => {
    const result = await rotate([], { VEIL_DATA_DIR: mkdtempSync(join(root, 'kms-')), VEIL_KEY_PROVIDER: 'aws-kms' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rewrap-only');
  });

  it('rotating while a gateway keeps issuing tokens loses nothing', async () => {
    const dataDir = mkdtempSync(join(root, 'load-'));
    const env = { VEIL_DATA_DIR: dataDir };
    const issued = await seed(env, dataDir, Array.from({ length: 30 }, (_, i) => `pre-${i}`));
    // The "gateway": its own vault instance, started before the rotation, issuing new tenants'
    // and old tenants' tokens throughout.
    const gateway = await Vault.open({ dataDir, env });
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i += 1) {
        const tenant = i % 2 === 0 ? `new-${i}` : `pre-${i % 30}`;
        const value = `load${i}@${tenant}.example`;
        const session = `load-${i}`;
        const [token] = await (await gateway.openScope({ tenant, session })).tokenize([email(value)]);
        issued.set(`${tenant}\u0000${session}`, [token ?? '', value]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const first = await rotate(['--batch', '7'], env);
    stop = true;
    await load;
    await gateway.close();
    expect(first.code).toBe(0);
    // The gateway wrapped new tenants' keys with the master key it had loaded: a second run
    // (after "restarting every gateway") brings them over too.
    const second = await rotate(['--rewrap-only'], env);
    expect(second.code).toBe(0);
    const vault = await Vault.open({ dataDir, env });
    try {
      const keyIds = new Set<string>();
      for (const [key, [token, value]] of issued) {
        const [tenant = '', session = 's'] = key.split('\u0000');
        expect((await vault.openScope({ tenant, session })).resolve(token)).toBe(value);
        keyIds.add((await vault.store.getDataKey(tenant))?.keyId ?? '');
      }
      expect([...keyIds]).toEqual([(vault.keys as unknown as { keyId: string }).keyId]);
      expect(issued.size).toBeGreaterThan(30);
    } finally {
      await vault.close();
    }
  });
});
