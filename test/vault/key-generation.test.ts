/**
 * What the erasure check relies on, in every store: a data key's generation is new when the key
 * is created again after a shred and kept when rotation re-wraps it; `putManyAndList` with
 * another generation than the stored one writes and lists nothing; `eraseTenant` removes the
 * entries and the key together and returns the key. (Kept here, next to the erasure tests,
 * rather than in the shared conformance contract.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { PostgresVaultStore } from '../../src/vault/stores/postgres.js';
import { SqliteVaultStore } from '../../src/vault/stores/sqlite.js';
import { tokenKey } from '../../src/vault/tokens/placeholder.js';
import type { NewVaultEntry, VaultStore } from '../../src/vault/vault-store.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

const root = mkdtempSync(join(tmpdir(), 'veil-key-generation-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await dropSchemas();
});

const stores: [string, () => VaultStore][] = [
  ['memory', () => new MemoryVaultStore()],
  ['sqlite', () => new SqliteVaultStore({ file: join(mkdtempSync(join(root, 'db-')), 'vault.db') })],
];
const pgUrl = pgProbe.url;
if (pgUrl !== undefined) stores.push(['postgres', () => new PostgresVaultStore({ connectionString: pgUrl, schema: newSchema('generation') })]);

const entry = (tenant: string, lookup: string): NewVaultEntry => ({
  tenant,
  scope: 's',
  type: 'EMAIL',
  lookup,
  ciphertext: new Uint8Array([1, 2, 3]),
  expiresAt: null,
});
const key = (id: string, byte: number) => ({ keyId: id, wrapped: new Uint8Array([byte, byte]) });

describe.each(stores)('data key generations: %s', (_name, make) => {
  it('new after a shred, kept by re-wrapping; the checked write refuses another generation', async () => {
    const store = make();
    await store.init();
    try {
      const first = await store.putDataKeyIfAbsent('t', key('k1', 1));
      expect(first.generation).toMatch(/\S/);
      expect((await store.getDataKey('t'))?.generation).toBe(first.generation);
      expect((await store.putDataKeyIfAbsent('t', key('k1', 9))).generation).toBe(first.generation);
      expect(await store.replaceDataKey('t', first, key('k2', 2))).toBe(true);
      const rewrapped = await store.getDataKey('t');
      expect(rewrapped).toMatchObject({ keyId: 'k2', generation: first.generation });

      const written = await store.putManyAndList('t', 's', [entry('t', 'a')], tokenKey, first.generation);
      expect(written).toMatchObject({ keyGeneration: first.generation });
      expect(written.stored.map((e) => e.token)).toEqual(['EMAIL_1']);
      // Unchecked (no expected generation): reports what it found, writes anyway.
      expect((await store.putManyAndList('u', 's', [entry('u', 'x')], tokenKey)).keyGeneration).toBeNull();

      expect(await store.deleteDataKey('t')).toBe(true);
      const refused = await store.putManyAndList('t', 's', [entry('t', 'b')], tokenKey, first.generation);
      expect(refused).toEqual({ stored: [], others: [], keyGeneration: null });
      const second = await store.putDataKeyIfAbsent('t', key('k2', 3));
      expect(second.generation).not.toBe(first.generation);
      const stale = await store.putManyAndList('t', 's', [entry('t', 'b')], tokenKey, first.generation);
      expect(stale).toEqual({ stored: [], others: [], keyGeneration: second.generation });
      // Nothing was written by the refused calls: only the first entry is there.
      expect((await store.listScope('t', 's')).map((e) => e.lookup)).toEqual(['a']);
    } finally {
      await store.close();
    }
  });

  it('eraseTenant removes every entry and the key at once, and returns the key', async () => {
    const store = make();
    await store.init();
    try {
      const stored = await store.putDataKeyIfAbsent('gone', key('k', 4));
      await store.putMany([entry('gone', 'a'), { ...entry('gone', 'b'), scope: 'other' }, entry('kept', 'c')], tokenKey);
      const erased = await store.eraseTenant('gone');
      expect(erased.entries).toBe(2);
      expect(erased.dataKey).toMatchObject({ keyId: 'k', generation: stored.generation });
      expect(await store.getDataKey('gone')).toBeUndefined();
      expect(await store.listScope('gone', 's')).toEqual([]);
      expect(await store.listScope('kept', 's')).toHaveLength(1);
      expect(await store.eraseTenant('gone')).toEqual({ entries: 0, dataKey: undefined });
    } finally {
      await store.close();
    }
  });
});
