/**
 * The vault: persistent, encrypted token scopes for sessions, and the engine's `ScopeProvider`.
 *
 * @example
 * const vault = await Vault.open({ dataDir: defaultDataDir() });
 * const scope = await vault.openScope({ tenant: 'acme', session: 'chat-42', ttlSeconds: 3600 });
 * const [key] = await scope.tokenize([{ type: 'EMAIL', value: 'Maria@Example.com', normalized: 'maria@example.com' }]);
 * // key === 'EMAIL_1'; any process opening acme/chat-42 later resolves it again
 * await vault.close();
 *
 * Keys: each tenant has its own random data key, created on first use, stored only wrapped by
 * the `KeyProvider` (by default the local master key), unwrapped once per process and cached
 * as a `TenantKeyLease`. `forgetTenant` deletes that data key: the tenant's stored values can no
 * longer be decrypted by anyone (crypto-shredding). A scope opened afterwards resolves none of
 * the old tokens (`resolve` gives undefined; `PersistentTokenScope.checkReadable()` counts them)
 * and new values get a fresh data key and numbers after the old ones.
 *
 * Erasure reaches every process sharing the store, without a restart:
 * - at once, where the store can tell (PostgreSQL `watchErasures`): the lease of the shredded
 *   key is revoked, so every scope holding it forgets its values and refuses to tokenize, and
 *   the next use of the tenant loads (or creates) its new key;
 * - whatever happens to that notice, every scope load checks the lease's key generation in the
 *   store call it makes anyway (`putManyAndList`, still one round trip per gateway request) and
 *   a shredded key is revoked there, before anything is decrypted or stored under it;
 * - the uses that make no store call, `formatKeys` (keyed formats of requests without a
 *   session) and a session's known turn (`OpenScopeRequest.knownTurns`), trust a lease the store
 *   confirmed less than `keyCheckMs` ago (default 10 s; every scope load confirms it): `formatKeys`
 *   asks the store first, a known turn makes its usual store call instead. A notice that the
 *   channel was down (`all`) makes both ask at once.
 * A session deleted through another process (PostgreSQL notices `deleteScope` too) is dropped
 * from the lease's `ValueMemo` and `SessionMemory` when the notice arrives; without a notice
 * (SQLite) both trust what they hold for at most their max age (5 minutes).
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { ScopeProvider } from '../engine.js';
import { deriveTenantKeys, generateDataKey } from './crypto.js';
import { isStaleDataKeyError, TenantKeyLease } from './key-lease.js';
import type { KeyProvider } from './key-provider.js';
import { keyProviderFromEnv } from './keys/from-env.js';
import { LocalKeyProvider } from './keys/local.js';
import { PersistentTokenScope } from './persistent-scope.js';
import { PostgresVaultStore } from './stores/postgres.js';
import { SqliteVaultStore } from './stores/sqlite.js';
import type { FormatKeys } from './tokens/format-keys.js';
import type { FormatChooser } from './tokens/formats.js';
import type { ErasureNotice, StoredDataKey, VaultStore } from './vault-store.js';

export const DATA_DIR_ENV = 'VEIL_DATA_DIR';
export const DEFAULT_DATA_DIR = '.veil';
/** `postgres://…`: when set, the vault lives in PostgreSQL (shared by replicas) instead of `vault.db`. */
export const VAULT_URL_ENV = 'VEIL_VAULT_URL';
/** PostgreSQL schema of the vault tables (default `veil_vault`). */
export const VAULT_SCHEMA_ENV = 'VEIL_VAULT_SCHEMA';
/** `off`: commit new tokens without waiting for the WAL flush (see `PostgresVaultStoreOptions`). */
export const VAULT_SYNC_COMMIT_ENV = 'VEIL_VAULT_SYNC_COMMIT';
/** Default TTL, in seconds, of session tokens (unset: no expiry). */
export const VAULT_TTL_ENV = 'VEIL_VAULT_TTL_SECONDS';

export interface PurgeJob {
  /** Stops the job; resolves once a purge in progress has finished. */
  stop(): Promise<void>;
}

export interface VaultOptions {
  /** Holds `vault.db` and `master.key` when the defaults are used. Created with mode 0700. */
  readonly dataDir: string;
  /**
   * Default: `PostgresVaultStore` when `url` (or `VEIL_VAULT_URL`) is set, else
   * `SqliteVaultStore` on `<dataDir>/vault.db`. The vault owns it and closes it.
   */
  readonly store?: VaultStore;
  /** PostgreSQL connection string for the default store; wins over `VEIL_VAULT_URL`. */
  readonly url?: string;
  /** PostgreSQL schema for the default store; wins over `VEIL_VAULT_SCHEMA`. */
  readonly schema?: string;
  /**
   * Default: the provider `VEIL_KEY_PROVIDER` names (`keys/from-env.ts`), else
   * `LocalKeyProvider` (masterKey option, `VEIL_MASTER_KEY`, or `<dataDir>/master.key`).
   */
  readonly keys?: KeyProvider;
  /** Base64 master key for the default key provider. */
  readonly masterKey?: string;
  /** Environment for the default key provider (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for TTLs (default `Date.now`). */
  readonly now?: () => number;
  /**
   * TTL of a scope whose `openScope` request gives none: per tenant (e.g. from policy), else
   * `VEIL_VAULT_TTL_SECONDS`, else no expiry.
   */
  readonly ttlFor?: (tenant: string, session: string) => number | undefined;
  /**
   * How long `formatKeys` trusts a cached key without asking the store whether it was shredded
   * (default 10 000 ms; 0: ask every time). Scopes ask on every load regardless.
   */
  readonly keyCheckMs?: number;
}

/** Default of `VaultOptions.keyCheckMs`. */
export const DEFAULT_KEY_CHECK_MS = 10_000;

export interface OpenScopeRequest {
  readonly tenant: string;
  readonly session: string;
  /** New entries of this scope expire this many seconds after they are stored. */
  readonly ttlSeconds?: number;
  /** Token format per entity type (default placeholder); see `tokens/formats.ts`. */
  readonly format?: FormatChooser;
  /**
   * Read nothing now: the first `tokenize` loads the session together with storing the
   * request's values (one database round trip per request). See `PersistentTokenScope.deferred`.
   */
  readonly lazy?: boolean;
  /**
   * With `lazy`: a turn whose values this process already knows for the session makes no store
   * call at all (see `PersistentTokenScope.partial`). Only for callers that then check
   * `needsLoad` on what they forward and await `loadSession` when it says so.
   */
  readonly knownTurns?: boolean;
}

/** `VEIL_DATA_DIR`, or `.veil` in the working directory; always absolute. */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  const configured = env[DATA_DIR_ENV]?.trim();
  return resolve(cwd, configured === undefined || configured === '' ? DEFAULT_DATA_DIR : configured);
}

export class Vault implements ScopeProvider {
  readonly dataDir: string;
  readonly store: VaultStore;
  readonly keys: KeyProvider;
  readonly #now: () => number;
  readonly #ttlFor: (tenant: string, session: string) => number | undefined;
  readonly #keyCheckMs: number;
  /** One promise per tenant, so concurrent first uses create and unwrap the key once. */
  readonly #leases = new Map<string, Promise<TenantKeyLease>>();
  /** The settled ones, for revoking them synchronously when a notice arrives. */
  readonly #settled = new Map<string, TenantKeyLease>();
  #stopWatching: (() => void) | undefined;
  #closed = false;

  private constructor(
    dataDir: string,
    store: VaultStore,
    keys: KeyProvider,
    now: () => number,
    ttlFor: (tenant: string, session: string) => number | undefined,
    keyCheckMs: number,
  ) {
    this.dataDir = dataDir;
    this.store = store;
    this.keys = keys;
    this.#now = now;
    this.#ttlFor = ttlFor;
    this.#keyCheckMs = keyCheckMs;
  }

  static async open(options: VaultOptions): Promise<Vault> {
    const dataDir = resolve(options.dataDir);
    // Configuration is checked before anything is opened, so a mistake leaves nothing behind.
    const defaultTtl = parseTtl(options.env ?? process.env);
    const ttlFor = options.ttlFor ?? (() => defaultTtl);
    const keyCheckMs = options.keyCheckMs ?? DEFAULT_KEY_CHECK_MS;
    if (!(Number.isFinite(keyCheckMs) && keyCheckMs >= 0)) {
      throw new VeilError(VeilErrorCode.Config, 'keyCheckMs must be a non-negative number', { data: { field: 'keyCheckMs' } });
    }
    if (options.keys !== undefined && options.masterKey !== undefined) {
      throw new VeilError(VeilErrorCode.Key, 'give either a key provider or a master key, not both');
    }
    if (options.store === undefined || options.keys === undefined) {
      try {
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
      } catch (cause) {
        throw new VeilError(VeilErrorCode.Vault, `cannot create the data directory ${dataDir}`, { cause });
      }
    }
    const keys =
      options.keys ??
      (options.masterKey !== undefined
        ? await LocalKeyProvider.open({ dataDir, masterKey: options.masterKey, ...(options.env === undefined ? {} : { env: options.env }) })
        : await keyProviderFromEnv(options.env ?? process.env, dataDir));
    const store = options.store ?? defaultStore(dataDir, options);
    const vault = new Vault(dataDir, store, keys, options.now ?? Date.now, ttlFor, keyCheckMs);
    try {
      await store.init();
      if (store.watchErasures !== undefined) vault.#stopWatching = await store.watchErasures((notice) => vault.#onErasure(notice));
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return vault;
  }

  /**
   * Opens a session's scope with every unexpired token it already has (`lazy`: loaded by its
   * first `tokenize`). The tenant's key is read from the store once per process.
   */
  async openScope(request: OpenScopeRequest): Promise<PersistentTokenScope> {
    this.#checkOpen();
    checkName('tenant', request.tenant);
    const ttlSeconds = request.ttlSeconds ?? this.#ttlFor(request.tenant, request.session);
    if (ttlSeconds !== undefined && !(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
      throw new VeilError(VeilErrorCode.Vault, 'ttlSeconds must be a positive number', { data: { field: 'ttlSeconds' } });
    }
    const tenant = request.tenant;
    const options = (lease: TenantKeyLease) => ({
      store: this.store,
      keys: lease.keys,
      lease,
      renew: () => this.#leaseFor(tenant),
      tenant,
      session: request.session,
      now: this.#now,
      keyCheckMs: this.#keyCheckMs,
      ...(request.knownTurns === true ? { knownTurns: true } : {}),
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      ...(request.format === undefined ? {} : { format: request.format }),
    });
    if (request.lazy === true) return PersistentTokenScope.deferred(options(await this.#leaseFor(tenant)));
    try {
      return await PersistentTokenScope.open(options(await this.#leaseFor(tenant)));
    } catch (error) {
      // The cached key was shredded by another process and the notice has not come (yet): the
      // load refused it and revoked the lease; the tenant's current key is loaded (or created).
      if (!isStaleDataKeyError(error)) throw error;
      return PersistentTokenScope.open(options(await this.#leaseFor(tenant)));
    }
  }

  /**
   * The tenant's token-format keys: what reverses `fpe` and `opaque-siv` tokens without a
   * vault row (`fpeDecrypt`, `openSivToken`). Creates the tenant's data key if it has none.
   */
  async formatKeys(tenant: string): Promise<FormatKeys> {
    this.#checkOpen();
    checkName('tenant', tenant);
    let lease = await this.#leaseFor(tenant);
    if (this.#now() - lease.checkedAt >= this.#keyCheckMs) {
      const current = await this.store.getDataKey(tenant);
      if (current?.generation === lease.generation && !lease.revoked) lease.checkedAt = this.#now();
      else {
        this.#revoke(tenant, lease.generation);
        lease = await this.#leaseFor(tenant);
      }
    }
    return lease.formatKeys;
  }

  /** Deletes a session's tokens; returns how many. */
  async deleteScope(tenant: string, session: string): Promise<number> {
    this.#checkOpen();
    const lease = this.#settled.get(tenant);
    lease?.memo.forgetSession(session);
    lease?.sessions.forgetSession(session);
    const deleted = await this.store.deleteScope(tenant, session);
    // Again once deleted: a request that loaded the session meanwhile must not keep it either.
    lease?.sessions.forgetSession(session);
    return deleted;
  }

  /** Deletes every expired entry of every tenant; returns how many. */
  async purgeExpired(): Promise<number> {
    this.#checkOpen();
    return this.store.purgeExpired(this.#now());
  }

  /**
   * Purges expired entries every `intervalMs` (first run after one interval) and reports each
   * count. Several replicas may each run one: purges are idempotent deletes. The timer does not
   * keep the process alive. Errors (store down) go to `onError` and the job goes on.
   */
  startPurgeJob(options: {
    readonly intervalMs: number;
    readonly onPurged?: (count: number) => void;
    readonly onError?: (error: unknown) => void;
  }): PurgeJob {
    this.#checkOpen();
    if (!(Number.isFinite(options.intervalMs) && options.intervalMs > 0)) {
      throw new VeilError(VeilErrorCode.Vault, 'intervalMs must be a positive number', { data: { field: 'intervalMs' } });
    }
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (running !== undefined || this.#closed) return;
      running = this.purgeExpired()
        .then((count) => options.onPurged?.(count), (error: unknown) => options.onError?.(error))
        .finally(() => {
          running = undefined;
        });
    }, options.intervalMs);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await running;
      },
    };
  }

  /**
   * Crypto-shredding: deletes the tenant's data key, so none of its stored values can be
   * decrypted again. Returns whether there was a key. Every scope of this vault holding the key
   * forgets it now; other processes sharing the store learn it as the class comment says.
   */
  async forgetTenant(tenant: string): Promise<boolean> {
    this.#checkOpen();
    const deleted = await this.store.deleteDataKey(tenant);
    this.#revoke(tenant);
    return deleted;
  }

  /**
   * Erasure of a whole tenant, in one store transaction: every entry of every scope and the
   * data key (crypto-shredding: copies of the rows in backups stay unreadable). Returns the
   * id of the key's wrapping key (never the material) when there was one, for the audit record.
   */
  async eraseTenant(tenant: string): Promise<{ entries: number; dataKey: boolean; keyId: string | null }> {
    this.#checkOpen();
    checkName('tenant', tenant);
    const erased = await this.store.eraseTenant(tenant);
    this.#revoke(tenant);
    return { entries: erased.entries, dataKey: erased.dataKey !== undefined, keyId: erased.dataKey?.keyId ?? null };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatching?.();
    for (const lease of this.#settled.values()) lease.revoke();
    this.#leases.clear();
    this.#settled.clear();
    await this.store.close();
  }

  /** The tenant's cached lease, or a fresh one when there is none or it was revoked. */
  #leaseFor(tenant: string): Promise<TenantKeyLease> {
    const settled = this.#settled.get(tenant);
    if (settled?.revoked === true) this.#forget(tenant, settled);
    let lease = this.#leases.get(tenant);
    if (lease === undefined) {
      const loading = this.#loadLease(tenant);
      lease = loading;
      this.#leases.set(tenant, loading);
      loading.then(
        (loaded) => {
          if (this.#leases.get(tenant) === loading) this.#settled.set(tenant, loaded);
        },
        // A failure (wrong master key, store down) must not stick: the next call tries again.
        () => {
          if (this.#leases.get(tenant) === loading) this.#leases.delete(tenant);
        },
      );
    }
    return lease;
  }

  /**
   * The tenant's key was shredded: revokes the cached lease (every scope holding it empties)
   * when it is of that generation (any, when not given), and drops it from the cache. A load
   * in progress is dropped too: it may have read the shredded key (scopes check it anyway).
   */
  #revoke(tenant: string, generation?: string | null): void {
    const settled = this.#settled.get(tenant);
    if (settled !== undefined) {
      if (generation !== undefined && generation !== null && settled.generation !== generation) return;
      settled.revoke();
      this.#forget(tenant, settled);
    } else {
      this.#leases.delete(tenant);
    }
  }

  #forget(tenant: string, lease: TenantKeyLease): void {
    if (this.#settled.get(tenant) !== lease) return;
    this.#settled.delete(tenant);
    this.#leases.delete(tenant);
  }

  #onErasure(notice: ErasureNotice): void {
    if ('all' in notice) {
      // Notices may have been missed: nothing cached is trusted without asking the store again
      // (scopes always ask; this makes `formatKeys` ask too).
      // Sessions deleted meanwhile are not trusted from memory either.
      for (const lease of this.#settled.values()) {
        lease.checkedAt = Number.NEGATIVE_INFINITY;
        lease.sessions.clear();
      }
      for (const tenant of [...this.#leases.keys()]) if (!this.#settled.has(tenant)) this.#leases.delete(tenant);
      return;
    }
    if ('session' in notice) {
      // Deleted through some process: what this one remembers of the session goes now.
      const lease = this.#settled.get(notice.tenant);
      lease?.memo.forgetSession(notice.session);
      lease?.sessions.forgetSession(notice.session);
      return;
    }
    this.#revoke(notice.tenant, notice.generation);
  }

  async #loadLease(tenant: string): Promise<TenantKeyLease> {
    let wrapped: StoredDataKey | undefined = await this.store.getDataKey(tenant);
    if (wrapped === undefined) {
      // Racing processes may each generate a key; the store keeps the first, and everyone
      // unwraps the one it returns.
      const fresh = generateDataKey();
      const candidate = await this.keys.wrap(fresh, { tenant });
      fresh.fill(0);
      wrapped = await this.store.putDataKeyIfAbsent(tenant, candidate);
    }
    let dataKey: Uint8Array;
    try {
      dataKey = await this.keys.unwrap(wrapped, { tenant });
    } catch (cause) {
      if (VeilError.isInstance(cause)) throw cause;
      throw new VeilError(VeilErrorCode.Key, `cannot unwrap the data key of a tenant with the ${this.keys.kind} key provider`, {
        cause,
      });
    }
    try {
      return new TenantKeyLease(tenant, deriveTenantKeys(dataKey), wrapped.generation, this.#now(), this.#now);
    } finally {
      dataKey.fill(0);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new VeilError(VeilErrorCode.Vault, 'the vault is closed');
  }
}

function defaultStore(dataDir: string, options: VaultOptions): VaultStore {
  const env = options.env ?? process.env;
  const url = options.url ?? nonEmpty(env[VAULT_URL_ENV]);
  if (url === undefined) return new SqliteVaultStore({ file: join(dataDir, 'vault.db') });
  const schema = options.schema ?? nonEmpty(env[VAULT_SCHEMA_ENV]);
  const syncCommit = nonEmpty(env[VAULT_SYNC_COMMIT_ENV])?.toLowerCase();
  if (syncCommit !== undefined && syncCommit !== 'on' && syncCommit !== 'off') {
    throw new VeilError(VeilErrorCode.Config, `${VAULT_SYNC_COMMIT_ENV} must be on or off`, { data: { field: VAULT_SYNC_COMMIT_ENV } });
  }
  return new PostgresVaultStore({
    connectionString: url,
    synchronousCommit: syncCommit !== 'off',
    ...(schema === undefined ? {} : { schema }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function parseTtl(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = nonEmpty(env[VAULT_TTL_ENV]);
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new VeilError(VeilErrorCode.Config, `${VAULT_TTL_ENV} must be a positive number of seconds`, {
      data: { field: VAULT_TTL_ENV },
    });
  }
  return seconds;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function checkName(field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw new VeilError(VeilErrorCode.Vault, `${field} must be a non-empty string`, { data: { field } });
  }
}
