/** Default and per-tenant TTLs, and the background purge job. */
import { afterEach, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { Vault } from '../../src/vault/vault.js';

const vaults: Vault[] = [];
afterEach(async () => {
  for (const vault of vaults.splice(0)) await vault.close();
});

const email = (value: string) => ({ type: 'EMAIL', value, normalized: value });

describe('vault TTL', () => {
  it('VEIL_VAULT_TTL_SECONDS and ttlFor give scopes a TTL unless the request names one', async () => {
    let now = 1_000_000;
    const store = new MemoryVaultStore({ now: () => now });
    const vault = await Vault.open({
      dataDir: '/unused',
      store,
      masterKey: generateMasterKey(),
      env: { VEIL_VAULT_TTL_SECONDS: '60' },
      now: () => now,
      ttlFor: (tenant) => (tenant === 'short' ? 5 : undefined),
    });
    vaults.push(vault);
    await (await vault.openScope({ tenant: 'short', session: 's' })).tokenize([email('a@x')]);
    await (await vault.openScope({ tenant: 'other', session: 's' })).tokenize([email('b@x')]);
    await (await vault.openScope({ tenant: 'short', session: 'long', ttlSeconds: 3600 })).tokenize([email('c@x')]);
    expect((await store.listScope('short', 's'))[0]?.expiresAt).toBe(now + 5000);
    // ttlFor answered undefined for this tenant: no expiry (ttlFor replaces the env default).
    expect((await store.listScope('other', 's'))[0]?.expiresAt).toBeNull();
    expect((await store.listScope('short', 'long'))[0]?.expiresAt).toBe(now + 3_600_000);

    const fromEnv = await Vault.open({ dataDir: '/unused', store: new MemoryVaultStore(), masterKey: generateMasterKey(), env: { VEIL_VAULT_TTL_SECONDS: '60' } });
    vaults.push(fromEnv);
    await (await fromEnv.openScope({ tenant: 't', session: 's' })).tokenize([email('a@x')]);
    expect((await fromEnv.store.listScope('t', 's'))[0]?.expiresAt).toBeGreaterThan(Date.now() + 55_000);
    now += 6000;
    expect(await store.listScope('short', 's')).toEqual([]);
  });

  it('a bad VEIL_VAULT_TTL_SECONDS is a Config error', async () => {
    await expect(
      Vault.open({ dataDir: '/unused', store: new MemoryVaultStore(), masterKey: generateMasterKey(), env: { VEIL_VAULT_TTL_SECONDS: 'soon' } }),
    ).rejects.toMatchObject({ code: 'config_error' });
  });

  it('the purge job deletes expired entries and reports counts', async () => {
    let now = 5_000_000;
    const store = new MemoryVaultStore({ now: () => now });
    const vault = await Vault.open({ dataDir: '/unused', store, masterKey: generateMasterKey(), env: {}, now: () => now });
    vaults.push(vault);
    await (await vault.openScope({ tenant: 't', session: 's', ttlSeconds: 1 })).tokenize([email('a@x'), email('b@x')]);
    await (await vault.openScope({ tenant: 't', session: 'keep' })).tokenize([email('c@x')]);
    now += 2000;
    const counts: number[] = [];
    const job = vault.startPurgeJob({ intervalMs: 10, onPurged: (count) => counts.push(count) });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await job.stop();
    expect(counts[0]).toBe(2);
    expect(counts.slice(1).every((count) => count === 0)).toBe(true);
    expect(await store.listScope('t', 'keep')).toHaveLength(1);
    expect(() => vault.startPurgeJob({ intervalMs: 0 })).toThrow();
  });
});
