import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Vault, defaultDataDir } from '../../src/vault/vault.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import type { TokenRequest } from '../../src/vault/token-scope.js';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'veil-vault-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const newDir = (): string => join(mkdtempSync(join(root, 'v-')), 'data');
const noEnv = {};
const opened: Vault[] = [];
afterEach(async () => {
  for (const vault of opened.splice(0)) await vault.close();
});

async function openVault(options: Partial<Parameters<typeof Vault.open>[0]> & { dataDir: string }): Promise<Vault> {
  const vault = await Vault.open({ env: noEnv, ...options });
  opened.push(vault);
  return vault;
}

function req(type: string, value: string): TokenRequest {
  return { type, value, normalized: normalizeValue(type, value) };
}

describe('Vault', () => {
  it('creates the data dir with 0700, master.key and vault.db', async () => {
    const dir = newDir();
    const vault = await openVault({ dataDir: dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'vault.db')).mode & 0o777).toBe(0o600);
    expect(vault.store.kind).toBe('sqlite');
    expect(vault.keys.kind).toBe('local');
  });

  it('gives the same token for the same value across scope reopen and vault restart', async () => {
    const dir = newDir();
    let vault = await openVault({ dataDir: dir });
    const scope = await vault.openScope({ tenant: 'acme', session: 'chat-1' });
    const first = await scope.tokenize([req('EMAIL', 'maria@example.com'), req('PHONE', '+1 415 555 0132'), req('EMAIL', 'bob@example.com')]);
    expect(first).toEqual(['EMAIL_1', 'PHONE_1', 'EMAIL_2']);
    const reopened = await vault.openScope({ tenant: 'acme', session: 'chat-1' });
    expect(reopened.size).toBe(3);
    expect(reopened.resolve('EMAIL_2')).toBe('bob@example.com');
    expect(await reopened.tokenize([req('EMAIL', 'bob@example.com'), req('EMAIL', 'carol@example.com')])).toEqual(['EMAIL_2', 'EMAIL_3']);
    await vault.close();
    vault = await openVault({ dataDir: dir });
    const afterRestart = await vault.openScope({ tenant: 'acme', session: 'chat-1' });
    expect(afterRestart.resolve('email_1')).toBe('maria@example.com');
    expect(afterRestart.resolve('PHONE_1')).toBe('+1 415 555 0132');
    expect(afterRestart.resolve('EMAIL_3')).toBe('carol@example.com');
    expect([...afterRestart.issuedTypes()].sort()).toEqual(['EMAIL', 'PHONE']);
    expect(await afterRestart.tokenize([req('PHONE', '+1 415 555 0132')])).toEqual(['PHONE_1']);
  });

  it('answers known values without touching the store', async () => {
    const store = new MemoryVaultStore();
    const vault = await openVault({ dataDir: newDir(), store, masterKey: generateMasterKey() });
    const scope = await vault.openScope({ tenant: 'acme', session: 's' });
    await scope.tokenize([req('EMAIL', 'a@example.com')]);
    let calls = 0;
    const original = store.putMany.bind(store);
    store.putMany = (...args) => {
      calls += 1;
      return original(...args);
    };
    const known = scope.tokenize([req('EMAIL', 'A@example.com')]);
    expect(known).toEqual(['EMAIL_1']);
    await scope.tokenize([req('EMAIL', 'b@example.com'), req('EMAIL', 'c@example.com'), req('EMAIL', 'b@example.com')]);
    expect(calls).toBe(1);
    expect(scope.size).toBe(3);
  });

  it('isolates tenants and sessions', async () => {
    const vault = await openVault({ dataDir: newDir() });
    const a1 = await vault.openScope({ tenant: 'a', session: 's1' });
    const a2 = await vault.openScope({ tenant: 'a', session: 's2' });
    const b1 = await vault.openScope({ tenant: 'b', session: 's1' });
    await a1.tokenize([req('EMAIL', 'x@example.com'), req('EMAIL', 'shared@example.com')]);
    expect(await a2.tokenize([req('EMAIL', 'shared@example.com')])).toEqual(['EMAIL_1']);
    expect(await b1.tokenize([req('EMAIL', 'other@example.com')])).toEqual(['EMAIL_1']);
    expect(a2.resolve('EMAIL_2')).toBeUndefined();
    const b1Again = await vault.openScope({ tenant: 'b', session: 's1' });
    expect(b1Again.resolve('EMAIL_1')).toBe('other@example.com');
    expect(b1Again.resolve('EMAIL_2')).toBeUndefined();
    const a1Again = await vault.openScope({ tenant: 'a', session: 's1' });
    expect(a1Again.resolve('EMAIL_1')).toBe('x@example.com');
  });

  it('treats normalised forms as one value and resolves to the first surface form', async () => {
    const vault = await openVault({ dataDir: newDir() });
    const scope = await vault.openScope({ tenant: 'acme', session: 's' });
    expect(await scope.tokenize([req('EMAIL', 'Maria@Example.com'), req('EMAIL', 'maria@example.com')])).toEqual(['EMAIL_1', 'EMAIL_1']);
    expect(await scope.tokenize([req('CREDIT_CARD', '4111 1111 1111 1111'), req('CREDIT_CARD', '4111-1111-1111-1111')])).toEqual(['CREDIT_CARD_1', 'CREDIT_CARD_1']);
    const reopened = await vault.openScope({ tenant: 'acme', session: 's' });
    expect(await reopened.tokenize([req('EMAIL', 'MARIA@EXAMPLE.COM')])).toEqual(['EMAIL_1']);
    expect(reopened.resolve('EMAIL_1')).toBe('Maria@Example.com');
    expect(reopened.resolve('CREDIT_CARD_1')).toBe('4111 1111 1111 1111');
  });

  it('the store decides: a value stored first elsewhere resolves to the stored surface form', async () => {
    const vault = await openVault({ dataDir: newDir() });
    const early = await vault.openScope({ tenant: 'acme', session: 's' });
    const other = await vault.openScope({ tenant: 'acme', session: 's' });
    expect(await other.tokenize([req('EMAIL', 'x@example.com'), req('EMAIL', 'Maria@Example.com')])).toEqual(['EMAIL_1', 'EMAIL_2']);
    // `early` has not seen these; the store's numbering and first value win.
    expect(await early.tokenize([req('EMAIL', 'maria@example.com')])).toEqual(['EMAIL_2']);
    expect(early.resolve('EMAIL_2')).toBe('Maria@Example.com');
    expect(early.resolve('EMAIL_1')).toBeUndefined();
  });

  it('agrees with itself under concurrent tokenize calls on one and several scope objects', async () => {
    const vault = await openVault({ dataDir: newDir() });
    const s1 = await vault.openScope({ tenant: 'acme', session: 's' });
    const s2 = await vault.openScope({ tenant: 'acme', session: 's' });
    const values = Array.from({ length: 10 }, (_, i) => req('EMAIL', `user${i}@example.com`));
    const results = await Promise.all([s1.tokenize(values), s2.tokenize([...values].reverse()), s1.tokenize(values.slice(3))]);
    const [forward, backward, tail] = results;
    expect(backward).toEqual([...(forward ?? [])].reverse());
    expect(tail).toEqual(forward?.slice(3));
    expect(new Set(forward).size).toBe(10);
  });

  it('crypto-shredding: after forgetTenant old tokens resolve to nothing, new values still work', async () => {
    const dir = newDir();
    let vault = await openVault({ dataDir: dir });
    const scope = await vault.openScope({ tenant: 'gone', session: 's' });
    await scope.tokenize([req('EMAIL', 'maria@example.com'), req('PERSON', 'Maria Lopez')]);
    const kept = await vault.openScope({ tenant: 'kept', session: 's' });
    await kept.tokenize([req('EMAIL', 'keep@example.com')]);
    expect(await vault.forgetTenant('gone')).toBe(true);
    expect(await vault.forgetTenant('gone')).toBe(false);
    await vault.close();
    vault = await openVault({ dataDir: dir });
    const after = await vault.openScope({ tenant: 'gone', session: 's' });
    expect(after.resolve('EMAIL_1')).toBeUndefined();
    expect(after.unreadable).toBe(1);
    expect(after.checkReadable()).toBe(2);
    expect(after.size).toBe(0);
    expect(after.resolve('PERSON_1')).toBeUndefined();
    // The value is new under the tenant's new key; it gets a number no shredded entry holds.
    const [token] = await after.tokenize([req('EMAIL', 'maria@example.com')]);
    expect(token).toBe('EMAIL_2');
    expect(after.resolve('EMAIL_2')).toBe('maria@example.com');
    const keptAgain = await vault.openScope({ tenant: 'kept', session: 's' });
    expect(keptAgain.resolve('EMAIL_1')).toBe('keep@example.com');
    expect(keptAgain.checkReadable()).toBe(0);
  });

  it('a wrong master key is a clear Key error naming no key material', async () => {
    const dir = newDir();
    const right = generateMasterKey();
    const vault = await openVault({ dataDir: dir, masterKey: right });
    await (await vault.openScope({ tenant: 'acme', session: 's' })).tokenize([req('EMAIL', 'maria@example.com')]);
    await vault.close();
    const wrong = generateMasterKey();
    const other = await openVault({ dataDir: dir, env: { VEIL_MASTER_KEY: wrong } });
    let error: unknown;
    try {
      await other.openScope({ tenant: 'acme', session: 's' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VeilError);
    expect((error as VeilError).code).toBe(VeilErrorCode.Key);
    const text = `${(error as VeilError).message} ${JSON.stringify((error as VeilError).data)}`;
    expect(text).toMatch(/master key/);
    for (const secret of [right, wrong, 'maria']) expect(text).not.toContain(secret);
    // A failure does not stick: with the right key the same vault file opens again.
    const again = await openVault({ dataDir: dir, masterKey: right });
    expect((await again.openScope({ tenant: 'acme', session: 's' })).resolve('EMAIL_1')).toBe('maria@example.com');
  });

  it('a malformed VEIL_MASTER_KEY fails Vault.open with a Key error', async () => {
    await expect(Vault.open({ dataDir: newDir(), env: { VEIL_MASTER_KEY: 'abc' } })).rejects.toMatchObject({
      code: VeilErrorCode.Key,
    });
  });

  it('TTL: entries expire, are hidden when reopening and purged by purgeExpired', async () => {
    let now = 1_000_000;
    const store = new MemoryVaultStore({ now: () => now });
    const vault = await openVault({ dataDir: newDir(), store, masterKey: generateMasterKey(), now: () => now });
    const scope = await vault.openScope({ tenant: 'acme', session: 's', ttlSeconds: 60 });
    await scope.tokenize([req('EMAIL', 'a@example.com')]);
    const [entry] = await store.listScope('acme', 's');
    expect(entry?.expiresAt).toBe(1_060_000);
    const forever = await vault.openScope({ tenant: 'acme', session: 'forever' });
    await forever.tokenize([req('EMAIL', 'b@example.com')]);
    now += 59_000;
    expect((await vault.openScope({ tenant: 'acme', session: 's' })).resolve('EMAIL_1')).toBe('a@example.com');
    now += 1_000;
    expect((await vault.openScope({ tenant: 'acme', session: 's' })).size).toBe(0);
    expect(await vault.purgeExpired()).toBe(1);
    expect(await vault.purgeExpired()).toBe(0);
    expect((await vault.openScope({ tenant: 'acme', session: 'forever' })).resolve('EMAIL_1')).toBe('b@example.com');
    await expect(vault.openScope({ tenant: 'acme', session: 's', ttlSeconds: -1 })).rejects.toBeInstanceOf(VeilError);
  });

  it('deleteScope forgets one session only', async () => {
    const vault = await openVault({ dataDir: newDir() });
    await (await vault.openScope({ tenant: 'acme', session: 'a' })).tokenize([req('EMAIL', 'a@example.com'), req('PHONE', '+44 20 7946 0958')]);
    await (await vault.openScope({ tenant: 'acme', session: 'b' })).tokenize([req('EMAIL', 'b@example.com')]);
    expect(await vault.deleteScope('acme', 'a')).toBe(2);
    expect((await vault.openScope({ tenant: 'acme', session: 'a' })).size).toBe(0);
    expect((await vault.openScope({ tenant: 'acme', session: 'b' })).size).toBe(1);
  });

  it('rejects use after close and bad tenants with Vault errors', async () => {
    const vault = await Vault.open({ dataDir: newDir(), env: noEnv });
    await expect(vault.openScope({ tenant: '', session: 's' })).rejects.toMatchObject({ code: VeilErrorCode.Vault });
    await vault.close();
    await vault.close();
    await expect(vault.openScope({ tenant: 'a', session: 's' })).rejects.toMatchObject({ code: VeilErrorCode.Vault });
  });

  it('stores the master key only in master.key, never in vault.db', async () => {
    const dir = newDir();
    const vault = await openVault({ dataDir: dir });
    await (await vault.openScope({ tenant: 'acme', session: 's' })).tokenize([req('EMAIL', 'a@example.com')]);
    await vault.close();
    const master = Buffer.from(readFileSync(join(dir, 'master.key'), 'utf8').trim(), 'base64');
    const db = readFileSync(join(dir, 'vault.db'));
    expect(db.includes(master)).toBe(false);
  });
});

describe('defaultDataDir', () => {
  it('uses VEIL_DATA_DIR, else .veil in the working directory', () => {
    expect(defaultDataDir({}, '/srv/app')).toBe('/srv/app/.veil');
    expect(defaultDataDir({ VEIL_DATA_DIR: '  ' }, '/srv/app')).toBe('/srv/app/.veil');
    expect(defaultDataDir({ VEIL_DATA_DIR: '/var/lib/veil' }, '/srv/app')).toBe('/var/lib/veil');
    expect(defaultDataDir({ VEIL_DATA_DIR: 'data' }, '/srv/app')).toBe('/srv/app/data');
  });
});
