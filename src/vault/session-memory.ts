/**
 * What one process remembers of a session's tokens between requests, so that a conversation
 * turn that only resends values the session already has makes no store call at all (a "known
 * turn", see `PersistentTokenScope`).
 *
 * Why a process may remember tokens at all: tokens are numbered by the store, and once a
 * (tenant, session, type, normalised value) has a live entry its token never changes while the
 * entry exists. What it remembers comes from the store's own answers (a whole-session load, or
 * the entries the store returned for values this process wrote after such a load), never from
 * its own numbering, so a replica still never hands out a token another replica numbered
 * differently.
 *
 * Trust is bounded the way `ValueMemo`'s is:
 * - a session is remembered only from a whole-session load made through this process, and for
 *   `maxAgeMs` (default 5 minutes) after that load; later turns that make no store call do not
 *   extend it. So a session deleted through another replica is forgotten here at most that long
 *   after its last load;
 * - a session deleted through this process is forgotten at once (`forgetSession`, from
 *   `Vault.deleteScope`), and a load that was already in flight when it was forgotten is not
 *   remembered afterwards;
 * - the memory belongs to the tenant's `TenantKeyLease` and is closed with it (tenant erasure,
 *   here or notified from another replica), so nothing read under a shredded key outlives it;
 * - each entry keeps its `expiresAt`: the caller does not serve an expired entry (the store
 *   numbers that value again), and the memory drops it when asked;
 * - it is bounded: at most `maxEntries` entries over all sessions, least recently used sessions
 *   go first, and a session larger than that is not remembered; sessions past their age are
 *   swept out as other sessions are loaded, so values do not linger in memory unused.
 *
 * It holds no session's TTL semantics of its own: an entry's expiry is fixed when the store
 * creates it (storing a value that already has a live entry returns that entry unchanged), so a
 * turn that skips the store skips no write.
 * @module
 */
import type { VaultEntry } from './vault-store.js';

/** One remembered entry; `value` once this process stored or decrypted it. */
export interface RememberedEntry {
  readonly entry: VaultEntry;
  value: string | undefined;
}

/** A session as remembered: every live entry the store listed, plus this process's own writes since. */
export interface RememberedSession {
  /** When the store last listed the whole session for this process (epoch ms). */
  readonly loadedAt: number;
  /** lookup → entry. */
  readonly byLookup: ReadonlyMap<string, RememberedEntry>;
  /** type + normalised value → lookup, for the surface forms this process has seen. */
  readonly lookupByIdentity: Map<string, string>;
}

interface Held extends RememberedSession {
  readonly byLookup: Map<string, RememberedEntry>;
}

export interface SessionMemoryOptions {
  /** Most entries held over all sessions of the tenant (default 20 000). */
  readonly maxEntries?: number;
  /** How long a session is trusted after its last whole-session load (default 5 minutes). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_SESSION_MEMORY_AGE_MS = 5 * 60_000;

export class SessionMemory {
  /** Sessions in least-recently-used order (a Map iterates in insertion order). */
  readonly #sessions = new Map<string, Held>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #entries = 0;
  #closed = false;
  /** Bumped by every forget: a load that began before one is not remembered. */
  #epoch = 0;
  /** When sessions past their age were last swept out (values must not linger unused). */
  #sweptAt: number;

  constructor(options: SessionMemoryOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 20_000;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_SESSION_MEMORY_AGE_MS;
    this.#now = options.now ?? Date.now;
    this.#sweptAt = this.#now();
  }

  /** Entries held over all sessions. */
  get size(): number {
    return this.#entries;
  }

  /** Take it before a whole-session load; give it back to `replace`. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The session, when a whole-session load through this process is younger than `maxAgeMs`. */
  get(session: string): RememberedSession | undefined {
    const held = this.#sessions.get(session);
    if (held === undefined) return undefined;
    if (this.#now() - held.loadedAt >= this.#maxAgeMs) {
      this.#drop(session, held);
      return undefined;
    }
    this.#sessions.delete(session);
    this.#sessions.set(session, held);
    return held;
  }

  /**
   * The store's whole answer for the session (every live entry), loaded at `loadedAt` by a call
   * that began at `epoch`. It replaces what was remembered: an entry deleted in the store since
   * must not survive a newer load.
   */
  replace(
    session: string,
    entries: Iterable<RememberedEntry>,
    identities: Iterable<readonly [string, string]>,
    epoch: number,
    loadedAt: number,
  ): void {
    if (this.#closed) return;
    const previous = this.#sessions.get(session);
    if (previous !== undefined) this.#drop(session, previous);
    // Forgotten (session or everything) while the load was in flight: its answer may predate it.
    if (epoch !== this.#epoch) return;
    const byLookup = new Map<string, RememberedEntry>();
    for (const remembered of entries) {
      if (isExpired(remembered.entry, loadedAt)) continue;
      byLookup.set(remembered.entry.lookup, { entry: remembered.entry, value: remembered.value });
    }
    if (byLookup.size > this.#maxEntries) return;
    const lookupByIdentity = new Map<string, string>();
    for (const [identity, lookup] of identities) if (byLookup.has(lookup)) lookupByIdentity.set(identity, lookup);
    this.#sessions.set(session, { loadedAt, byLookup, lookupByIdentity });
    this.#entries += byLookup.size;
    this.#evict();
    this.#sweep();
  }

  /**
   * An entry the store returned for a value this process wrote to a session it had loaded. Only
   * added to a session already remembered, so what is remembered stays "the whole session as of
   * `loadedAt`, and this process's writes since".
   */
  add(session: string, entry: VaultEntry, value: string | undefined): void {
    const held = this.#sessions.get(session);
    if (held === undefined || this.#closed) return;
    if (!held.byLookup.has(entry.lookup)) {
      held.byLookup.set(entry.lookup, { entry, value });
      this.#entries += 1;
      this.#evict();
    }
  }

  /** A surface form (type + normalised value) of a remembered entry. */
  learnIdentity(session: string, identity: string, lookup: string): void {
    const held = this.#sessions.get(session);
    if (held?.byLookup.has(lookup) === true) held.lookupByIdentity.set(identity, lookup);
  }

  /** The value of a remembered entry, once a scope has decrypted it (no decryption next turn). */
  learnValue(session: string, entry: VaultEntry, value: string): void {
    const held = this.#sessions.get(session)?.byLookup.get(entry.lookup);
    if (held !== undefined && held.entry.token === entry.token) held.value = value;
  }

  /** Drops one session (it was deleted through this process). */
  forgetSession(session: string): void {
    this.#epoch += 1;
    const held = this.#sessions.get(session);
    if (held !== undefined) this.#drop(session, held);
  }

  /** Drops every session (erasure notices may have been missed); stays usable. */
  clear(): void {
    this.#epoch += 1;
    this.#sessions.clear();
    this.#entries = 0;
  }

  /** Empties the memory for good: the tenant's key was shredded. */
  close(): void {
    this.#closed = true;
    this.#epoch += 1;
    this.#sessions.clear();
    this.#entries = 0;
  }

  #drop(session: string, held: Held): void {
    this.#sessions.delete(session);
    this.#entries -= held.byLookup.size;
  }

  /** At most every fifth of the max age: drops every session past it, used or not. */
  #sweep(): void {
    const now = this.#now();
    if (now - this.#sweptAt < this.#maxAgeMs / 5) return;
    this.#sweptAt = now;
    for (const [session, held] of this.#sessions) if (now - held.loadedAt >= this.#maxAgeMs) this.#drop(session, held);
  }

  #evict(): void {
    for (const [session, held] of this.#sessions) {
      if (this.#entries <= this.#maxEntries) return;
      this.#drop(session, held);
    }
  }
}

/** Whether the store no longer serves this entry at `now` (it numbers the value again). */
export function isExpired(entry: VaultEntry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}
