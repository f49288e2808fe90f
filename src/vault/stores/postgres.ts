/**
 * The PostgreSQL `VaultStore`, for several gateway replicas sharing one vault.
 *
 * - Schema: created and migrated by Veil on `init`. Migrations are versioned (`schema_version`
 *   holds the version reached) and run in one transaction under a session-independent advisory
 *   lock keyed by the schema name, so replicas starting at the same moment apply each
 *   migration exactly once and wait for each other instead of racing on `CREATE`.
 * - `putMany`: one transaction that first takes `pg_advisory_xact_lock` for each (tenant,
 *   scope) of the batch, in a fixed order (no deadlock between two batches touching the same
 *   scopes). Under the lock "find the entry or insert it with the next number" cannot
 *   interleave with another replica doing the same; the primary key (tenant, scope, lookup)
 *   and UNIQUE (tenant, scope, type, seq) stay as a second line of defence, and a transaction
 *   that still hits one (a writer outside Veil, a hash collision of two lock keys is harmless)
 *   is retried.
 * - Round trips: a batch is ONE, whatever its size: the `put_many` function (migration 2)
 *   takes the locks and finds or numbers every entry server-side in one statement, which is
 *   its own transaction. That needs the token formatter to be a template (`TYPE_N`, or any
 *   fixed text around type and number, see `tokenTemplate`); any other formatter runs the
 *   same algorithm client-side in four round trips (BEGIN with the lock, one SELECT, one
 *   INSERT, COMMIT).
 * - `putManyAndList` (a gateway request: its values, and the rest of the session for the
 *   answer) is ONE round trip too: `put_many_and_list` (migration 3) runs `put_many`, then
 *   lists the scope's other live entries in a fresh snapshot, so it sees what it just wrote and
 *   everything other replicas committed before. Since migration 5 it reads first
 *   (`put_many_and_list_read_first`): when every value already has a live entry (a
 *   conversation's later turns), one statement finds them and nothing is locked or written.
 * - Erasure reaches every replica. `eraseTenant` and `deleteDataKey` run in one transaction that
 *   takes the tenant's advisory lock exclusively, deletes, and sends `pg_notify` on
 *   `veil_vault_forget` (payload: schema, tenant, generation of the shredded key), which
 *   PostgreSQL delivers to every listener only if the transaction commits. `deleteScope` sends
 *   one too (schema, tenant, session), in its one statement, so replicas drop what they
 *   remember of a deleted session (`SessionMemory`) without waiting for its max age. `watchErasures`
 *   listens on a connection of its own and reconnects; while it is down it reports `all`, since
 *   notices may have been missed. That is the fast path. The safety net does not depend on it:
 *   `put_many_and_list_keyed` (migration 4; `put_many_and_list_read_first`, migration 5, is what
 *   `putManyAndList` calls and checks the same way, still ONE round trip)
 *   takes the same tenant lock shared, reads the tenant's key generation and writes nothing
 *   when it is not the caller's. So a replica that missed the notice learns at its next
 *   request, before storing anything under the shredded key, and an erasure and a request of
 *   the same tenant never interleave (no row written under a key just shredded survives it).
 * - Time: `createdAt` and expiry use the store's clock (`now` option), not the server's, so a
 *   replica and its tests agree with the SQLite store on what is expired.
 *
 * Tables (in `schema`, default `veil_vault`): `entries`, `data_keys`, `schema_version`; sequence
 * `data_key_generation`.
 * @module
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { WrappedKey } from '../key-provider.js';
import {
  checkOneScope,
  othersThan,
  type ErasureNotice,
  type NewVaultEntry,
  type ScopeWrite,
  type StoredDataKey,
  type TenantDataKey,
  type TokenFormatter,
  type VaultEntry,
  type VaultStore,
} from '../vault-store.js';

export const DEFAULT_PG_SCHEMA = 'veil_vault';
/** The `LISTEN`/`NOTIFY` channel of erasures; one per database, payloads name their schema. */
export const FORGET_CHANNEL = 'veil_vault_forget';
/** pg_notify refuses payloads of 8000 bytes or more; a longer tenant name is sent as `all`. */
const MAX_NOTIFY_PAYLOAD = 7900;
/** Wait before listening again after the listening connection was lost. */
const RELISTEN_DELAY_MS = 1000;

export interface PostgresVaultStoreOptions {
  /** `postgres://user@host:5432/db`; or pass `pool`. */
  readonly connectionString?: string;
  /** A pool owned by the caller (not ended by `close()`). */
  readonly pool?: pg.Pool;
  /** Schema holding the tables (default `veil_vault`); lower-case letters, digits and `_`. */
  readonly schema?: string;
  /** Pool size when the store makes its own pool (default 10). */
  readonly maxConnections?: number;
  /** Clock for `createdAt` and for hiding expired entries (default `Date.now`). */
  readonly now?: () => number;
  /**
   * `false`: new tokens are committed with `synchronous_commit = off` — visible to every
   * replica at once and safe from a gateway crash, but a crash of the PostgreSQL server itself
   * can lose the last ~0.6 s of tokens (the guarantee SQLite's `synchronous=NORMAL` gives on an
   * OS crash). Saves the WAL flush (milliseconds on most disks) per request that brings new
   * values. Default `true`: durable before the token is returned.
   */
  readonly synchronousCommit?: boolean;
}

interface EntryRow {
  tenant: string;
  scope: string;
  type: string;
  seq: number;
  lookup: string;
  token: string;
  ciphertext: Buffer;
  created_at: string;
  expires_at: string | null;
}

interface KeyRow {
  tenant: string;
  key_id: string;
  wrapped: Buffer;
  generation: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const ENTRY_COLUMNS = 'tenant, scope, type, seq, lookup, token, ciphertext, created_at, expires_at';
/** How often a batch is retried after a serialization failure or unique violation. */
const MAX_ATTEMPTS = 5;

/**
 * Ordered migrations; index + 1 is the schema version they lead to. Never edit a released
 * entry: append a new one. `{schema}` is replaced by the quoted schema name.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE {schema}.entries (
     tenant      text    NOT NULL,
     scope       text    NOT NULL,
     type        text    NOT NULL,
     seq         integer NOT NULL,
     lookup      text    NOT NULL,
     token       text    NOT NULL,
     ciphertext  bytea   NOT NULL,
     created_at  bigint  NOT NULL,
     expires_at  bigint,
     PRIMARY KEY (tenant, scope, lookup),
     UNIQUE (tenant, scope, type, seq)
   );
   CREATE INDEX entries_by_token ON {schema}.entries (tenant, scope, token);
   CREATE INDEX entries_by_expiry ON {schema}.entries (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE {schema}.data_keys (
     tenant      text    NOT NULL PRIMARY KEY,
     key_id      text    NOT NULL,
     wrapped     bytea   NOT NULL,
     created_at  bigint  NOT NULL
   );`,
  // v2: putMany as one server-side call (one round trip, one statement = one transaction).
  // Tokens are prefix || type || infix || seq || suffix (see `tokenTemplate`); a given token
  // (opaque, fpe) wins. Each statement of a VOLATILE function takes a fresh snapshot, so after
  // the advisory locks it sees everything the previous lock holder committed.
  `CREATE FUNCTION {schema}.put_many(
     p_tenant text[], p_scope text[], p_type text[], p_lookup text[], p_token text[],
     p_ciphertext bytea[], p_expires bigint[], p_now bigint, p_locks bigint[], p_async boolean,
     p_prefix text, p_infix text, p_suffix text)
   RETURNS TABLE (tenant text, scope text, type text, seq integer, lookup text, token text,
                  ciphertext bytea, created_at bigint, expires_at bigint, created boolean)
   LANGUAGE plpgsql VOLATILE AS $fn$
   DECLARE
     i integer;
     e {schema}.entries;
     next_seq integer;
   BEGIN
     IF p_async THEN
       PERFORM set_config('synchronous_commit', 'off', true);
     END IF;
     PERFORM pg_advisory_xact_lock(k) FROM unnest(p_locks) AS k ORDER BY k;
     FOR i IN 1 .. coalesce(array_length(p_tenant, 1), 0) LOOP
       SELECT * INTO e FROM {schema}.entries x
        WHERE x.tenant = p_tenant[i] AND x.scope = p_scope[i] AND x.lookup = p_lookup[i];
       IF FOUND AND (e.expires_at IS NULL OR e.expires_at > p_now) THEN
         RETURN QUERY SELECT e.tenant, e.scope, e.type, e.seq, e.lookup, e.token, e.ciphertext,
                             e.created_at, e.expires_at, false;
         CONTINUE;
       END IF;
       IF FOUND THEN
         -- Expired but not purged yet: invisible to every reader, so the value starts over.
         DELETE FROM {schema}.entries x
          WHERE x.tenant = p_tenant[i] AND x.scope = p_scope[i] AND x.lookup = p_lookup[i];
       END IF;
       SELECT coalesce(max(x.seq), 0) + 1 INTO next_seq FROM {schema}.entries x
        WHERE x.tenant = p_tenant[i] AND x.scope = p_scope[i] AND x.type = p_type[i];
       INSERT INTO {schema}.entries AS x (tenant, scope, type, seq, lookup, token, ciphertext, created_at, expires_at)
       VALUES (p_tenant[i], p_scope[i], p_type[i], next_seq, p_lookup[i],
               coalesce(p_token[i], p_prefix || p_type[i] || p_infix || next_seq::text || p_suffix),
               p_ciphertext[i], p_now, p_expires[i])
       RETURNING * INTO e;
       RETURN QUERY SELECT e.tenant, e.scope, e.type, e.seq, e.lookup, e.token, e.ciphertext,
                           e.created_at, e.expires_at, true;
     END LOOP;
   END
   $fn$;`,
  // v3: put_many plus the scope's other live entries, in one call (one round trip per request).
  `CREATE FUNCTION {schema}.put_many_and_list(
     p_tenant text[], p_scope text[], p_type text[], p_lookup text[], p_token text[],
     p_ciphertext bytea[], p_expires bigint[], p_now bigint, p_locks bigint[], p_async boolean,
     p_prefix text, p_infix text, p_suffix text, p_list_tenant text, p_list_scope text)
   RETURNS TABLE (tenant text, scope text, type text, seq integer, lookup text, token text,
                  ciphertext bytea, created_at bigint, expires_at bigint, created boolean, listed boolean)
   LANGUAGE plpgsql VOLATILE AS $fn$
   BEGIN
     RETURN QUERY SELECT p.tenant, p.scope, p.type, p.seq, p.lookup, p.token, p.ciphertext,
                         p.created_at, p.expires_at, p.created, false
                    FROM {schema}.put_many(p_tenant, p_scope, p_type, p_lookup, p_token, p_ciphertext,
                                           p_expires, p_now, p_locks, p_async, p_prefix, p_infix, p_suffix) p;
     RETURN QUERY SELECT x.tenant, x.scope, x.type, x.seq, x.lookup, x.token, x.ciphertext,
                         x.created_at, x.expires_at, false, true
                    FROM {schema}.entries x
                   WHERE x.tenant = p_list_tenant AND x.scope = p_list_scope
                     AND (x.expires_at IS NULL OR x.expires_at > p_now)
                     AND x.lookup <> ALL (coalesce(p_lookup, '{}'::text[]))
                   ORDER BY x.type COLLATE "C", x.seq;
   END
   $fn$;`,
  // v4: data keys get a generation (kept by re-wrapping, new for a key created after an
  // erasure), and put_many_and_list checks it in the same call. First row: the generation found
  // ('' for none, the other columns null). Only when it is the caller's does it write and list:
  // under the tenant lock taken shared, which an erasure takes exclusively.
  `CREATE SEQUENCE {schema}.data_key_generation;
   ALTER TABLE {schema}.data_keys ADD COLUMN generation bigint NOT NULL DEFAULT nextval('{schema}.data_key_generation');
   CREATE FUNCTION {schema}.put_many_and_list_keyed(
     p_tenant text[], p_scope text[], p_type text[], p_lookup text[], p_token text[],
     p_ciphertext bytea[], p_expires bigint[], p_now bigint, p_locks bigint[], p_async boolean,
     p_prefix text, p_infix text, p_suffix text, p_list_tenant text, p_list_scope text,
     p_tenant_lock bigint, p_key_generation text)
   RETURNS TABLE (tenant text, scope text, type text, seq integer, lookup text, token text,
                  ciphertext bytea, created_at bigint, expires_at bigint, created boolean, listed boolean,
                  key_generation text)
   LANGUAGE plpgsql VOLATILE AS $fn$
   DECLARE
     found_generation text;
   BEGIN
     PERFORM pg_advisory_xact_lock_shared(p_tenant_lock);
     SELECT k.generation::text INTO found_generation FROM {schema}.data_keys k WHERE k.tenant = p_list_tenant;
     RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::bytea,
                         NULL::bigint, NULL::bigint, false, false, coalesce(found_generation, '');
     IF p_key_generation IS NOT NULL AND found_generation IS DISTINCT FROM p_key_generation THEN
       RETURN;
     END IF;
     RETURN QUERY SELECT p.tenant, p.scope, p.type, p.seq, p.lookup, p.token, p.ciphertext, p.created_at,
                         p.expires_at, p.created, p.listed, NULL::text
                    FROM {schema}.put_many_and_list(p_tenant, p_scope, p_type, p_lookup, p_token, p_ciphertext,
                                                    p_expires, p_now, p_locks, p_async, p_prefix, p_infix, p_suffix,
                                                    p_list_tenant, p_list_scope) p;
   END
   $fn$;`,
  // v5: put_many_and_list_keyed, reading first. On a conversation's later turns every value of
  // the request already has a live entry: one index probe per value finds them all, in one
  // statement (one snapshot, so the set is whole or the call takes the writing path), and the
  // call returns them without the scope lock or put_many's per-entry loop. Nothing is written on
  // that path, so the lock (which only orders "find or number" writers) is not needed: a live
  // entry's token never changes, and a concurrent deleteScope or purge is ordered as it would be
  // against the locked path. The tenant lock and the key generation check stay as in v4.
  `CREATE FUNCTION {schema}.put_many_and_list_read_first(
     p_tenant text[], p_scope text[], p_type text[], p_lookup text[], p_token text[],
     p_ciphertext bytea[], p_expires bigint[], p_now bigint, p_locks bigint[], p_async boolean,
     p_prefix text, p_infix text, p_suffix text, p_list_tenant text, p_list_scope text,
     p_tenant_lock bigint, p_key_generation text)
   RETURNS TABLE (tenant text, scope text, type text, seq integer, lookup text, token text,
                  ciphertext bytea, created_at bigint, expires_at bigint, created boolean, listed boolean,
                  key_generation text)
   LANGUAGE plpgsql VOLATILE AS $fn$
   DECLARE
     found_generation text;
     existing {schema}.entries[];
   BEGIN
     PERFORM pg_advisory_xact_lock_shared(p_tenant_lock);
     SELECT k.generation::text INTO found_generation FROM {schema}.data_keys k WHERE k.tenant = p_list_tenant;
     RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::bytea,
                         NULL::bigint, NULL::bigint, false, false, coalesce(found_generation, '');
     IF p_key_generation IS NOT NULL AND found_generation IS DISTINCT FROM p_key_generation THEN
       RETURN;
     END IF;
     SELECT coalesce(array_agg(x ORDER BY l.ord), '{}') INTO existing
       FROM unnest(coalesce(p_lookup, '{}'::text[])) WITH ORDINALITY AS l(lookup, ord)
       JOIN {schema}.entries x
         ON x.tenant = p_list_tenant AND x.scope = p_list_scope AND x.lookup = l.lookup
        AND (x.expires_at IS NULL OR x.expires_at > p_now);
     IF cardinality(existing) < coalesce(array_length(p_lookup, 1), 0) THEN
       RETURN QUERY SELECT p.tenant, p.scope, p.type, p.seq, p.lookup, p.token, p.ciphertext, p.created_at,
                           p.expires_at, p.created, p.listed, NULL::text
                      FROM {schema}.put_many_and_list(p_tenant, p_scope, p_type, p_lookup, p_token, p_ciphertext,
                                                      p_expires, p_now, p_locks, p_async, p_prefix, p_infix, p_suffix,
                                                      p_list_tenant, p_list_scope) p;
       RETURN;
     END IF;
     RETURN QUERY SELECT e.tenant, e.scope, e.type, e.seq, e.lookup, e.token, e.ciphertext, e.created_at,
                         e.expires_at, false, false, NULL::text
                    FROM unnest(existing) WITH ORDINALITY AS e
                   ORDER BY e.ordinality;
     RETURN QUERY SELECT x.tenant, x.scope, x.type, x.seq, x.lookup, x.token, x.ciphertext,
                         x.created_at, x.expires_at, false, true, NULL::text
                    FROM {schema}.entries x
                   WHERE x.tenant = p_list_tenant AND x.scope = p_list_scope
                     AND (x.expires_at IS NULL OR x.expires_at > p_now)
                     AND x.lookup <> ALL (coalesce(p_lookup, '{}'::text[]))
                   ORDER BY x.type COLLATE "C", x.seq;
   END
   $fn$;`,
];

/** Probes that no real entity type or count looks like, to recognise a template formatter. */
const PROBES: readonly [string, number][] = [
  ['Q7VEILPROBEA', 918273645],
  ['Z_VEIL_PROBE_B', 31],
];

/**
 * The formatter as (prefix, infix, suffix) when it writes `prefix + type + infix + seq +
 * suffix` (the placeholder key `TYPE_N` is `('', '_', '')`), so the server can write tokens;
 * undefined for any other formatter, which then runs client-side.
 */
export function tokenTemplate(formatToken: TokenFormatter): [string, string, string] | undefined {
  let template: [string, string, string] | undefined;
  for (const [type, seq] of PROBES) {
    const out = formatToken(type, seq);
    const at = out.indexOf(type);
    const number = String(seq);
    const end = out.lastIndexOf(number);
    if (at < 0 || end < at + type.length) return undefined;
    const found: [string, string, string] = [out.slice(0, at), out.slice(at + type.length, end), out.slice(end + number.length)];
    if (template !== undefined && found.some((part, i) => part !== template?.[i])) return undefined;
    template = found;
  }
  return template;
}

export class PostgresVaultStore implements VaultStore {
  readonly kind = 'postgres';
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #now: () => number;
  readonly #q: Queries;
  readonly #synchronousCommit: boolean;
  #initialised: Promise<void> | undefined;
  #closed = false;
  /** Stops of the running `watchErasures`, ended by `close()`. */
  readonly #watchers = new Set<() => void>();

  constructor(options: PostgresVaultStoreOptions) {
    const schema = options.schema ?? DEFAULT_PG_SCHEMA;
    if (!SCHEMA_NAME.test(schema)) {
      throw new VeilError(VeilErrorCode.Config, 'the vault schema name must be lower-case letters, digits and _ (at most 63)', {
        data: { field: 'schema' },
      });
    }
    this.schema = schema;
    if (options.pool !== undefined) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else if (options.connectionString !== undefined && options.connectionString !== '') {
      this.#pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
      this.#ownsPool = true;
    } else {
      throw new VeilError(VeilErrorCode.Config, 'PostgresVaultStore needs a connectionString or a pool');
    }
    // An idle pooled client can fail (server restart); without a listener that would crash the
    // process. The next query gets a fresh connection and reports its own error.
    this.#pool.on('error', () => undefined);
    this.#now = options.now ?? Date.now;
    this.#q = queries(`"${schema}"`);
    this.#synchronousCommit = options.synchronousCommit ?? true;
  }

  /** Current schema version (for diagnostics and tests). */
  async schemaVersion(): Promise<number> {
    const client = await this.#connect();
    try {
      return await readVersion(client, this.schema);
    } finally {
      client.release();
    }
  }

  init(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    this.#initialised ??= this.#migrate().catch((error: unknown) => {
      // A failed start (server down) must not stick: the next init tries again.
      this.#initialised = undefined;
      throw error;
    });
    return this.#initialised;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of [...this.#watchers]) stop();
    this.#watchers.clear();
    if (this.#ownsPool) await this.#pool.end();
  }

  async putMany(entries: readonly NewVaultEntry[], formatToken: TokenFormatter): Promise<VaultEntry[]> {
    if (entries.length === 0) return [];
    await this.#ready();
    // Lock every scope of the batch, sorted, so two batches over the same scopes queue rather
    // than deadlock.
    const lockKeys = [...new Set(entries.map((entry) => this.#scopeLockKey(entry.tenant, entry.scope)))].sort();
    const template = tokenTemplate(formatToken);
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (template !== undefined) return await this.#putServerSide(entries, formatToken, template, lockKeys);
        return await this.#transaction((client) => this.#putBatch(client, entries, formatToken), lockKeys, !this.#synchronousCommit);
      } catch (error) {
        const code = pgCode(error);
        // 23505 unique_violation, 40001 serialization_failure, 40P01 deadlock_detected: the
        // transaction was rolled back as a whole, so running it again is safe.
        if (attempt >= MAX_ATTEMPTS || (code !== '23505' && code !== '40001' && code !== '40P01')) throw error;
      }
    }
  }

  async putManyAndList(
    tenant: string,
    scope: string,
    entries: readonly NewVaultEntry[],
    formatToken: TokenFormatter,
    expectedKey?: string,
  ): Promise<ScopeWrite> {
    checkOneScope(tenant, scope, entries);
    await this.#ready();
    const template = tokenTemplate(formatToken);
    if (template === undefined) {
      // Not a template: the key check, the client-side batch, then the list (more round trips;
      // no caller in Veil).
      const keyGeneration = (await this.getDataKey(tenant))?.generation ?? null;
      if (expectedKey !== undefined && keyGeneration !== expectedKey) return { stored: [], others: [], keyGeneration };
      const stored = await this.putMany(entries, formatToken);
      return { stored, others: othersThan(stored, await this.listScope(tenant, scope)), keyGeneration };
    }
    const lockKeys = entries.length === 0 ? [] : [this.#scopeLockKey(tenant, scope)];
    const checked = [tenant, scope, this.#tenantLockKey(tenant), expectedKey ?? null];
    for (let attempt = 1; ; attempt += 1) {
      try {
        const rows = await this.#callPut(this.#q.putManyAndListKeyed, entries, lockKeys, template, checked);
        const found = rows[0]?.key_generation;
        if (typeof found !== 'string') throw new VeilError(VeilErrorCode.Vault, 'the vault database did not report the data key generation');
        const keyGeneration = found === '' ? null : found;
        if (expectedKey !== undefined && keyGeneration !== expectedKey) return { stored: [], others: [], keyGeneration };
        const entryRows = rows.slice(1);
        const stored = entryRows.filter((row) => !row.listed);
        return {
          stored: this.#checkStored(entries, formatToken, stored),
          others: entryRows.filter((row) => row.listed).map(fromRow),
          keyGeneration,
        };
      } catch (error) {
        const code = pgCode(error);
        if (attempt >= MAX_ATTEMPTS || (code !== '23505' && code !== '40001' && code !== '40P01')) throw error;
      }
    }
  }

  async findByLookup(tenant: string, scope: string, lookup: string): Promise<VaultEntry | undefined> {
    const rows = await this.#query<EntryRow>(this.#q.findByLookup, [tenant, scope, lookup, this.#now()]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  async findByToken(tenant: string, scope: string, token: string): Promise<VaultEntry | undefined> {
    const rows = await this.#query<EntryRow>(this.#q.findByToken, [tenant, scope, token, this.#now()]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  async listScope(tenant: string, scope: string): Promise<VaultEntry[]> {
    return (await this.#query<EntryRow>(this.#q.listScope, [tenant, scope, this.#now()])).map(fromRow);
  }

  async deleteScope(tenant: string, scope: string): Promise<number> {
    await this.#ready();
    try {
      // One statement: the notice is delivered only if the delete commits.
      const rows = await this.#pool.query<{ count: number }>(this.#q.deleteScope, [tenant, scope, FORGET_CHANNEL, sessionNoticePayload(this.schema, tenant, scope)]);
      return rows.rows[0]?.count ?? 0;
    } catch (error) {
      throw wrapError(error);
    }
  }

  async purgeExpired(now: number): Promise<number> {
    return this.#count(this.#q.purge, [now]);
  }

  async getDataKey(tenant: string): Promise<StoredDataKey | undefined> {
    const rows = await this.#query<KeyRow>(this.#q.getKey, [tenant]);
    return rows[0] === undefined ? undefined : fromKeyRow(rows[0]);
  }

  async putDataKeyIfAbsent(tenant: string, key: WrappedKey): Promise<StoredDataKey> {
    // One statement: insert unless present, then read back whichever key won. The CTE's
    // snapshot cannot see a concurrent winner's row, so the fallback SELECT reads it after.
    const inserted = await this.#query<KeyRow>(this.#q.insertKey, [tenant, key.keyId, Buffer.from(key.wrapped), this.#now()]);
    if (inserted[0] !== undefined) return fromKeyRow(inserted[0]);
    const current = await this.getDataKey(tenant);
    if (current === undefined) {
      // Deleted between our insert attempt and the read (a concurrent forget): try again.
      return this.putDataKeyIfAbsent(tenant, key);
    }
    return current;
  }

  async deleteDataKey(tenant: string): Promise<boolean> {
    await this.#ready();
    return (await this.#shred(tenant, false)).dataKey !== undefined;
  }

  async deleteTenant(tenant: string): Promise<number> {
    return this.#count(this.#q.deleteTenant, [tenant]);
  }

  async eraseTenant(tenant: string): Promise<{ entries: number; dataKey: StoredDataKey | undefined }> {
    await this.#ready();
    return this.#shred(tenant, true);
  }

  /**
   * Listens on `veil_vault_forget` on a connection of its own (held from the pool) and calls
   * `listener` for each erasure of this schema. When that connection is lost, reports `all`
   * and listens again after a pause, for as long as the store is open.
   */
  async watchErasures(listener: (notice: ErasureNotice) => void): Promise<() => void> {
    await this.#ready();
    let stopped = false;
    let client: pg.PoolClient | undefined;
    let retry: NodeJS.Timeout | undefined;
    const onNotification = (message: pg.Notification): void => {
      const notice = message.channel === FORGET_CHANNEL ? parseNotice(message.payload, this.schema) : undefined;
      if (notice !== undefined) listener(notice);
    };
    const active = (): boolean => !stopped && !this.#closed;
    /** Lets go of a listening connection; dropped rather than returned, so no pooled one listens. */
    const drop = (held: pg.PoolClient): void => {
      if (client === held) client = undefined;
      held.removeListener('notification', onNotification);
      held.release(true);
    };
    const listen = async (): Promise<void> => {
      const held = await this.#pool.connect();
      if (!active()) {
        held.release(true);
        return;
      }
      held.on('notification', onNotification);
      held.on('error', () => lost(held));
      held.on('end', () => lost(held));
      client = held;
      try {
        await held.query(`LISTEN ${FORGET_CHANNEL}`);
      } catch (error) {
        drop(held);
        throw error;
      }
    };
    const relisten = (): void => {
      if (!active()) return;
      retry = setTimeout(() => {
        listen().then(
          // Erasures committed while nobody listened were not heard: check every key again.
          () => active() && listener({ all: true }),
          () => relisten(),
        );
      }, RELISTEN_DELAY_MS);
      retry.unref();
    };
    const lost = (held: pg.PoolClient): void => {
      if (client !== held) return;
      drop(held);
      if (!active()) return;
      listener({ all: true });
      relisten();
    };
    const stop = (): void => {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      if (client !== undefined) drop(client);
    };
    this.#watchers.add(stop);
    try {
      await listen();
    } catch (error) {
      this.#watchers.delete(stop);
      stop();
      throw wrapError(error);
    }
    return () => {
      this.#watchers.delete(stop);
      stop();
    };
  }

  /** Deletes the data key (and, with `entries`, every entry) under the tenant lock, and notifies. */
  async #shred(tenant: string, entries: boolean): Promise<{ entries: number; dataKey: StoredDataKey | undefined }> {
    return this.#transaction(async (client) => {
      const deleted = entries ? ((await client.query(this.#q.deleteTenant, [tenant])).rowCount ?? 0) : 0;
      const key = (await client.query<KeyRow>(this.#q.deleteKeyReturning, [tenant])).rows[0];
      if (key !== undefined) await client.query('SELECT pg_notify($1, $2)', [FORGET_CHANNEL, noticePayload(this.schema, tenant, key.generation)]);
      return { entries: deleted, dataKey: key === undefined ? undefined : fromKeyRow(key) };
    }, [this.#tenantLockKey(tenant)]);
  }

  async listTenants(): Promise<string[]> {
    return (await this.#query<{ tenant: string }>(this.#q.listTenants, [])).map((row) => row.tenant);
  }

  async listDataKeys(after: string | undefined, limit: number): Promise<TenantDataKey[]> {
    const rows =
      after === undefined
        ? await this.#query<KeyRow>(this.#q.listKeys, [Math.max(0, limit)])
        : await this.#query<KeyRow>(this.#q.listKeysAfter, [after, Math.max(0, limit)]);
    return rows.map((row) => ({ tenant: row.tenant, key: fromKeyRow(row) }));
  }

  async replaceDataKey(tenant: string, expected: WrappedKey, next: WrappedKey): Promise<boolean> {
    const changed = await this.#count(this.#q.replaceKey, [
      tenant,
      expected.keyId,
      Buffer.from(expected.wrapped),
      next.keyId,
      Buffer.from(next.wrapped),
    ]);
    return changed > 0;
  }

  /** One round trip: the `put_many` function does the whole batch in one statement. */
  async #putServerSide(
    entries: readonly NewVaultEntry[],
    formatToken: TokenFormatter,
    [prefix, infix, suffix]: [string, string, string],
    lockKeys: readonly string[],
  ): Promise<VaultEntry[]> {
    const rows = await this.#callPut(this.#q.putMany, entries, lockKeys, [prefix, infix, suffix], []);
    return this.#checkStored(entries, formatToken, rows);
  }

  /** Calls `put_many` or `put_many_and_list` (which takes the scope to list as `extra`). */
  #callPut(
    text: string,
    entries: readonly NewVaultEntry[],
    lockKeys: readonly string[],
    [prefix, infix, suffix]: [string, string, string],
    extra: readonly unknown[],
  ): Promise<(EntryRow & { created: boolean; listed?: boolean; key_generation?: string | null })[]> {
    return this.#query<EntryRow & { created: boolean; listed?: boolean; key_generation?: string | null }>(text, [
      entries.map((e) => e.tenant),
      entries.map((e) => e.scope),
      entries.map((e) => e.type),
      entries.map((e) => e.lookup),
      entries.map((e) => e.token ?? null),
      entries.map((e) => Buffer.from(e.ciphertext)),
      entries.map((e) => (e.expiresAt === null ? null : String(e.expiresAt))),
      this.#now(),
      lockKeys,
      !this.#synchronousCommit,
      prefix,
      infix,
      suffix,
      ...extra,
    ]);
  }

  /** The server's rows for `entries`, in order, checked against the formatter. */
  #checkStored(entries: readonly NewVaultEntry[], formatToken: TokenFormatter, rows: readonly (EntryRow & { created: boolean })[]): VaultEntry[] {
    if (rows.length !== entries.length) {
      throw new VeilError(VeilErrorCode.Vault, 'the vault database returned a different number of entries than it was given');
    }
    return rows.map((row, index) => {
      // The server wrote the token from the template; the formatter must agree (it is also
      // what a caller may rely on being called for new entries).
      if (row.created && entries[index]?.token === undefined && formatToken(row.type, row.seq) !== row.token) {
        throw new VeilError(VeilErrorCode.Internal, 'the token formatter is not a template (type and number in fixed text)');
      }
      return fromRow(row);
    });
  }

  async #putBatch(client: pg.PoolClient, entries: readonly NewVaultEntry[], formatToken: TokenFormatter): Promise<VaultEntry[]> {
    const now = this.#now();

    const scopes = groupByScope(entries);
    const results = new Map<string, VaultEntry>();
    const fresh: EntryRow[] = [];
    const expired: [string, string, string][] = [];
    for (const group of scopes) {
      const lookups = [...new Set(group.entries.map((entry) => entry.lookup))];
      const types = [...new Set(group.entries.map((entry) => entry.type))];
      // One round trip: the batch's existing entries, and the highest number of each type.
      const rows = await client.query<EntryRow & { kind: 'entry' | 'max' }>(this.#q.existingAndMax, [
        group.tenant,
        group.scope,
        lookups,
        types,
      ]);
      const found = new Map(rows.rows.filter((row) => row.kind === 'entry').map((row) => [row.lookup, row]));
      const next = new Map(rows.rows.filter((row) => row.kind === 'max').map((row) => [row.type, row.seq]));
      for (const entry of group.entries) {
        const key = resultKey(entry);
        if (results.has(key)) continue;
        const row = found.get(entry.lookup);
        if (row !== undefined && !isExpired(row.expires_at, now)) {
          results.set(key, fromRow(row));
          continue;
        }
        // Expired but not purged yet: invisible to every reader, so the value starts over.
        if (row !== undefined) expired.push([entry.tenant, entry.scope, entry.lookup]);
        const seq = (next.get(entry.type) ?? 0) + 1;
        next.set(entry.type, seq);
        const created: EntryRow = {
          tenant: entry.tenant,
          scope: entry.scope,
          type: entry.type,
          seq,
          lookup: entry.lookup,
          token: entry.token ?? formatToken(entry.type, seq),
          ciphertext: Buffer.from(entry.ciphertext),
          created_at: String(now),
          expires_at: entry.expiresAt === null ? null : String(entry.expiresAt),
        };
        fresh.push(created);
        results.set(key, fromRow(created));
      }
    }
    if (expired.length > 0) {
      await client.query(this.#q.deleteLookups, [
        expired.map((e) => e[0]),
        expired.map((e) => e[1]),
        expired.map((e) => e[2]),
      ]);
    }
    if (fresh.length > 0) {
      await client.query(this.#q.insertMany, [
        fresh.map((r) => r.tenant),
        fresh.map((r) => r.scope),
        fresh.map((r) => r.type),
        fresh.map((r) => r.seq),
        fresh.map((r) => r.lookup),
        fresh.map((r) => r.token),
        fresh.map((r) => r.ciphertext),
        fresh.map((r) => r.created_at),
        fresh.map((r) => r.expires_at),
      ]);
    }
    return entries.map((entry) => results.get(resultKey(entry)) as VaultEntry);
  }

  /** The tenant's advisory lock: shared by its requests' writes, exclusive for its erasure. */
  #tenantLockKey(tenant: string): string {
    return createHash('sha256')
      .update(`veil/vault-tenant/v1\u0000${this.schema}\u0000${tenant}`)
      .digest()
      .readBigInt64BE(0)
      .toString();
  }

  /** A 64-bit advisory lock key for one scope, separated from other schemas and from the audit sink. */
  #scopeLockKey(tenant: string, scope: string): string {
    return createHash('sha256')
      .update(`veil/vault-scope/v1\u0000${this.schema}\u0000${tenant.length}:${tenant}\u0000${scope}`)
      .digest()
      .readBigInt64BE(0)
      .toString();
  }

  async #migrate(): Promise<void> {
    const lockKey = createHash('sha256').update(`veil/vault-migrate/v1\u0000${this.schema}`).digest().readBigInt64BE(0).toString();
    await this.#transaction(async (client) => {
      // Taken before anything else, CREATE SCHEMA included: two replicas creating the same
      // schema at once would otherwise fail on pg_namespace's unique index.
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${this.schema}".schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)`,
      );
      await client.query(`INSERT INTO "${this.schema}".schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`);
      const current = await readVersion(client, this.schema);
      if (current > MIGRATIONS.length) {
        throw new VeilError(
          VeilErrorCode.Vault,
          `the vault schema ${this.schema} has version ${current}, newer than this Veil supports (${MIGRATIONS.length}); upgrade Veil`,
        );
      }
      for (let version = current; version < MIGRATIONS.length; version += 1) {
        await client.query((MIGRATIONS[version] ?? '').replaceAll('{schema}', `"${this.schema}"`));
        await client.query(`UPDATE "${this.schema}".schema_version SET version = $1 WHERE id = 1`, [version + 1]);
      }
    });
  }

  /**
   * Runs `body` in a transaction. `lockKeys` (our own 64-bit integers, never user input) are
   * taken with `pg_advisory_xact_lock` in the same round trip as BEGIN: a simple-protocol
   * multi-statement, which is why they are written as literals.
   */
  async #transaction<T>(
    body: (client: pg.PoolClient) => Promise<T>,
    lockKeys: readonly string[] = [],
    asyncCommit = false,
  ): Promise<T> {
    const client = await this.#connect();
    let broken = false;
    try {
      for (const key of lockKeys) {
        if (!/^-?\d{1,20}$/.test(key)) throw new VeilError(VeilErrorCode.Internal, 'invalid advisory lock key');
      }
      await client.query(
        [
          'BEGIN',
          ...(asyncCommit ? ['SET LOCAL synchronous_commit = off'] : []),
          ...[...lockKeys].sort().map((key) => `SELECT pg_advisory_xact_lock(${key})`),
        ].join('; '),
      );
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw wrapError(error);
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: drop it from the pool.
      client.release(broken);
    }
  }

  async #query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    await this.#ready();
    try {
      return (await this.#pool.query<R>(text, values)).rows;
    } catch (error) {
      throw wrapError(error);
    }
  }

  async #count(text: string, values: unknown[]): Promise<number> {
    await this.#ready();
    try {
      return (await this.#pool.query(text, values)).rowCount ?? 0;
    } catch (error) {
      throw wrapError(error);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    this.#checkOpen();
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw wrapError(error);
    }
  }

  async #ready(): Promise<void> {
    this.#checkOpen();
    if (this.#initialised === undefined) {
      throw new VeilError(VeilErrorCode.Vault, 'the vault store is not open (call init first, or it was closed)');
    }
    await this.#initialised;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}

type Queries = ReturnType<typeof queries>;

function queries(schema: string) {
  const entries = `${schema}.entries`;
  const keys = `${schema}.data_keys`;
  const live = '(expires_at IS NULL OR expires_at > $4)';
  return {
    findByLookup: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE tenant = $1 AND scope = $2 AND lookup = $3 AND ${live}`,
    findByToken: `SELECT ${ENTRY_COLUMNS} FROM ${entries} WHERE tenant = $1 AND scope = $2 AND token = $3 AND ${live} LIMIT 1`,
    listScope: `SELECT ${ENTRY_COLUMNS} FROM ${entries}
                WHERE tenant = $1 AND scope = $2 AND (expires_at IS NULL OR expires_at > $3)
                ORDER BY type COLLATE "C", seq`,
    // Expired but unpurged rows count in the maxima: numbers are never reused while their row exists.
    existingAndMax: `SELECT 'entry' AS kind, ${ENTRY_COLUMNS} FROM ${entries}
                     WHERE tenant = $1 AND scope = $2 AND lookup = ANY($3::text[])
                     UNION ALL
                     SELECT 'max', NULL, NULL, type, max(seq), NULL, NULL, NULL, NULL, NULL FROM ${entries}
                     WHERE tenant = $1 AND scope = $2 AND type = ANY($4::text[]) GROUP BY type`,
    deleteLookups: `DELETE FROM ${entries} e USING unnest($1::text[], $2::text[], $3::text[]) AS d(tenant, scope, lookup)
                    WHERE e.tenant = d.tenant AND e.scope = d.scope AND e.lookup = d.lookup`,
    insertMany: `INSERT INTO ${entries} (${ENTRY_COLUMNS})
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[],
                                      $7::bytea[], $8::bigint[], $9::bigint[])`,
    putMany: `SELECT * FROM ${schema}.put_many($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[],
                                                 $7::bigint[], $8::bigint, $9::bigint[], $10::boolean, $11, $12, $13)`,
    putManyAndListKeyed: `SELECT * FROM ${schema}.put_many_and_list_read_first($1::text[], $2::text[], $3::text[], $4::text[],
                       $5::text[], $6::bytea[], $7::bigint[], $8::bigint, $9::bigint[], $10::boolean, $11, $12, $13, $14, $15,
                       $16::bigint, $17::text)`,
    deleteScope: `WITH deleted AS (DELETE FROM ${entries} WHERE tenant = $1 AND scope = $2 RETURNING 1)
                  SELECT count(*)::int AS count, pg_notify($3, $4) FROM deleted`,
    deleteTenant: `DELETE FROM ${entries} WHERE tenant = $1`,
    purge: `DELETE FROM ${entries} WHERE expires_at IS NOT NULL AND expires_at <= $1`,
    getKey: `SELECT tenant, key_id, wrapped, generation::text FROM ${keys} WHERE tenant = $1`,
    insertKey: `INSERT INTO ${keys} (tenant, key_id, wrapped, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (tenant) DO NOTHING RETURNING tenant, key_id, wrapped, generation::text`,
    deleteKeyReturning: `DELETE FROM ${keys} WHERE tenant = $1 RETURNING tenant, key_id, wrapped, generation::text`,
    listTenants: `SELECT tenant FROM (SELECT DISTINCT tenant FROM ${entries} UNION SELECT tenant FROM ${keys}) t
                  ORDER BY tenant COLLATE "C"`,
    listKeys: `SELECT tenant, key_id, wrapped, generation::text FROM ${keys} ORDER BY tenant COLLATE "C" LIMIT $1`,
    listKeysAfter: `SELECT tenant, key_id, wrapped, generation::text FROM ${keys} WHERE tenant COLLATE "C" > $1
                    ORDER BY tenant COLLATE "C" LIMIT $2`,
    replaceKey: `UPDATE ${keys} SET key_id = $4, wrapped = $5 WHERE tenant = $1 AND key_id = $2 AND wrapped = $3`,
  };
}

async function readVersion(client: pg.PoolClient, schema: string): Promise<number> {
  const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    `"${schema}".schema_version`,
  ]);
  if (exists.rows[0]?.present !== true) return 0;
  const row = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version WHERE id = 1`);
  return row.rows[0]?.version ?? 0;
}

interface ScopeGroup {
  readonly tenant: string;
  readonly scope: string;
  readonly entries: NewVaultEntry[];
}

function groupByScope(entries: readonly NewVaultEntry[]): ScopeGroup[] {
  const groups = new Map<string, ScopeGroup>();
  for (const entry of entries) {
    const key = `${entry.tenant.length}:${entry.tenant}\u0000${entry.scope}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { tenant: entry.tenant, scope: entry.scope, entries: [] };
      groups.set(key, group);
    }
    group.entries.push(entry);
  }
  return [...groups.values()];
}

function resultKey(entry: NewVaultEntry): string {
  return `${entry.tenant.length}:${entry.tenant}\u0000${entry.scope.length}:${entry.scope}\u0000${entry.lookup}`;
}

function isExpired(expiresAt: string | null, now: number): boolean {
  return expiresAt !== null && Number(expiresAt) <= now;
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
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

function fromKeyRow(row: KeyRow): StoredDataKey {
  return { keyId: row.key_id, wrapped: new Uint8Array(row.wrapped), generation: row.generation };
}

/** The notice of one erasure: JSON naming the schema, the tenant and the shredded generation. */
function noticePayload(schema: string, tenant: string, generation: string): string {
  const payload = JSON.stringify({ schema, tenant, generation });
  return Buffer.byteLength(payload, 'utf8') < MAX_NOTIFY_PAYLOAD ? payload : JSON.stringify({ schema, all: true });
}

/** The notice of a deleted session (processes drop what they remember of it). */
function sessionNoticePayload(schema: string, tenant: string, session: string): string {
  const payload = JSON.stringify({ schema, tenant, session });
  return Buffer.byteLength(payload, 'utf8') < MAX_NOTIFY_PAYLOAD ? payload : JSON.stringify({ schema, all: true });
}

/** A notice of `schema`, or undefined (another schema's, or not ours). */
function parseNotice(payload: string | undefined, schema: string): ErasureNotice | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload ?? '');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('schema' in parsed) || parsed.schema !== schema) return undefined;
  if ('all' in parsed && parsed.all === true) return { all: true };
  if (!('tenant' in parsed) || typeof parsed.tenant !== 'string') return undefined;
  if ('session' in parsed) return typeof parsed.session === 'string' ? { tenant: parsed.tenant, session: parsed.session } : undefined;
  const generation = 'generation' in parsed && typeof parsed.generation === 'string' ? parsed.generation : null;
  return { tenant: parsed.tenant, generation };
}

function pgCode(error: unknown): string | undefined {
  const source = VeilError.isInstance(error) ? error.cause : error;
  return typeof source === 'object' && source !== null && 'code' in source && typeof source.code === 'string'
    ? source.code
    : undefined;
}

/**
 * PostgreSQL errors become Vault errors carrying only the SQLSTATE: the server's message and
 * detail can quote row values (a unique violation prints the key, e.g. a tenant name).
 */
function wrapError(error: unknown): unknown {
  if (VeilError.isInstance(error)) return error;
  const code = pgCode(error) ?? (error instanceof Error && 'code' in error ? String(error.code) : 'unknown');
  return new VeilError(VeilErrorCode.Vault, `vault database operation failed (${code})`, { cause: error, data: { code } });
}

function closedError(): VeilError {
  return new VeilError(VeilErrorCode.Vault, 'the vault store is closed');
}
