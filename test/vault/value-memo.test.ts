/**
 * The per-lease memo of a session's lookups and ciphertexts: bounded, aged, emptied by erasure,
 * and never a source of tokens (another replica's numbering always wins).
 */
import { describe, expect, it } from 'vitest';
import { deriveTenantKeys, generateDataKey } from '../../src/vault/crypto.js';
import { TenantKeyLease } from '../../src/vault/key-lease.js';
import { PersistentTokenScope } from '../../src/vault/persistent-scope.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { ValueMemo } from '../../src/vault/value-memo.js';

const req = (type: string, value: string) => ({ type, value, normalized: normalizeValue(type, value) });
const held = (lookup: string) => ({ lookup, ciphertext: new Uint8Array([1]) });

describe('ValueMemo', () => {
  it('keeps at most maxEntries (oldest out first) for maxAgeMs, per session', () => {
    let clock = 0;
    const memo = new ValueMemo({ maxEntries: 2, maxAgeMs: 100, now: () => clock });
    memo.set('s', 'EMAIL', 'a@x', 'a@x', held('la'));
    memo.set('s', 'EMAIL', 'b@x', 'b@x', held('lb'));
    memo.set('t', 'EMAIL', 'a@x', 'a@x', held('ta'));
    expect(memo.get('s', 'EMAIL', 'a@x', 'a@x')).toBeUndefined();
    expect(memo.get('s', 'EMAIL', 'b@x', 'b@x')?.lookup).toBe('lb');
    expect(memo.get('t', 'EMAIL', 'a@x', 'a@x')?.lookup).toBe('ta');
    // Another surface form of a value is another entry (its ciphertext is of other bytes).
    expect(memo.get('t', 'EMAIL', 'a@x', 'A@x')).toBeUndefined();
    clock = 100;
    expect(memo.get('s', 'EMAIL', 'b@x', 'b@x')).toBeUndefined();
    expect(memo.size).toBe(1);
  });

  it('forgets a session, and after close holds and takes nothing', () => {
    const memo = new ValueMemo();
    memo.set('s', 'EMAIL', 'a@x', 'a@x', held('la'));
    memo.set('s2', 'EMAIL', 'a@x', 'a@x', held('lb'));
    memo.forgetSession('s');
    expect(memo.get('s', 'EMAIL', 'a@x', 'a@x')).toBeUndefined();
    expect(memo.get('s2', 'EMAIL', 'a@x', 'a@x')?.lookup).toBe('lb');
    memo.close();
    memo.set('s', 'EMAIL', 'a@x', 'a@x', held('la'));
    expect(memo.size).toBe(0);
  });
});

describe('PersistentTokenScope with a lease memo', () => {
  const dataKey = generateDataKey();
  let generation = '';
  const lease = (): TenantKeyLease => new TenantKeyLease('acme', deriveTenantKeys(dataKey), generation, Date.now());
  /** A store holding the tenant's (wrapped) key, whose generation the leases carry. */
  const keyedStore = async (): Promise<MemoryVaultStore> => {
    const store = new MemoryVaultStore();
    await store.init();
    generation = (await store.putDataKeyIfAbsent('acme', { keyId: 'k', wrapped: new Uint8Array([1]) })).generation;
    return store;
  };
  // Each turn of a conversation is a new deferred scope, as in the gateway.
  const turn = async (store: MemoryVaultStore, held: TenantKeyLease, values: string[]) => {
    const scope = PersistentTokenScope.deferred({ store, keys: held.keys, lease: held, tenant: 'acme', session: 'chat' });
    const tokens = await scope.tokenize(values.map((value) => req('EMAIL', value)));
    return { scope, tokens };
  };

  it('later turns reuse the memoised lookup and ciphertext (the bytes the store kept), and resolve every token', async () => {
    const store = await keyedStore();
    const a = lease();
    await turn(store, a, ['maria@example.com', 'john@example.org']);
    expect(a.memo.size).toBe(2);
    const [row] = await store.listScope('acme', 'chat');
    const { scope, tokens } = await turn(store, a, ['maria@example.com']);
    expect(tokens).toEqual(['EMAIL_1']);
    // The stored ciphertext is the memoised one: the store answers with the bytes the scope
    // sent, so it knows that value without decrypting it.
    expect(Buffer.from(a.memo.get('chat', 'EMAIL', 'maria@example.com', 'maria@example.com')?.ciphertext ?? [])).toEqual(Buffer.from(row?.ciphertext ?? []));
    expect(scope.resolve('EMAIL_1')).toBe('maria@example.com');
    expect(scope.resolve('EMAIL_2')).toBe('john@example.org');
  });

  it('takes the token another replica stored, and resolves it from that replica\'s row', async () => {
    const store = await keyedStore();
    const a = lease();
    await turn(store, a, ['maria@example.com']);
    // The session is forgotten through replica B, which then numbers other values first.
    await store.deleteScope('acme', 'chat');
    const b = lease();
    expect(await (await turn(store, b, ['john@example.org', 'maria@example.com'])).tokens).toEqual(['EMAIL_1', 'EMAIL_2']);
    // Replica A still has maria memoised: the store's answer wins.
    const { scope, tokens } = await turn(store, a, ['maria@example.com']);
    expect(tokens).toEqual(['EMAIL_2']);
    expect(scope.resolve('EMAIL_2')).toBe('maria@example.com');
    expect(scope.resolve('EMAIL_1')).toBe('john@example.org');
  });

  it('erasure (revoking the lease) empties the memo and nothing is memoised under it again', async () => {
    const store = await keyedStore();
    const a = lease();
    await turn(store, a, ['maria@example.com']);
    a.revoke();
    expect(a.memo.size).toBe(0);
    await expect(turn(store, a, ['maria@example.com'])).rejects.toThrow(/erased/);
    expect(a.memo.size).toBe(0);
  });
});
