/**
 * The embedded default `VaultStore`: one SQLite file (`<dataDir>/vault.db`) via better-sqlite3.
 *
 * - WAL journal with `synchronous=NORMAL`: a commit is one append to the WAL, with no fsync on
 *   the hot path, and it survives the process being killed (not necessarily a power cut).
 * - Several processes may share the file: every write is one `BEGIN IMMEDIATE` transaction,
 *   so "find the entry or insert it with the next number" cannot interleave with another
 *   process doing the same, and `busy_timeout` makes the loser wait instead of failing.
 * - Erasure across processes: SQLite has no channel to tell other processes that a tenant's
 *   data key was shredded. `putManyAndList` (how every vault scope opens or first writes)
 *   reads the key's generation in its own immediate transaction and writes nothing when it is
 *   not the caller's, so a process holding a shredded key learns it at its next scope, before
 *   storing anything under that key; `eraseTenant` is one transaction too.
 * - The schema carries a version; migrations run inside an immediate transaction, so processes
 *   opening a fresh file at the same moment apply each migration exactly once.
 *
 * better-sqlite3 is synchronous; the async methods keep the `VaultStore` shape shared with
 * PostgreSQL. Each call is short (indexed lookups), so blocking the event loop is brief.
 * @module
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { WrappedKey } from '../key-provider.js';
import {
  checkOneScope,
  othersThan,
  type NewVaultEntry,
  type ScopeWrite,
  type StoredDataKey,
  type TenantDataKey,
  type TokenFormatter,
  type VaultEntry,
  type VaultStore,
} from '../vault-store.js';

export const SQLITE_FILE = 'vault.db';

export interface SqliteVaultStoreOptions {
  /** Directory holding `vault.db` (must exist). Ignored when `file` is given. */
  readonly dataDir?: string;
  /** Explicit database file path. */
  readonly file?: string;
  /** How long a write waits for another process's transaction (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Clock for `createdAt` and for hiding expired entries (default `Date.now`). */
  readonly now?: () => number;
}

interface EntryRow {
  tenant: string;
  scope: string;
  type: string;
  seq: number;
  lookup: string;
  token: string;
  ciphertext: Buffer;
  created_at: number;
  expires_at: number | null;
}

interface KeyRow {
  key_id: string;
  wrapped: Buffer;
  generation: string | null;
}

/**
 * Ordered migrations; index + 1 is the schema version they lead to. Never edit a released
 * entry: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE entries (
     tenant      TEXT    NOT NULL,
     scope       TEXT    NOT NULL,
     type        TEXT    NOT NULL,
     seq         INTEGER NOT NULL,
     lookup      TEXT    NOT NULL,
     token       TEXT    NOT NULL,
     ciphertext  BLOB    NOT NULL,
     created_at  INTEGER NOT NULL,
     expires_at  INTEGER,
     PRIMARY KEY (tenant, scope, lookup),
     UNIQUE (tenant, scope, type, seq)
   ) WITHOUT ROWID;
   CREATE INDEX entries_by_token ON entries (tenant, scope, token);
   CREATE INDEX entries_by_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE data_keys (
     tenant      TEXT    NOT NULL PRIMARY KEY,
     key_id      TEXT    NOT NULL,
     wrapped     BLOB    NOT NULL,
     created_at  INTEGER NOT NULL
   );`,
  // v2: the data key's generation (see `StoredDataKey`): random, kept by re-wrapping.
  `ALTER TABLE data_keys ADD COLUMN generation TEXT;
   UPDATE data_keys SET generation = lower(hex(randomblob(16)));`,
];

export class SqliteVaultStore implements VaultStore {
  readonly kind = 'sqlite';
  readonly file: string;
  readonly #busyTimeoutMs: number;
  readonly #now: () => number;
  #db: Database.Database | undefined;
  #statements: Statements | undefined;

  constructor(options: SqliteVaultStoreOptions) {
    if (options.file !== undefined) this.file = options.file;
    else if (options.dataDir !== undefined) this.file = join(options.dataDir, SQLITE_FILE);
    else throw new VeilError(VeilErrorCode.Vault, 'SqliteVaultStore needs a dataDir or a file');
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** Current schema version of the open database (for diagnostics and tests). */
  get schemaVersion(): number {
    return readVersion(this.#open().db);
  }

  async init(): Promise<void> {
    if (this.#db !== undefined) return;
    let db: Database.Database;
    try {
      const created = !existsSync(this.file);
      db = new Database(this.file, { timeout: this.#busyTimeoutMs });
      // Values are encrypted, but tenant and session names are not: keep the file private.
      // SQLite gives the -wal and -shm files the same mode. Best effort (a shared file may
      // belong to another user).
      if (created) restrictMode(this.file);
    } catch (cause) {
      throw new VeilError(VeilErrorCode.Vault, `cannot open the vault database ${this.file}`, { cause });
    }
    try {
      // Switching to WAL needs a moment of exclusive access; when several processes open a
      // fresh file together the switch can report busy even with a busy timeout, so retry.
      retryBusy(() => db.pragma('journal_mode = WAL'), this.#busyTimeoutMs);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      this.#statements = prepare(db);
      this.#db = db;
    } catch (cause) {
      db.close();
      if (VeilError.isInstance(cause)) throw cause;
      throw new VeilError(VeilErrorCode.Vault, `cannot initialise the vault database ${this.file}`, { cause });
    }
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#statements = undefined;
    db?.close();
  }

  async putMany(entries: readonly NewVaultEntry[], formatToken: TokenFormatter): Promise<VaultEntry[]> {
    if (entries.length === 0) return [];
    const { db } = this.#open();
    const run = db.transaction((batch: readonly NewVaultEntry[]): VaultEntry[] => this.#putBatch(batch, formatToken, this.#now()));
    return this.#write(() => run.immediate(entries));
  }

  /** putMany's work; the caller holds the write transaction. */
  #putBatch(entries: readonly NewVaultEntry[], formatToken: TokenFormatter, now: number): VaultEntry[] {
    const { st } = this.#open();
    return entries.map((entry) => {
        const existing = st.findByLookup.get(entry.tenant, entry.scope, entry.lookup) as EntryRow | undefined;
        if (existing !== undefined) {
          if (!isExpired(existing.expires_at, now)) return fromRow(existing);
          // Expired but not purged yet: invisible to every reader, so the value starts over.
          st.deleteByLookup.run(entry.tenant, entry.scope, entry.lookup);
        }
        const { maxSeq } = st.maxSeq.get(entry.tenant, entry.scope, entry.type) as { maxSeq: number };
        const seq = maxSeq + 1;
        const row: EntryRow = {
          tenant: entry.tenant,
          scope: entry.scope,
          type: entry.type,
          seq,
          lookup: entry.lookup,
          token: entry.token ?? formatToken(entry.type, seq),
          ciphertext: Buffer.from(entry.ciphertext),
          created_at: now,
          expires_at: entry.expiresAt,
        };
        st.insert.run(row);
        return fromRow(row);
      });
  }

  async putManyAndList(
    tenant: string,
    scope: string,
    entries: readonly NewVaultEntry[],
    formatToken: TokenFormatter,
    expectedKey?: string,
  ): Promise<ScopeWrite> {
    checkOneScope(tenant, scope, entries);
    const { db, st } = this.#open();
    const now = this.#now();
    const run = db.transaction((): ScopeWrite => {
      const key = st.getKey.get(tenant) as KeyRow | undefined;
      const keyGeneration = key === undefined ? null : generationOf(key);
      if (expectedKey !== undefined && keyGeneration !== expectedKey) return { stored: [], others: [], keyGeneration };
      const stored = this.#putBatch(entries, formatToken, now);
      return { stored, others: othersThan(stored, (st.listScope.all(tenant, scope, now) as EntryRow[]).map(fromRow)), keyGeneration };
    });
    // Immediate only when there is something to write: a read-only call takes no write lock.
    return this.#write(() => (entries.length === 0 ? run.deferred() : run.immediate()));
  }

  async findByLookup(tenant: string, scope: string, lookup: string): Promise<VaultEntry | undefined> {
    const row = this.#open().st.findByLookup.get(tenant, scope, lookup) as EntryRow | undefined;
    return row === undefined || isExpired(row.expires_at, this.#now()) ? undefined : fromRow(row);
  }

  async findByToken(tenant: string, scope: string, token: string): Promise<VaultEntry | undefined> {
    const row = this.#open().st.findByToken.get(tenant, scope, token, this.#now()) as EntryRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  async listScope(tenant: string, scope: string): Promise<VaultEntry[]> {
    const rows = this.#open().st.listScope.all(tenant, scope, this.#now()) as EntryRow[];
    return rows.map(fromRow);
  }

  async deleteScope(tenant: string, scope: string): Promise<number> {
    const { st } = this.#open();
    return this.#write(() => st.deleteScope.run(tenant, scope).changes);
  }

  async purgeExpired(now: number): Promise<number> {
    const { st } = this.#open();
    return this.#write(() => st.purge.run(now).changes);
  }

  async getDataKey(tenant: string): Promise<StoredDataKey | undefined> {
    const row = this.#open().st.getKey.get(tenant) as KeyRow | undefined;
    return row === undefined ? undefined : fromKeyRow(row);
  }

  async putDataKeyIfAbsent(tenant: string, key: WrappedKey): Promise<StoredDataKey> {
    const { db, st } = this.#open();
    const run = db.transaction((): KeyRow => {
      st.insertKey.run(tenant, key.keyId, Buffer.from(key.wrapped), this.#now());
      return st.getKey.get(tenant) as KeyRow;
    });
    return fromKeyRow(this.#write(() => run.immediate()));
  }

  async deleteDataKey(tenant: string): Promise<boolean> {
    const { st } = this.#open();
    return this.#write(() => st.deleteKey.run(tenant).changes > 0);
  }

  async deleteTenant(tenant: string): Promise<number> {
    const { st } = this.#open();
    return this.#write(() => st.deleteTenant.run(tenant).changes);
  }

  async eraseTenant(tenant: string): Promise<{ entries: number; dataKey: StoredDataKey | undefined }> {
    const { db, st } = this.#open();
    const run = db.transaction(() => {
      const key = st.getKey.get(tenant) as KeyRow | undefined;
      st.deleteKey.run(tenant);
      return { entries: st.deleteTenant.run(tenant).changes, dataKey: key === undefined ? undefined : fromKeyRow(key) };
    });
    return this.#write(() => run.immediate());
  }

  async listTenants(): Promise<string[]> {
    return (this.#open().st.listTenants.all() as { tenant: string }[]).map((row) => row.tenant);
  }

  async listDataKeys(after: string | undefined, limit: number): Promise<TenantDataKey[]> {
    const { st } = this.#open();
    const rows = (
      after === undefined ? st.listKeys.all(Math.max(0, limit)) : st.listKeysAfter.all(after, Math.max(0, limit))
    ) as (KeyRow & { tenant: string })[];
    return rows.map((row) => ({ tenant: row.tenant, key: fromKeyRow(row) }));
  }

  async replaceDataKey(tenant: string, expected: WrappedKey, next: WrappedKey): Promise<boolean> {
    const { st } = this.#open();
    return this.#write(
      () =>
        st.replaceKey.run(next.keyId, Buffer.from(next.wrapped), tenant, expected.keyId, Buffer.from(expected.wrapped))
          .changes > 0,
    );
  }

  #open(): { db: Database.Database; st: Statements } {
    if (this.#db === undefined || this.#statements === undefined) {
      throw new VeilError(VeilErrorCode.Vault, 'the vault store is not open (call init first, or it was closed)');
    }
    return { db: this.#db, st: this.#statements };
  }

  /** Runs a write, turning SQLite failures into Vault errors (SQLite's messages hold no values). */
  #write<T>(write: () => T): T {
    try {
      return write();
    } catch (cause) {
      if (VeilError.isInstance(cause)) throw cause;
      const code = sqliteCode(cause) ?? 'unknown';
      throw new VeilError(VeilErrorCode.Vault, `vault write failed (${code})`, { cause, data: { code } });
    }
  }
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  return {
    findByLookup: db.prepare('SELECT * FROM entries WHERE tenant = ? AND scope = ? AND lookup = ?'),
    findByToken: db.prepare(
      'SELECT * FROM entries WHERE tenant = ? AND scope = ? AND token = ? AND (expires_at IS NULL OR expires_at > ?) LIMIT 1',
    ),
    listScope: db.prepare(
      'SELECT * FROM entries WHERE tenant = ? AND scope = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY type, seq',
    ),
    maxSeq: db.prepare(
      'SELECT coalesce(max(seq), 0) AS maxSeq FROM entries WHERE tenant = ? AND scope = ? AND type = ?',
    ),
    insert: db.prepare(
      `INSERT INTO entries (tenant, scope, type, seq, lookup, token, ciphertext, created_at, expires_at)
       VALUES (@tenant, @scope, @type, @seq, @lookup, @token, @ciphertext, @created_at, @expires_at)`,
    ),
    deleteByLookup: db.prepare('DELETE FROM entries WHERE tenant = ? AND scope = ? AND lookup = ?'),
    deleteScope: db.prepare('DELETE FROM entries WHERE tenant = ? AND scope = ?'),
    purge: db.prepare('DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    getKey: db.prepare('SELECT key_id, wrapped, generation FROM data_keys WHERE tenant = ?'),
    insertKey: db.prepare(
      `INSERT INTO data_keys (tenant, key_id, wrapped, created_at, generation) VALUES (?, ?, ?, ?, lower(hex(randomblob(16))))
       ON CONFLICT (tenant) DO NOTHING`,
    ),
    deleteKey: db.prepare('DELETE FROM data_keys WHERE tenant = ?'),
    deleteTenant: db.prepare('DELETE FROM entries WHERE tenant = ?'),
    // BINARY collation: UTF-8 byte order, the order every store lists tenants in.
    listTenants: db.prepare('SELECT tenant FROM entries UNION SELECT tenant FROM data_keys ORDER BY tenant'),
    listKeys: db.prepare('SELECT tenant, key_id, wrapped, generation FROM data_keys ORDER BY tenant LIMIT ?'),
    listKeysAfter: db.prepare('SELECT tenant, key_id, wrapped, generation FROM data_keys WHERE tenant > ? ORDER BY tenant LIMIT ?'),
    replaceKey: db.prepare('UPDATE data_keys SET key_id = ?, wrapped = ? WHERE tenant = ? AND key_id = ? AND wrapped = ?'),
  };
}

function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    db.exec('INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    const current = readVersion(db);
    if (current > MIGRATIONS.length) {
      throw new VeilError(
        VeilErrorCode.Vault,
        `the vault database has schema version ${current}, newer than this Veil supports (${MIGRATIONS.length}); upgrade Veil`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      db.exec(MIGRATIONS[version] ?? '');
      db.prepare('UPDATE schema_version SET version = ? WHERE id = 1').run(version + 1);
    }
  });
  retryBusy(() => run.immediate(), 5000);
}

function readVersion(db: Database.Database): number {
  const row = db.prepare('SELECT version FROM schema_version WHERE id = 1').get() as { version: number } | undefined;
  return row?.version ?? 0;
}

function retryBusy<T>(action: () => T, budgetMs: number): T {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return action();
    } catch (error) {
      const code = sqliteCode(error);
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() >= deadline) throw error;
      // A short synchronous pause: this only happens while opening, never on the hot path.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function restrictMode(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch {
    // Not ours to change; the data directory's own 0700 still protects it.
  }
}

function sqliteCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}

function fromRow(row: EntryRow): VaultEntry {
  return {
    tenant: row.tenant,
    scope: row.scope,
    type: row.type,
    seq: row.seq,
    lookup: row.lookup,
    token: row.token,
    ciphertext: new Uint8Array(row.ciphertext),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

function fromKeyRow(row: KeyRow): StoredDataKey {
  return { keyId: row.key_id, wrapped: new Uint8Array(row.wrapped), generation: generationOf(row) };
}

/**
 * A key row's generation. A row written by a Veil older than migration 2 (a process still
 * running while another migrated the file) has none: its key id and bytes stand in, which still
 * change when the key is shredded and a new one created.
 */
function generationOf(row: KeyRow): string {
  return row.generation ?? `legacy:${row.key_id}:${Buffer.from(row.wrapped).toString('base64')}`;
}
