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
   */
  putManyAndList(
    tenant: string,
    scope: string,
    entries: readonly NewVaultEntry[],
    formatToken: TokenFormatter,
  ): Promise<{ stored: VaultEntry[]; others: VaultEntry[] }>;
  findByLookup(tenant: string, scope: string, lookup: string): Promise<VaultEntry | undefined>;
  findByToken(tenant: string, scope: string, token: string): Promise<VaultEntry | undefined>;
  /** Every unexpired entry of a scope, by type then seq. */
  listScope(tenant: string, scope: string): Promise<VaultEntry[]>;
  /** Removes a scope's entries; returns how many. */
  deleteScope(tenant: string, scope: string): Promise<number>;
  /** Removes entries with expiresAt <= now; returns how many. */
  purgeExpired(now: number): Promise<number>;
  getDataKey(tenant: string): Promise<WrappedKey | undefined>;
  /** Stores the key unless the tenant has one already; returns the key in force. */
  putDataKeyIfAbsent(tenant: string, key: WrappedKey): Promise<WrappedKey>;
  deleteDataKey(tenant: string): Promise<boolean>;
  /** Removes every entry of a tenant, in all its scopes (not its data key); returns how many. */
  deleteTenant(tenant: string): Promise<number>;
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

/**
 * `putManyAndList` from `putMany` and `listScope`, for stores where a call costs no round trip
 * (memory, SQLite in process).
 */
export async function putManyThenList(
  store: Pick<VaultStore, 'putMany' | 'listScope'>,
  tenant: string,
  scope: string,
  entries: readonly NewVaultEntry[],
  formatToken: TokenFormatter,
): Promise<{ stored: VaultEntry[]; others: VaultEntry[] }> {
  checkOneScope(tenant, scope, entries);
  const stored = await store.putMany(entries, formatToken);
  const lookups = new Set(stored.map((entry) => entry.lookup));
  const others = (await store.listScope(tenant, scope)).filter((entry) => !lookups.has(entry.lookup));
  return { stored, others };
}

/** `putManyAndList` takes the entries of one scope only. */
export function checkOneScope(tenant: string, scope: string, entries: readonly NewVaultEntry[]): void {
  if (entries.some((entry) => entry.tenant !== tenant || entry.scope !== scope)) {
    throw new VeilError(VeilErrorCode.Vault, 'putManyAndList takes the entries of one scope only');
  }
}
