import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runVaultStoreContract } from '../conformance/vault-store.contract.js';
import { SqliteVaultStore } from '../../src/vault/stores/sqlite.js';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'veil-sqlite-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const newDir = (): string => mkdtempSync(join(root, `s${(counter += 1)}-`));

runVaultStoreContract({
  name: 'sqlite',
  create: async () => new SqliteVaultStore({ dataDir: newDir() }),
  openSibling: async (store) => new SqliteVaultStore({ file: (store as SqliteVaultStore).file }),
});

describe('SqliteVaultStore specifics', () => {
  it('uses <dataDir>/vault.db in WAL mode with a schema version', async () => {
    const dir = newDir();
    const store = new SqliteVaultStore({ dataDir: dir });
    expect(store.file).toBe(join(dir, 'vault.db'));
    await store.init();
    expect(store.schemaVersion).toBe(2);
    await store.close();
    const db = new Database(store.file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual([{ name: 'data_keys' }, { name: 'entries' }, { name: 'schema_version' }]);
    db.close();
  });

  it('migrations are idempotent across reopen', async () => {
    const dir = newDir();
    for (let i = 0; i < 3; i += 1) {
      const store = new SqliteVaultStore({ dataDir: dir });
      await store.init();
      expect(store.schemaVersion).toBe(2);
      await store.close();
    }
  });

  it('refuses a database from a newer Veil', async () => {
    const dir = newDir();
    const store = new SqliteVaultStore({ dataDir: dir });
    await store.init();
    await store.close();
    const db = new Database(store.file);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    const newer = new SqliteVaultStore({ dataDir: dir });
    await expect(newer.init()).rejects.toMatchObject({ code: VeilErrorCode.Vault });
  });

  it('gives a Vault error when used before init or after close', async () => {
    const store = new SqliteVaultStore({ dataDir: newDir() });
    await expect(store.listScope('t', 's')).rejects.toBeInstanceOf(VeilError);
    await store.init();
    await store.close();
    await expect(store.putMany([], (t, n) => `${t}_${n}`)).resolves.toEqual([]);
    await expect(store.getDataKey('t')).rejects.toMatchObject({ code: VeilErrorCode.Vault });
  });

  it('gives a Vault error naming the file when it cannot be opened', async () => {
    const store = new SqliteVaultStore({ file: join(root, 'missing-dir', 'nested', 'vault.db') });
    await expect(store.init()).rejects.toMatchObject({ code: VeilErrorCode.Vault });
  });
});
