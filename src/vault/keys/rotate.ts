/**
 * Key rotation, second half: re-wrapping every tenant's data key with the current key version
 * (the first half, making that version, is the provider's: `rotateLocalMasterKey`,
 * `VaultTransitKeyProvider.rotate`, or the cloud console for KMS).
 *
 * Only wrapped data keys change; no value is re-encrypted, so this is one unwrap and one wrap
 * per tenant however many tokens it has. Each replacement is a compare-and-set
 * (`replaceDataKey`): a tenant forgotten (crypto-shredded) or rotated by someone else in the
 * meantime is left alone, never resurrected. Old key versions stay readable for as long as the
 * provider keeps them, so gateways running throughout keep working, and a key wrapped with an
 * old version by a gateway that had not restarted yet is picked up by running this again.
 *
 * Resumable: tenants are walked in order and `onProgress` reports the last one finished
 * (`cursor`); pass it back as `after` to continue. Running it twice is harmless.
 * @module
 */
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { KeyProvider } from '../key-provider.js';
import type { VaultStore } from '../vault-store.js';

export interface RewrapOptions {
  readonly store: VaultStore;
  /** Unwraps the existing keys; must still know the old versions. */
  readonly from: KeyProvider;
  /** Wraps with the new version (often the same provider as `from`). */
  readonly to: KeyProvider;
  /** The key id `to` wraps with, when known: keys that already have it are skipped without a call. */
  readonly currentKeyId?: string;
  /** Only these tenants (default: every tenant with a data key). */
  readonly tenants?: readonly string[];
  /** Resume after this tenant (the `cursor` of an earlier run). */
  readonly after?: string | undefined;
  /** Data keys read per page (default 100). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RewrapProgress) => void;
  readonly signal?: AbortSignal;
}

export interface RewrapProgress {
  /** Data keys looked at. */
  readonly seen: number;
  readonly rewrapped: number;
  /** Already under the current version. */
  readonly current: number;
  /** Changed or deleted by someone else while this ran (left as they were). */
  readonly raced: number;
  /** Could not be unwrapped or wrapped; their tenants are listed in `failedTenants`. */
  readonly failed: number;
  readonly failedTenants: readonly string[];
  /** The last tenant finished: pass as `after` to resume. */
  readonly cursor: string | undefined;
}

export async function rewrapDataKeys(options: RewrapOptions): Promise<RewrapProgress> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new VeilError(VeilErrorCode.BadInput, 'batchSize must be a positive integer', { data: { field: 'batchSize' } });
  }
  const only = options.tenants === undefined ? undefined : new Set(options.tenants);
  let progress: RewrapProgress = { seen: 0, rewrapped: 0, current: 0, raced: 0, failed: 0, failedTenants: [], cursor: options.after };
  let after = options.after;
  for (;;) {
    if (aborted(options.signal)) break;
    const page = await options.store.listDataKeys(after, batchSize);
    if (page.length === 0) break;
    for (const { tenant, key } of page) {
      if (aborted(options.signal)) break;
      after = tenant;
      if (only !== undefined && !only.has(tenant)) continue;
      let outcome: 'rewrapped' | 'current' | 'raced' | 'failed';
      if (options.currentKeyId !== undefined && key.keyId === options.currentKeyId) {
        outcome = 'current';
      } else {
        outcome = await rewrapOne(options, tenant, key);
      }
      progress = {
        ...progress,
        seen: progress.seen + 1,
        [outcome]: progress[outcome] + 1,
        failedTenants: outcome === 'failed' ? [...progress.failedTenants, tenant] : progress.failedTenants,
        cursor: tenant,
      };
      options.onProgress?.(progress);
    }
    if (page.length < batchSize) break;
  }
  return progress;
}

async function rewrapOne(
  options: RewrapOptions,
  tenant: string,
  key: Parameters<KeyProvider['unwrap']>[0],
): Promise<'rewrapped' | 'current' | 'raced' | 'failed'> {
  let dataKey: Uint8Array | undefined;
  try {
    dataKey = await options.from.unwrap(key, { tenant });
    const next = await options.to.wrap(dataKey, { tenant });
    if (next.keyId === key.keyId && options.currentKeyId === undefined) return 'current';
    return (await options.store.replaceDataKey(tenant, key, next)) ? 'rewrapped' : 'raced';
  } catch (error) {
    // A store failure stops the run (the next run resumes); a key that does not open is one
    // tenant's problem, reported, and the walk goes on.
    if (VeilError.isInstance(error) && error.code === VeilErrorCode.Key) return 'failed';
    throw error;
  } finally {
    dataKey?.fill(0);
  }
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
