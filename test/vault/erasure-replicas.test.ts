/**
 * Issue #8: one erasure makes a tenant's values unrecoverable everywhere. Two `Vault` instances
 * share one store (one PostgreSQL schema, or one SQLite file), as two replicas do. After
 * replica A erases tenant `acme`, replica B can neither resolve (rehydrate, unmask) `acme`'s
 * old tokens — placeholders from the rows, SIV tokens from the key alone, values a scope it
 * had open already decrypted — nor issue tokens under the shredded key; `globex` on B is
 * untouched. On PostgreSQL both by the notice and, with notices off, by the per-call check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { erase } from '../../src/vault/erase.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import type { PersistentTokenScope } from '../../src/vault/persistent-scope.js';
import { PostgresVaultStore } from '../../src/vault/stores/postgres.js';
import { SqliteVaultStore } from '../../src/vault/stores/sqlite.js';
import type { TokenRequest } from '../../src/vault/token-scope.js';
import { openSivToken } from '../../src/vault/tokens/opaque.js';
import type { VaultStore } from '../../src/vault/vault-store.js';
import { Vault } from '../../src/vault/vault.js';
import { runCliInProcess } from '../cli/run-cli.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

const root = mkdtempSync(join(tmpdir(), 'veil-erasure-replicas-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await dropSchemas();
});

const MARIA = 'maria.garcia@example.com';
const BOB = 'bob.stone@example.com';
const email = (value: string, format?: TokenRequest['format']): TokenRequest => ({
  type: 'EMAIL',
  value,
  normalized: value,
  ...(format === undefined ? {} : { format }),
});

/** The store as a replica without the notice channel (its listener down, or SQLite). */
function withoutNotices(store: VaultStore): VaultStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'watchErasures') return undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the erasure notice');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Replicas {
  readonly a: Vault;
  readonly b: Vault;
  readonly close: () => Promise<void>;
}

/**
 * What every store must give: B had `acme` and `globex` scopes open and its keys cached; A
 * erases `acme`; `settle` waits for whatever tells B (a notice, or nothing).
 */
async function erasureReachesB(replicas: Replicas, settle: (held: PersistentTokenScope) => Promise<void>): Promise<void> {
  const { a, b } = replicas;
  // Tokens issued through A, used through B (a conversation spread over replicas).
  const fromA = await a.openScope({ tenant: 'acme', session: 's1' });
  const [placeholder, siv] = await fromA.tokenize([email(MARIA), email(BOB, 'opaque-siv')]);
  expect(placeholder).toBe('EMAIL_1');
  expect(siv).toMatch(/^VEIL_EMAIL_/);
  const held = await b.openScope({ tenant: 'acme', session: 's1' });
  expect(held.resolve('EMAIL_1')).toBe(MARIA);
  expect(held.resolveOpaque(siv ?? '')).toBe(BOB);
  const oldFormatKeys = await b.formatKeys('acme');
  expect(openSivToken(oldFormatKeys, siv ?? '')).toBe(BOB);
  const globex = await b.openScope({ tenant: 'globex', session: 's1' });
  const [globexToken] = await globex.tokenize([email(BOB, 'opaque-siv')]);

  const shredded = (await a.store.getDataKey('acme'))?.generation;
  const result = await erase(a, { tenant: 'acme' });
  expect(result).toMatchObject({ dataKey: true, entries: 2 });
  await settle(held);

  // Nothing B had open for acme resolves any more, not even what it had decrypted.
  expect(held.resolve('EMAIL_1')).toBeUndefined();
  expect(held.resolveOpaque(siv ?? '')).toBeUndefined();
  expect(held.size).toBe(0);
  expect(() => held.tokenize([email(MARIA)])).toThrow(/erased/);
  // A scope B opens now (unmask, rehydration of a later turn) resolves none of the old tokens.
  const reopened = await b.openScope({ tenant: 'acme', session: 's1' });
  expect(reopened.resolve('EMAIL_1')).toBeUndefined();
  expect(reopened.resolveOpaque(siv ?? '')).toBeUndefined();
  // Keyed formats without a session: the tenant's keys are new, the SIV token opens no more.
  expect(openSivToken(await b.formatKeys('acme'), siv ?? '')).toBeUndefined();
  // New tokens through B are issued under the tenant's NEW key: the same value, another token.
  const lazy = await b.openScope({ tenant: 'acme', session: 's1', lazy: true });
  const [again, sivAgain] = await lazy.tokenize([email(MARIA), email(BOB, 'opaque-siv')]);
  expect(again).toBe('EMAIL_1');
  expect(sivAgain).not.toBe(siv);
  expect(lazy.resolve('EMAIL_1')).toBe(MARIA);
  const current = (await a.store.getDataKey('acme'))?.generation;
  expect(current).toBeDefined();
  expect(current).not.toBe(shredded);
  // And A, which erased, sees B's new entries with the new key.
  expect((await a.openScope({ tenant: 'acme', session: 's1' })).resolve('EMAIL_1')).toBe(MARIA);

  // globex on B: untouched, its open scope too.
  expect(globex.resolveOpaque(globexToken ?? '')).toBe(BOB);
  expect((await b.openScope({ tenant: 'globex', session: 's1' })).resolveOpaque(globexToken ?? '')).toBe(BOB);
}

if (pgProbe.url === undefined) {
  describe.skip(`erasure across replicas on PostgreSQL (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;
  const pgReplicas = async (options: { notices: boolean }): Promise<Replicas> => {
    const schema = newSchema('erasure');
    const masterKey = generateMasterKey();
    const dataDir = mkdtempSync(join(root, 'pg-'));
    const a = await Vault.open({ dataDir, store: new PostgresVaultStore({ connectionString: url, schema }), masterKey, env: {} });
    const storeB = new PostgresVaultStore({ connectionString: url, schema });
    // keyCheckMs far away: only the notice or the per-call check may tell B.
    const b = await Vault.open({ dataDir, store: options.notices ? storeB : withoutNotices(storeB), masterKey, env: {}, keyCheckMs: 3_600_000 });
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  };

  describe('erasure across replicas on PostgreSQL', () => {
    it('the notice empties what B holds at once, and B moves to the new key', async () => {
      const replicas = await pgReplicas({ notices: true });
      try {
        // The notice alone, with no store call from B: its open scope empties by itself.
        await erasureReachesB(replicas, (held) => until(() => held.erased));
      } finally {
        await replicas.close();
      }
    });

    it('without the notice, B’s next scope load refuses the shredded key and empties every scope holding it', async () => {
      const replicas = await pgReplicas({ notices: false });
      try {
        await erasureReachesB(replicas, async (held) => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          // Nothing told B yet...
          expect(held.erased).toBe(false);
          // ...until it loads any scope of the tenant: the one round trip reports the key gone.
          await replicas.b.openScope({ tenant: 'acme', session: 'other' });
          expect(held.erased).toBe(true);
        });
      } finally {
        await replicas.close();
      }
    });

    it('`veil vault forget` run from anywhere reaches a replica at once', async () => {
      const schema = newSchema('cli');
      const masterKey = generateMasterKey();
      const dataDir = mkdtempSync(join(root, 'pg-cli-'));
      const b = await Vault.open({ dataDir, store: new PostgresVaultStore({ connectionString: url, schema }), masterKey, env: {}, keyCheckMs: 3_600_000 });
      try {
        const held = await b.openScope({ tenant: 'acme', session: 's1' });
        await held.tokenize([email(MARIA)]);
        const other = await b.openScope({ tenant: 'globex', session: 's1' });
        await other.tokenize([email(BOB)]);
        const env = { VEIL_DATA_DIR: join(dataDir, 'cli'), VEIL_VAULT_URL: url, VEIL_VAULT_SCHEMA: schema, VEIL_MASTER_KEY: masterKey, VEIL_AUDIT: 'off' };
        const run = await runCliInProcess(['vault', 'forget', '--tenant', 'acme', '--yes'], { env });
        expect(run.code, run.stderr).toBe(0);
        await until(() => held.erased);
        expect(held.resolve('EMAIL_1')).toBeUndefined();
        expect(other.resolve('EMAIL_1')).toBe(BOB);
      } finally {
        await b.close();
      }
    });

    it('a request already open on B when the tenant is erased stores nothing under the old key', async () => {
      const replicas = await pgReplicas({ notices: false });
      try {
        const { a, b } = replicas;
        await b.formatKeys('acme');
        const old = (await b.store.getDataKey('acme'))?.generation;
        // B's gateway request: a lazy scope opened with the cached lease, values not stored yet.
        const pending = await b.openScope({ tenant: 'acme', session: 's1', lazy: true });
        await erase(a, { tenant: 'acme' });
        // Its one call finds the key gone, so it writes nothing under it, takes the tenant's new
        // key and stores the values under that.
        const [token] = await pending.tokenize([email(MARIA)]);
        expect(token).toBe('EMAIL_1');
        const current = await a.store.getDataKey('acme');
        expect(current?.generation).not.toBe(old);
        const seen = await a.openScope({ tenant: 'acme', session: 's1' });
        expect(seen.resolve('EMAIL_1')).toBe(MARIA);
        expect(seen.checkReadable()).toBe(0);
        expect(await a.store.listScope('acme', 's1')).toHaveLength(1);
      } finally {
        await replicas.close();
      }
    });

    it('the notice names the schema: an erasure in another schema on the same database evicts nothing', async () => {
      const replicas = await pgReplicas({ notices: true });
      const other = await pgReplicas({ notices: true });
      try {
        const held = await replicas.b.openScope({ tenant: 'acme', session: 's1' });
        await held.tokenize([email(MARIA)]);
        await erase(other.a, { tenant: 'acme' });
        const witness = await other.b.openScope({ tenant: 'acme', session: 's1' });
        await witness.tokenize([email(MARIA)]);
        await erase(other.a, { tenant: 'acme' });
        await until(() => witness.erased);
        expect(held.erased).toBe(false);
        expect(held.resolve('EMAIL_1')).toBe(MARIA);
      } finally {
        await replicas.close();
        await other.close();
      }
    });
  });
}

describe('erasure across processes on one SQLite file', () => {
  it('B learns at its next scope load (no channel between processes); held scopes empty then', async () => {
    const dataDir = mkdtempSync(join(root, 'sqlite-'));
    const masterKey = generateMasterKey();
    const file = join(dataDir, 'vault.db');
    const a = await Vault.open({ dataDir, store: new SqliteVaultStore({ file }), masterKey, env: {} });
    const b = await Vault.open({ dataDir, store: new SqliteVaultStore({ file }), masterKey, env: {}, keyCheckMs: 3_600_000 });
    try {
      expect((new SqliteVaultStore({ file }) as VaultStore).watchErasures).toBeUndefined();
      await erasureReachesB({ a, b, close: async () => undefined }, async (held) => {
        expect(held.erased).toBe(false);
        await b.openScope({ tenant: 'acme', session: 'other', lazy: true }).then((scope) => scope.tokenize([]));
        expect(held.erased).toBe(true);
      });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('formatKeys alone (requests without a session) re-checks a cached key after keyCheckMs', async () => {
    const dataDir = mkdtempSync(join(root, 'sqlite-ttl-'));
    const masterKey = generateMasterKey();
    const file = join(dataDir, 'vault.db');
    let now = 1_000_000;
    const a = await Vault.open({ dataDir, store: new SqliteVaultStore({ file }), masterKey, env: {} });
    const b = await Vault.open({ dataDir, store: new SqliteVaultStore({ file }), masterKey, env: {}, now: () => now, keyCheckMs: 5_000 });
    try {
      const before = await b.formatKeys('acme');
      const scope = await a.openScope({ tenant: 'acme', session: 's' });
      const [siv] = await scope.tokenize([email(BOB, 'opaque-siv')]);
      expect(openSivToken(before, siv ?? '')).toBe(BOB);
      await erase(a, { tenant: 'acme' });
      now += 4_000;
      // Within the bound the cached key is still used (this is what the bound means)...
      expect(openSivToken(await b.formatKeys('acme'), siv ?? '')).toBe(BOB);
      now += 1_000;
      // ...and not one call after it.
      expect(openSivToken(await b.formatKeys('acme'), siv ?? '')).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
