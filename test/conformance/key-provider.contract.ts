/**
 * The conformance suite every `KeyProvider` runs (local, vault-transit, aws-kms, gcp-kms).
 *
 * Usage, in `test/vault/<provider>-keys.test.ts`:
 *   runKeyProviderContract({ name: 'local', create: async () => new LocalKeyProvider(key) });
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';
import type { KeyProvider, WrappedKey } from '../../src/vault/key-provider.js';
import { rewrapDataKeys } from '../../src/vault/keys/rotate.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';

export interface KeyProviderContractOptions {
  readonly name: string;
  readonly create: () => Promise<KeyProvider>;
  /** A provider over a different key: it must not unwrap what `create`'s wraps. */
  readonly createOther?: () => Promise<KeyProvider>;
  /**
   * Makes a new key version for `provider` and returns the provider to use from then on (may be
   * the same object). Old wraps must stay readable; new wraps must carry a different key id.
   */
  readonly rotate?: (provider: KeyProvider) => Promise<KeyProvider>;
}

export const KEY_PROVIDER_CONTRACT_TESTS = {
  roundTrip: 'wrap then unwrap gives the data key back; the wrapped bytes do not contain it',
  randomized: 'wrapping the same key twice gives different bytes that both unwrap',
  tenantBound: 'a wrapped key does not unwrap for another tenant',
  tampered: 'a tampered or truncated wrapped key is refused with a Key error',
  otherKey: 'a provider with another key cannot unwrap',
  concurrent: 'many wraps and unwraps at once',
  vault: 'a vault on this provider tokenizes, and a new vault instance resolves the tokens',
  rotation: 'rotation: old wraps stay readable, new wraps carry the new key id, rewrapDataKeys moves every tenant',
} as const;

export function runKeyProviderContract(options: KeyProviderContractOptions): void {
  const vaults: Vault[] = [];
  const dataKey = (): Uint8Array => new Uint8Array(randomBytes(32));
  const expectKeyError = async (promise: Promise<unknown>, secret: Uint8Array): Promise<void> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(VeilError);
    expect((error as VeilError).code).toBe(VeilErrorCode.Key);
    // Errors never carry key material.
    const text = `${(error as VeilError).message} ${JSON.stringify((error as VeilError).data ?? {})}`;
    for (const encoding of ['hex', 'base64'] as const) expect(text).not.toContain(Buffer.from(secret).toString(encoding));
  };

  describe(`KeyProvider contract: ${options.name}`, () => {
    afterEach(async () => {
      for (const vault of vaults.splice(0)) await vault.close();
    });

    it(KEY_PROVIDER_CONTRACT_TESTS.roundTrip, async () => {
      const provider = await options.create();
      expect(provider.kind).toMatch(/^[a-z][a-z0-9-]*$/);
      const key = dataKey();
      const wrapped = await provider.wrap(key, { tenant: 'acme' });
      expect(wrapped.keyId).not.toBe('');
      expect(wrapped.wrapped).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(wrapped.wrapped).includes(Buffer.from(key))).toBe(false);
      expect(Buffer.from(wrapped.wrapped).toString('latin1')).not.toContain(Buffer.from(key).toString('base64'));
      expect(Array.from(await provider.unwrap(wrapped, { tenant: 'acme' }))).toEqual(Array.from(key));
    });

    it(KEY_PROVIDER_CONTRACT_TESTS.randomized, async () => {
      const provider = await options.create();
      const key = dataKey();
      const [a, b] = await Promise.all([provider.wrap(key, { tenant: 't' }), provider.wrap(key, { tenant: 't' })]);
      expect(Buffer.from(a?.wrapped ?? []).equals(Buffer.from(b?.wrapped ?? []))).toBe(false);
      for (const wrapped of [a, b]) expect(Array.from(await provider.unwrap(wrapped as WrappedKey, { tenant: 't' }))).toEqual(Array.from(key));
    });

    it(KEY_PROVIDER_CONTRACT_TESTS.tenantBound, async () => {
      const provider = await options.create();
      const key = dataKey();
      const wrapped = await provider.wrap(key, { tenant: 'acme' });
      await expectKeyError(provider.unwrap(wrapped, { tenant: 'globex' }), key);
      await expectKeyError(provider.unwrap(wrapped, { tenant: 'acm' }), key);
    });

    it(KEY_PROVIDER_CONTRACT_TESTS.tampered, async () => {
      const provider = await options.create();
      const key = dataKey();
      const wrapped = await provider.wrap(key, { tenant: 'acme' });
      const flipped = Uint8Array.from(wrapped.wrapped);
      const middle = Math.floor(flipped.length / 2);
      flipped[middle] = (flipped[middle] ?? 0) ^ 0x01;
      await expectKeyError(provider.unwrap({ ...wrapped, wrapped: flipped }, { tenant: 'acme' }), key);
      await expectKeyError(provider.unwrap({ ...wrapped, wrapped: wrapped.wrapped.slice(0, 10) }, { tenant: 'acme' }), key);
    });

    it.skipIf(options.createOther === undefined)(
      options.createOther === undefined
        ? `${KEY_PROVIDER_CONTRACT_TESTS.otherKey} (skipped: this run configures one key only; another run of the same provider covers it)`
        : KEY_PROVIDER_CONTRACT_TESTS.otherKey, async () => {
      const provider = await options.create();
      const other = await (options.createOther as () => Promise<KeyProvider>)();
      const key = dataKey();
      const wrapped = await provider.wrap(key, { tenant: 'acme' });
      await expectKeyError(other.unwrap(wrapped, { tenant: 'acme' }), key);
    });

    it(KEY_PROVIDER_CONTRACT_TESTS.concurrent, async () => {
      const provider = await options.create();
      const keys = Array.from({ length: 25 }, dataKey);
      const wrapped = await Promise.all(keys.map((key, i) => provider.wrap(key, { tenant: `t${i}` })));
      const opened = await Promise.all(wrapped.map((w, i) => provider.unwrap(w, { tenant: `t${i}` })));
      opened.forEach((key, i) => expect(Array.from(key)).toEqual(Array.from(keys[i] ?? [])));
    });

    it(KEY_PROVIDER_CONTRACT_TESTS.vault, async () => {
      const store = new MemoryVaultStore();
      const email = { type: 'EMAIL', value: 'maria@example.com', normalized: normalizeValue('EMAIL', 'maria@example.com') };
      // The vault owns and closes its store; the memory store's close keeps its data.
      const first = await Vault.open({ dataDir: '/nonexistent-not-used', store, keys: await options.create(), env: {} });
      vaults.push(first);
      const [token] = await (await first.openScope({ tenant: 'acme', session: 's' })).tokenize([email]);
      const second = await Vault.open({ dataDir: '/nonexistent-not-used', store, keys: await options.create(), env: {} });
      vaults.push(second);
      expect((await second.openScope({ tenant: 'acme', session: 's' })).resolve(token ?? '')).toBe('maria@example.com');
      expect((await store.getDataKey('acme'))?.keyId).not.toBe('');
    });

    it.skipIf(options.rotate === undefined)(
      options.rotate === undefined
        ? `${KEY_PROVIDER_CONTRACT_TESTS.rotation} (skipped: this run does not rotate; another run of the same provider covers rotation)`
        : KEY_PROVIDER_CONTRACT_TESTS.rotation, async () => {
      const before = await options.create();
      const store = new MemoryVaultStore();
      const keys = new Map<string, Uint8Array>();
      for (let i = 0; i < 12; i += 1) {
        const key = dataKey();
        keys.set(`tenant-${String(i).padStart(2, '0')}`, key);
        await store.putDataKeyIfAbsent(`tenant-${String(i).padStart(2, '0')}`, await before.wrap(key, { tenant: `tenant-${String(i).padStart(2, '0')}` }));
      }
      const oldWrap = await store.getDataKey('tenant-00');
      const after = await (options.rotate as (p: KeyProvider) => Promise<KeyProvider>)(before);
      const fresh = await after.wrap(dataKey(), { tenant: 'x' });
      expect(fresh.keyId).not.toBe(oldWrap?.keyId);
      expect(Array.from(await after.unwrap(oldWrap as WrappedKey, { tenant: 'tenant-00' }))).toEqual(Array.from(keys.get('tenant-00') ?? []));
      // Interrupted after 5 tenants, then resumed from the cursor.
      const controller = new AbortController();
      const partial = await rewrapDataKeys({
        store,
        from: after,
        to: after,
        batchSize: 4,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.seen === 5) controller.abort();
        },
      });
      expect(partial).toMatchObject({ seen: 5, rewrapped: 5, cursor: 'tenant-04' });
      const seen: number[] = [];
      const rest = await rewrapDataKeys({ store, from: after, to: after, batchSize: 4, after: partial.cursor, onProgress: (p) => seen.push(p.seen) });
      expect(rest).toMatchObject({ seen: 7, rewrapped: 7, failed: 0, raced: 0 });
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const [tenant, key] of keys) {
        const stored = await store.getDataKey(tenant);
        expect(stored?.keyId).toBe(fresh.keyId);
        expect(Array.from(await after.unwrap(stored as WrappedKey, { tenant }))).toEqual(Array.from(key));
      }
    });
  });
}
