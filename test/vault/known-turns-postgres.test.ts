/**
 * Known turns on PostgreSQL with two replicas: a session deleted, or a tenant erased, through
 * one replica is no longer answered from the other's memory once the store's notice arrives;
 * and a replica's known turn makes no query at all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresVaultStore } from '../../src/vault/stores/postgres.js';
import { Vault } from '../../src/vault/vault.js';
import { countingPool, dropSchemas, newSchema, pgProbe } from './pg-harness.js';

afterAll(dropSchemas);

const MARIA = 'maria.garcia@example.com';
const BOB = 'bob.stone@example.com';
const email = (value: string) => ({ type: 'EMAIL', value, normalized: value });

/** Polls `check` until it holds or 5 s have passed (a notice arrives in milliseconds). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

if (pgProbe.url === undefined) {
  describe.skip(`known turns on PostgreSQL (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;

  describe('known turns on PostgreSQL', () => {
    it('a session deleted or a tenant erased through replica B is not answered from replica A’s memory', async () => {
      const schema = newSchema('knownturns');
      const masterKey = Buffer.alloc(32, 11).toString('base64');
      const dirs = await Promise.all([mkdtemp(join(tmpdir(), 'veil-kt-a-')), mkdtemp(join(tmpdir(), 'veil-kt-b-'))]);
      const { pool, queries } = countingPool(url);
      const a = await Vault.open({ dataDir: dirs[0] as string, store: new PostgresVaultStore({ pool, schema }), masterKey, env: {} });
      const b = await Vault.open({ dataDir: dirs[1] as string, store: new PostgresVaultStore({ connectionString: url, schema }), masterKey, env: {} });
      /** One gateway turn on A: the queries it made and its tokens. */
      const turnOnA = async (values: string[], session = 's'): Promise<{ queries: number; tokens: string[] }> => {
        const from = queries.length;
        const scope = await a.openScope({ tenant: 'acme', session, lazy: true, knownTurns: true });
        const tokens = await scope.tokenize(values.map(email));
        return { queries: queries.length - from, tokens };
      };
      try {
        // The tenant's key is read once per process, not per turn.
        await a.formatKeys('acme');
        expect(await turnOnA([MARIA, BOB])).toEqual({ queries: 1, tokens: ['EMAIL_1', 'EMAIL_2'] });
        expect(await turnOnA([BOB])).toEqual({ queries: 0, tokens: ['EMAIL_2'] });

        // The session is deleted through B: A hears of it and goes back to the store.
        expect(await b.deleteScope('acme', 's')).toBe(2);
        expect(await eventually(async () => (await turnOnA([BOB])).queries === 1)).toBe(true);
        // Numbered again by the store, and known from then on.
        expect(await turnOnA([BOB])).toEqual({ queries: 0, tokens: ['EMAIL_1'] });

        // The tenant is erased through B: A's lease is revoked, its memory with it.
        await turnOnA([MARIA], 'other');
        expect((await turnOnA([MARIA], 'other')).queries).toBe(0);
        await b.eraseTenant('acme');
        expect(await eventually(async () => (await turnOnA([MARIA], 'other')).queries > 0)).toBe(true);
      } finally {
        await a.close();
        await b.close();
        await pool.end();
        await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      }
    });
  });
}
