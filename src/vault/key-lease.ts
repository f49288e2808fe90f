/**
 * A tenant's unwrapped keys as one process holds them, and whether they are still in force.
 *
 * The vault caches one lease per tenant; every scope opened with it keeps a reference. When the
 * tenant is erased (here, or on another replica: see `Vault` and `VaultStore.watchErasures`) the
 * lease is revoked, and every scope holding it forgets what it decrypted and refuses to issue
 * tokens, at once, without the vault having to track its scopes; the lease's `ValueMemo` and
 * `SessionMemory` (what lets a known turn skip the store) are emptied with it.
 *
 * `generation` identifies the stored data key (it survives re-wrapping by key rotation, and a
 * key created after an erasure has a new one). A store call that reports another generation
 * than the lease's means the key was shredded since the lease was taken.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { TenantKeys } from './crypto.js';
import { deriveFormatKeys, type FormatKeys } from './tokens/format-keys.js';
import { SessionMemory } from './session-memory.js';
import { ValueMemo } from './value-memo.js';

export class TenantKeyLease {
  readonly tenant: string;
  readonly keys: TenantKeys;
  readonly generation: string;
  /** When the store last confirmed this generation (epoch ms). */
  checkedAt: number;
  /** Lookups and ciphertexts of session values computed under these keys (see `ValueMemo`). */
  readonly memo: ValueMemo;
  /** Tokens of sessions this process loaded, for turns that need no store call (see `SessionMemory`). */
  readonly sessions: SessionMemory;
  #revoked = false;
  #formatKeys: FormatKeys | undefined;

  constructor(tenant: string, keys: TenantKeys, generation: string, checkedAt: number, now?: () => number) {
    this.tenant = tenant;
    this.keys = keys;
    this.generation = generation;
    this.checkedAt = checkedAt;
    const clock = now === undefined ? {} : { now };
    this.memo = new ValueMemo(clock);
    this.sessions = new SessionMemory(clock);
  }

  get revoked(): boolean {
    return this.#revoked;
  }

  /** The token-format keys, derived once per lease. */
  get formatKeys(): FormatKeys {
    this.#formatKeys ??= deriveFormatKeys(this.keys);
    return this.#formatKeys;
  }

  /** The data key was shredded: nothing may be decrypted or tokenized with these keys again. */
  revoke(): void {
    this.#revoked = true;
    this.#formatKeys = undefined;
    this.memo.close();
    this.sessions.close();
  }
}

/** Why a store call was refused: the tenant's data key is not the one the caller holds. */
export const STALE_DATA_KEY = 'stale_data_key';

export function staleDataKeyError(): VeilError {
  return new VeilError(VeilErrorCode.Vault, "the tenant's data key was erased (crypto-shredded) while this scope was open", {
    data: { reason: STALE_DATA_KEY },
  });
}

export function isStaleDataKeyError(error: unknown): boolean {
  return VeilError.isInstance(error) && error.data?.['reason'] === STALE_DATA_KEY;
}
