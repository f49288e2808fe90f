/**
 * The storage seam of the vault. A store keeps ciphertexts, keyed lookups (HMAC of the
 * normalised value) and tokens; it never sees a plaintext value or an unwrapped key.
 * Every adapter passes `test/conformance/vault-store.contract.ts`.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { WrappedKey } from './key-provider.js';

export interface NewVaultEntry {
  readonly tenant: string;
  /** Session scope id ('' for the tenant-wide scope). */
  readonly scope: string;
  readonly type: string;
  /** Hex HMAC-SHA256 of the normalised value under the tenant's lookup key. */
  readonly lookup: string;
  /** AES-256-GCM ciphertext (iv | tag | data) of the original value. */
  readonly ciphertext: Uint8Array;
  /** Epoch ms, or null for no expiry. */
  readonly expiresAt: number | null;
  /**
   * The token, when the format derives it from the value (opaque, fpe) rather than from the
   * number; the store then uses it instead of calling the formatter. The entry still gets a seq.
   */
  readonly token?: string;
}

export interface VaultEntry extends Omit<NewVaultEntry, 'token'> {
  /** 1-based number per (tenant, scope, type), in order of first appearance. */
  readonly seq: number;
  readonly token: string;
  readonly createdAt: number;
}

export type TokenFormatter = (type: string, seq: number) => string;

/**
 * A tenant's wrapped data key as stored. `generation` names this key (not its wrapping): it is
 * kept when rotation re-wraps the key, and a key created after the tenant was erased has a new
 * one, so a process holding a cached key can tell that it was shredded.
 */
export interface StoredDataKey extends WrappedKey {
  readonly generation: string;
}

/** `putManyAndList`'s answer. */
export interface ScopeWrite {
  readonly stored: VaultEntry[];
  readonly others: VaultEntry[];
  /**
   * Generation of the tenant's data key when the call ran (null: it has none). When it is not
   * the `expectedKey` given, the call wrote nothing and listed nothing.
   */
  readonly keyGeneration: string | null;
}

/**
 * An erasure made by some process (this one included), as `watchErasures` reports it: the
 * tenant and the generation of the data key it shredded, a session whose entries were deleted
 * (`deleteScope`: what a process remembers of it must go), or `all` when the store may have
 * missed some (its notification channel was down) and every cached key must be re-checked.
 */
export type ErasureNotice =
  | { readonly tenant: string; readonly generation: string | null }
  | { readonly tenant: string; readonly session: string }
  | { readonly all: true };

/** A tenant's wrapped data key, as listed for rotation. */
export interface TenantDataKey {
  readonly tenant: string;
  readonly key: WrappedKey;
}

export interface VaultStore {
  readonly kind: string;
  /** Opens connections and creates or migrates the schema. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /**
   * For each entry, in order: the existing entry with the same (tenant, scope, lookup) if there
   * is one, else a new entry numbered next for its (tenant, scope, type). Atomic and durable
   * once the promise resolves.
   */
  putMany(entries: readonly NewVaultEntry[], formatToken: TokenFormatter): Promise<VaultEntry[]>;
  /**
   * `putMany` for entries of ONE scope (tenant, scope), together with every other unexpired
   * entry of that scope (`others`, by type then seq, without those `stored` returns). What a
   * gateway request needs to tokenize its values and later rehydrate the answer; the PostgreSQL
   * store does it in one round trip. `entries` may be empty (then it is `listScope`).
   *
   * `expectedKey`: the generation of the tenant's data key the entries were encrypted under.
   * The store checks it in the same call (same transaction; on PostgreSQL under a tenant lock an
   * erasure also takes, so the two never interleave) and, when the tenant's key is no longer that
   * one, writes nothing: the caller's key was shredded. `keyGeneration` reports what it found.
   */
  putManyAndList(
    tenant: string,
    scope: string,
    entries: readonly NewVaultEntry[],
    formatToken: TokenFormatter,
    expectedKey?: string,
  ): Promise<ScopeWrite>;
  findByLookup(tenant: string, scope: string, lookup: string): Promise<VaultEntry | undefined>;
  findByToken(tenant: string, scope: string, token: string): Promise<VaultEntry | undefined>;
  /** Every unexpired entry of a scope, by type then seq. */
  listScope(tenant: string, scope: string): Promise<VaultEntry[]>;
  /** Removes a scope's entries; returns how many. Tells `watchErasures`, where there is one. */
  deleteScope(tenant: string, scope: string): Promise<number>;
  /** Removes entries with expiresAt <= now; returns how many. */
  purgeExpired(now: number): Promise<number>;
  getDataKey(tenant: string): Promise<StoredDataKey | undefined>;
  /** Stores the key (with a new generation) unless the tenant has one already; returns the key in force. */
  putDataKeyIfAbsent(tenant: string, key: WrappedKey): Promise<StoredDataKey>;
  /** Deletes the tenant's data key (crypto-shredding) and tells `watchErasures`. */
  deleteDataKey(tenant: string): Promise<boolean>;
  /** Removes every entry of a tenant, in all its scopes (not its data key); returns how many. */
  deleteTenant(tenant: string): Promise<number>;
  /**
   * Erasure of a tenant in one transaction: every entry and the data key (returned, for the
   * audit record of which key was shredded), and the notice to `watchErasures`.
   */
  eraseTenant(tenant: string): Promise<{ entries: number; dataKey: StoredDataKey | undefined }>;
  /**
   * Reports erasures made by any process sharing the store, as they commit (PostgreSQL:
   * `LISTEN veil_vault_forget`). Resolves once listening; returns the function that stops it.
   * Absent where the store has no channel between processes (SQLite, memory): the per-call
   * `expectedKey` check is then what tells a process its key was shredded.
   */
  watchErasures?(listener: (notice: ErasureNotice) => void): Promise<() => void>;
  /** Every tenant with an entry or a data key, sorted by UTF-8 bytes. */
  listTenants(): Promise<string[]>;
  /**
   * Up to `limit` data keys of tenants sorted after `after` (all when undefined), sorted by
   * tenant (UTF-8 bytes): a resumable walk for key rotation.
   */
  listDataKeys(after: string | undefined, limit: number): Promise<TenantDataKey[]>;
  /**
   * Compare-and-set: replaces the tenant's data key with `next` only if the stored key is still
   * `expected` (same key id and bytes). Returns whether it replaced it, so a rotation racing
   * with `forget` or another rotation never resurrects or overwrites a key.
   */
  replaceDataKey(tenant: string, expected: WrappedKey, next: WrappedKey): Promise<boolean>;
}

/** The entries of a scope that are not among `stored` (what `putManyAndList` lists as `others`). */
export function othersThan(stored: readonly VaultEntry[], listed: readonly VaultEntry[]): VaultEntry[] {
  const lookups = new Set(stored.map((entry) => entry.lookup));
  return listed.filter((entry) => !lookups.has(entry.lookup));
}

/** `putManyAndList` takes the entries of one scope only. */
export function checkOneScope(tenant: string, scope: string, entries: readonly NewVaultEntry[]): void {
  if (entries.some((entry) => entry.tenant !== tenant || entry.scope !== scope)) {
    throw new VeilError(VeilErrorCode.Vault, 'putManyAndList takes the entries of one scope only');
  }
}
