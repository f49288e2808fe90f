/**
 * A `VaultStore` in process memory: the reference for the store semantics, used by unit tests
 * and by anything that wants a vault without a file. Passes the same conformance suite as the
 * SQLite and PostgreSQL stores.
 * @module
 */
import { randomUUID } from 'node:crypto';
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

export interface MemoryVaultStoreOptions {
  /** Clock for `createdAt` and for hiding expired entries (default `Date.now`). */
  readonly now?: () => number;
}

interface ScopeState {
  readonly byLookup: Map<string, VaultEntry>;
  readonly byToken: Map<string, VaultEntry>;
}

export class MemoryVaultStore implements VaultStore {
  readonly kind = 'memory';
  readonly #now: () => number;
  readonly #scopes = new Map<string, ScopeState>();
  readonly #dataKeys = new Map<string, StoredDataKey>();

  constructor(options: MemoryVaultStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async putMany(entries: readonly NewVaultEntry[], formatToken: TokenFormatter): Promise<VaultEntry[]> {
    // Synchronous from here on, which makes the batch atomic within the process.
    const now = this.#now();
    return entries.map((entry) => {
      const state = this.#scope(entry.tenant, entry.scope, true);
      const existing = state.byLookup.get(entry.lookup);
      if (existing !== undefined) {
        if (!isExpired(existing, now)) return copyEntry(existing);
        // An expired entry that was not purged yet is gone for every reader, so the value
        // starts over as a new entry.
        removeEntry(state, existing);
      }
      const seq = nextSeq(state, entry.type);
      const created: VaultEntry = {
        tenant: entry.tenant,
        scope: entry.scope,
        type: entry.type,
        lookup: entry.lookup,
        ciphertext: Uint8Array.from(entry.ciphertext),
        expiresAt: entry.expiresAt,
        seq,
        token: entry.token ?? formatToken(entry.type, seq),
        createdAt: now,
      };
      state.byLookup.set(created.lookup, created);
      state.byToken.set(created.token, created);
      return copyEntry(created);
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
    const keyGeneration = this.#dataKeys.get(tenant)?.generation ?? null;
    if (expectedKey !== undefined && keyGeneration !== expectedKey) return { stored: [], others: [], keyGeneration };
    // putMany's body runs to its end before it returns: the check and the write are one step.
    const stored = await this.putMany(entries, formatToken);
    return { stored, others: othersThan(stored, await this.listScope(tenant, scope)), keyGeneration };
  }

  async findByLookup(tenant: string, scope: string, lookup: string): Promise<VaultEntry | undefined> {
    return this.#live(this.#scope(tenant, scope, false)?.byLookup.get(lookup));
  }

  async findByToken(tenant: string, scope: string, token: string): Promise<VaultEntry | undefined> {
    return this.#live(this.#scope(tenant, scope, false)?.byToken.get(token));
  }

  async listScope(tenant: string, scope: string): Promise<VaultEntry[]> {
    const state = this.#scope(tenant, scope, false);
    if (state === undefined) return [];
    const now = this.#now();
    return [...state.byLookup.values()]
      .filter((entry) => !isExpired(entry, now))
      .sort(byTypeThenSeq)
      .map(copyEntry);
  }

  async deleteScope(tenant: string, scope: string): Promise<number> {
    const key = scopeKey(tenant, scope);
    const state = this.#scopes.get(key);
    this.#scopes.delete(key);
    return state?.byLookup.size ?? 0;
  }

  async purgeExpired(now: number): Promise<number> {
    let purged = 0;
    for (const [key, state] of this.#scopes) {
      for (const entry of [...state.byLookup.values()]) {
        if (isExpired(entry, now)) {
          removeEntry(state, entry);
          purged += 1;
        }
      }
      if (state.byLookup.size === 0) this.#scopes.delete(key);
    }
    return purged;
  }

  async getDataKey(tenant: string): Promise<StoredDataKey | undefined> {
    const key = this.#dataKeys.get(tenant);
    return key === undefined ? undefined : copyKey(key);
  }

  async putDataKeyIfAbsent(tenant: string, key: WrappedKey): Promise<StoredDataKey> {
    const existing = this.#dataKeys.get(tenant);
    if (existing !== undefined) return copyKey(existing);
    const stored = { ...copyKey(key), generation: randomUUID() };
    this.#dataKeys.set(tenant, stored);
    return copyKey(stored);
  }

  async deleteDataKey(tenant: string): Promise<boolean> {
    return this.#dataKeys.delete(tenant);
  }

  async eraseTenant(tenant: string): Promise<{ entries: number; dataKey: StoredDataKey | undefined }> {
    const dataKey = this.#dataKeys.get(tenant);
    this.#dataKeys.delete(tenant);
    return { entries: await this.deleteTenant(tenant), dataKey };
  }

  async deleteTenant(tenant: string): Promise<number> {
    let deleted = 0;
    for (const [key, state] of this.#scopes) {
      if (!key.startsWith(tenantPrefix(tenant))) continue;
      deleted += state.byLookup.size;
      this.#scopes.delete(key);
    }
    return deleted;
  }

  async listTenants(): Promise<string[]> {
    const tenants = new Set(this.#dataKeys.keys());
    for (const state of this.#scopes.values()) {
      const first = state.byLookup.values().next();
      if (first.done !== true) tenants.add(first.value.tenant);
    }
    return [...tenants].sort(byUtf8);
  }

  async listDataKeys(after: string | undefined, limit: number): Promise<TenantDataKey[]> {
    return [...this.#dataKeys.keys()]
      .filter((tenant) => after === undefined || byUtf8(tenant, after) > 0)
      .sort(byUtf8)
      .slice(0, Math.max(0, limit))
      .map((tenant) => ({ tenant, key: copyKey(this.#dataKeys.get(tenant) as StoredDataKey) }));
  }

  async replaceDataKey(tenant: string, expected: WrappedKey, next: WrappedKey): Promise<boolean> {
    const current = this.#dataKeys.get(tenant);
    if (current === undefined || !sameKey(current, expected)) return false;
    // Re-wrapped, the data key is the same one: its generation stays.
    this.#dataKeys.set(tenant, { ...copyKey(next), generation: current.generation });
    return true;
  }

  #scope(tenant: string, scope: string, create: true): ScopeState;
  #scope(tenant: string, scope: string, create: false): ScopeState | undefined;
  #scope(tenant: string, scope: string, create: boolean): ScopeState | undefined {
    const key = scopeKey(tenant, scope);
    let state = this.#scopes.get(key);
    if (state === undefined && create) {
      state = { byLookup: new Map(), byToken: new Map() };
      this.#scopes.set(key, state);
    }
    return state;
  }

  #live(entry: VaultEntry | undefined): VaultEntry | undefined {
    return entry === undefined || isExpired(entry, this.#now()) ? undefined : copyEntry(entry);
  }
}

/**
 * One more than the highest seq of the type among the rows still held (expired but unpurged
 * rows included), exactly what the SQL stores compute with `max(seq)`. A linear scan: this
 * store is for tests and small embedded uses.
 */
function nextSeq(state: ScopeState, type: string): number {
  let max = 0;
  for (const entry of state.byLookup.values()) {
    if (entry.type === type && entry.seq > max) max = entry.seq;
  }
  return max + 1;
}

function removeEntry(state: ScopeState, entry: VaultEntry): void {
  state.byLookup.delete(entry.lookup);
  if (state.byToken.get(entry.token) === entry) state.byToken.delete(entry.token);
}

function isExpired(entry: VaultEntry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}

function byTypeThenSeq(a: VaultEntry, b: VaultEntry): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return a.seq - b.seq;
}

function scopeKey(tenant: string, scope: string): string {
  return `${tenantPrefix(tenant)}${scope}`;
}

/** The tenant's part of `scopeKey`; length-prefixed, so no tenant's prefix is another's. */
function tenantPrefix(tenant: string): string {
  return `${tenant.length}:${tenant}\u0000`;
}

/** UTF-8 byte order, what the SQL stores sort by (`COLLATE "C"`, SQLite's BINARY). */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sameKey(a: WrappedKey, b: WrappedKey): boolean {
  return a.keyId === b.keyId && Buffer.compare(Buffer.from(a.wrapped), Buffer.from(b.wrapped)) === 0;
}

// Copies on the way in and out: callers must not be able to change stored bytes by mutating
// an array they passed or received (a database never lets them either).
function copyEntry(entry: VaultEntry): VaultEntry {
  return { ...entry, ciphertext: Uint8Array.from(entry.ciphertext) };
}

function copyKey(key: StoredDataKey): StoredDataKey;
function copyKey(key: WrappedKey): WrappedKey;
function copyKey(key: WrappedKey & { readonly generation?: string }): WrappedKey & { readonly generation?: string } {
  const copy = { keyId: key.keyId, wrapped: Uint8Array.from(key.wrapped) };
  return key.generation === undefined ? copy : { ...copy, generation: key.generation };
}
