/**
 * The vault on PostgreSQL as replicas use it: `VEIL_VAULT_URL` selects the store, several
 * vaults (replicas) on one database agree on tokens, and N processes racing on one scope end
 * with one token per value and distinct numbers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';
import { bundleForChild } from './bundle-harness.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

const worker = fileURLToPath(new URL('./fixtures/vault-worker.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'veil-pg-vault-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await dropSchemas();
});

const email = (value: string) => ({ type: 'EMAIL', value, normalized: normalizeValue('EMAIL', value) });

if (pgProbe.url === undefined) {
  describe.skip(`Vault on PostgreSQL (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;

  describe('Vault on PostgreSQL', () => {
    it('VEIL_VAULT_URL selects the PostgreSQL store; two replicas share tokens and values', async () => {
      const env = { VEIL_VAULT_URL: url, VEIL_VAULT_SCHEMA: newSchema('replicas'), VEIL_MASTER_KEY: generateMasterKey() };
      const a = await Vault.open({ dataDir: join(root, 'a'), env });
      const b = await Vault.open({ dataDir: join(root, 'b'), env });
      try {
        expect(a.store.kind).toBe('postgres');
        const onA = await a.openScope({ tenant: 'acme', session: 'chat-1' });
        expect(await onA.tokenize([email('maria@example.com'), email('bob@example.com')])).toEqual(['EMAIL_1', 'EMAIL_2']);
        // The next turn lands on replica B.
        const onB = await b.openScope({ tenant: 'acme', session: 'chat-1' });
        expect(onB.resolve('EMAIL_2')).toBe('bob@example.com');
        expect(await onB.tokenize([email('Maria@Example.com'), email('carol@example.com')])).toEqual(['EMAIL_1', 'EMAIL_3']);
        const backOnA = await a.openScope({ tenant: 'acme', session: 'chat-1' });
        expect(backOnA.resolve('EMAIL_3')).toBe('carol@example.com');
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('eraseTenant deletes every scope and the data key', async () => {
      const env = { VEIL_VAULT_URL: url, VEIL_VAULT_SCHEMA: newSchema('erase'), VEIL_MASTER_KEY: generateMasterKey() };
      const vault = await Vault.open({ dataDir: join(root, 'erase'), env });
      try {
        for (const session of ['s1', 's2']) {
          const scope = await vault.openScope({ tenant: 'gone', session });
          await scope.tokenize([email('x@example.com')]);
        }
        const kept = await vault.openScope({ tenant: 'kept', session: 's1' });
        await kept.tokenize([email('x@example.com')]);
        expect(await vault.eraseTenant('gone')).toEqual({ entries: 2, dataKey: true, keyId: expect.stringMatching(/^local:/) });
        expect(await vault.store.getDataKey('gone')).toBeUndefined();
        expect((await vault.openScope({ tenant: 'gone', session: 's1' })).size).toBe(0);
        expect((await vault.openScope({ tenant: 'kept', session: 's1' })).resolve('EMAIL_1')).toBe('x@example.com');
      } finally {
        await vault.close();
      }
    });

    describe('across processes', () => {
      let bundle: { url: string; remove: () => void } | undefined;
      beforeAll(async () => {
        bundle = await bundleForChild('vault/vault');
      }, 60_000);
      afterAll(() => bundle?.remove());

      it('six processes racing on one scope end with one token per value and distinct numbers', async () => {
        const dataDir = join(root, 'race');
        const env = {
          ...process.env,
          VEIL_VAULT_URL: url,
          VEIL_VAULT_SCHEMA: newSchema('procs'),
          VEIL_MASTER_KEY: generateMasterKey(),
        };
        const count = 60;
        const startAt = Date.now() + 2000;
        const runs = [11, 22, 33, 44, 55, 66].map(
          (seed) =>
            new Promise<Record<string, string>>((resolve, reject) => {
              const child = spawn(
                process.execPath,
                [worker, bundle?.url ?? '', dataDir, 'race', 'acme', 'chat-race', String(startAt), String(count), String(seed)],
                { stdio: ['ignore', 'pipe', 'pipe'], env },
              );
              let stdout = '';
              let stderr = '';
              child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
              child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
              child.on('exit', (code) => {
                if (code === 0) resolve(JSON.parse(stdout) as Record<string, string>);
                else reject(new Error(`worker failed (${code}): ${stderr}`));
              });
            }),
        );
        const results = await Promise.all(runs);
        const values = Array.from({ length: count }, (_, i) => `value${i}@example.com`);
        for (const value of values) expect(new Set(results.map((result) => result[value])).size).toBe(1);
        const first = results[0] ?? {};
        const numbers = values.map((value) => Number((first[value] ?? '').replace('EMAIL_', '')));
        expect([...numbers].sort((x, y) => x - y)).toEqual(values.map((_, i) => i + 1));
        const vault = await Vault.open({ dataDir, env });
        try {
          const scope = await vault.openScope({ tenant: 'acme', session: 'chat-race' });
          expect(scope.size).toBe(count);
          for (const value of values) expect(scope.resolve(first[value] ?? '')).toBe(value);
        } finally {
          await vault.close();
        }
      }, 60_000);
    });
  });
}

if (pgProbe.url !== undefined) {
  const url = pgProbe.url;
  describe('Vault on PostgreSQL: VEIL_VAULT_SYNC_COMMIT', () => {
    it('off still stores and shares tokens; a bad value is a Config error', async () => {
      const env = { VEIL_VAULT_URL: url, VEIL_VAULT_SCHEMA: newSchema('async'), VEIL_MASTER_KEY: generateMasterKey(), VEIL_VAULT_SYNC_COMMIT: 'off' };
      const a = await Vault.open({ dataDir: join(root, 'async-a'), env });
      const b = await Vault.open({ dataDir: join(root, 'async-b'), env });
      try {
        const [token] = await (await a.openScope({ tenant: 't', session: 's' })).tokenize([email('x@example.com')]);
        expect((await b.openScope({ tenant: 't', session: 's' })).resolve(token ?? '')).toBe('x@example.com');
      } finally {
        await a.close();
        await b.close();
      }
      await expect(Vault.open({ dataDir: join(root, 'async-c'), env: { ...env, VEIL_VAULT_SYNC_COMMIT: 'maybe' } })).rejects.toMatchObject({
        code: 'config_error',
      });
    });
  });
}
