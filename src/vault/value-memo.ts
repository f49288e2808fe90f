/**
 * What one process already computed for a session's values under a tenant key: the value's
 * lookup (HMAC) and a ciphertext of it, so a conversation's later turns skip both per value.
 *
 * It holds no token: tokens always come from the store's answer in the request's one round
 * trip, so a replica never hands out a token another replica numbered differently. A memoised
 * ciphertext is an encryption of exactly that value for that (tenant, session, type), reusable
 * as it is (same key, IV and plaintext give the same bytes; no IV is used for another value);
 * the store keeps it only when it creates the entry, and when the store answers with those
 * very bytes the scope knows the value without decrypting.
 *
 * The memo belongs to a `TenantKeyLease` and is emptied and closed when the lease is revoked
 * (erasure), so nothing derived from a shredded key outlives it. It is bounded (oldest entries
 * go first) and an entry is trusted for `maxAgeMs` only, so the values of a session forgotten
 * through another replica do not linger in this one's memory.
 * @module
 */

export interface MemoisedValue {
  readonly lookup: string;
  readonly ciphertext: Uint8Array;
}

interface Held extends MemoisedValue {
  readonly storedAt: number;
}

export interface ValueMemoOptions {
  /** Most values held (default 10 000). */
  readonly maxEntries?: number;
  /** How long an entry is used after it was stored (default 5 minutes). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export class ValueMemo {
  readonly #entries = new Map<string, Held>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #closed = false;

  constructor(options: ValueMemoOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(session: string, type: string, normalized: string, value: string): MemoisedValue | undefined {
    const key = memoKey(session, type, normalized, value);
    const held = this.#entries.get(key);
    if (held === undefined) return undefined;
    if (this.#now() - held.storedAt >= this.#maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return held;
  }

  set(session: string, type: string, normalized: string, value: string, memoised: MemoisedValue): void {
    if (this.#closed) return;
    const key = memoKey(session, type, normalized, value);
    this.#entries.delete(key);
    this.#entries.set(key, { lookup: memoised.lookup, ciphertext: memoised.ciphertext, storedAt: this.#now() });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /** Drops one session's values (it was deleted through this process). */
  forgetSession(session: string): void {
    const prefix = `${session.length}:${session}\u0000`;
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  /** Empties the memo for good: its key was shredded. */
  close(): void {
    this.#closed = true;
    this.#entries.clear();
  }
}

function memoKey(session: string, type: string, normalized: string, value: string): string {
  return `${session.length}:${session}\u0000${type.length}:${type}\u0000${normalized.length}:${normalized}\u0000${value}`;
}
