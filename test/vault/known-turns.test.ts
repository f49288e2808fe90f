/**
 * Known turns (issue #8): a session turn whose values this process already knows for the
 * session makes no store call; any other turn makes exactly the one it made before. Counted on a
 * store wrapper that records every call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PersistentTokenScope } from '../../src/vault/persistent-scope.js';
import { SessionMemory } from '../../src/vault/session-memory.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { loadableScopeOf } from '../../src/vault/token-scope.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import type { VaultEntry, VaultStore } from '../../src/vault/vault-store.js';
import { Vault } from '../../src/vault/vault.js';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const req = (type: string, value: string) => ({ type, value, normalized: normalizeValue(type, value) });
const MARIA = 'maria.garcia@example.com';
const BOB = 'bob.stone@example.com';
const CAROL = 'carol.diaz@example.org';

/** The store as the vault sees it, with every call's method name recorded. */
function spied(store: VaultStore): { store: VaultStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver) as unknown;
      if (typeof member !== 'function' || typeof property !== 'string') return member;
      return (...args: unknown[]) => {
        calls.push(property);
        return (member as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

const dirs: string[] = [];
const vaults: Vault[] = [];
afterEach(async () => {
  for (const vault of vaults.splice(0)) await vault.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Replica {
  readonly vault: Vault;
  readonly calls: string[];
  /** One gateway turn: a fresh deferred scope, one tokenize; the calls it made and its scope. */
  turn(values: readonly string[], options?: { session?: string; ttlSeconds?: number; knownTurns?: boolean }): Promise<Turn>;
}

interface Turn {
  readonly tokens: string[];
  readonly calls: string[];
  readonly scope: PersistentTokenScope;
}

async function replica(shared: MemoryVaultStore, clock: { now: number }, keyCheckMs?: number): Promise<Replica> {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-known-turns-'));
  dirs.push(dataDir);
  const { store, calls } = spied(shared);
  // The shared store is closed by whichever replica closes first; the memory store does not mind.
  const vault = await Vault.open({
    dataDir,
    store,
    masterKey: MASTER_KEY,
    env: {},
    now: () => clock.now,
    ...(keyCheckMs === undefined ? {} : { keyCheckMs }),
  });
  vaults.push(vault);
  return {
    vault,
    calls,
    async turn(values, options = {}) {
      const from = calls.length;
      const scope = await vault.openScope({
        tenant: 'acme',
        session: options.session ?? 'chat',
        lazy: true,
        ...(options.knownTurns === false ? {} : { knownTurns: true }),
        ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
      });
      const tokens = await scope.tokenize(values.map((value) => req('EMAIL', value)));
      return { tokens, calls: calls.slice(from), scope };
    },
  };
}

async function setup(keyCheckMs?: number): Promise<{ clock: { now: number }; store: MemoryVaultStore; a: Replica; b: Replica }> {
  const clock = { now: 1_000_000 };
  const store = new MemoryVaultStore({ now: () => clock.now });
  const a = await replica(store, clock, keyCheckMs);
  const b = await replica(store, clock, keyCheckMs);
  return { clock, store, a, b };
}

describe('known turns', () => {
  it('a turn resending known values makes no store call; one new value makes exactly one', async () => {
    const { a } = await setup();
    const first = await a.turn([MARIA]);
    expect(first.tokens).toEqual(['EMAIL_1']);
    expect(first.calls.filter((call) => call !== 'getDataKey' && call !== 'putDataKeyIfAbsent')).toEqual(['putManyAndList']);

    const second = await a.turn([MARIA, MARIA]);
    expect(second).toMatchObject({ tokens: ['EMAIL_1', 'EMAIL_1'], calls: [] });
    expect(second.scope.resolve('EMAIL_1')).toBe(MARIA);
    expect(second.scope.size).toBe(1);
    expect(second.scope.partial).toBe(true);

    // A turn with nothing to mask is known too.
    expect((await a.turn([])).calls).toEqual([]);

    const third = await a.turn([MARIA, BOB]);
    expect(third).toMatchObject({ tokens: ['EMAIL_1', 'EMAIL_2'], calls: ['putManyAndList'] });
    expect(third.scope.partial).toBe(false);
    // The new value is remembered from the store's answer: the next turn is known again.
    const fourth = await a.turn([BOB, MARIA]);
    expect(fourth).toMatchObject({ tokens: ['EMAIL_2', 'EMAIL_1'], calls: [] });
    expect(fourth.scope.resolve('email_2')).toBe(BOB);
  });

  it('knows values the load listed (another replica stored them, another surface form) without a store call', async () => {
    const { a, b } = await setup();
    await b.turn([BOB]);
    expect((await a.turn([MARIA])).tokens).toEqual(['EMAIL_2']);
    const known = await a.turn([BOB.toUpperCase(), MARIA]);
    expect(known).toMatchObject({ tokens: ['EMAIL_1', 'EMAIL_2'], calls: [] });
    // The stored value, not the surface form this request used, is what the token stands for.
    expect(known.scope.resolve('EMAIL_1')).toBe(BOB);
  });

  it('without knownTurns every turn still makes its one store call', async () => {
    const { a } = await setup();
    await a.turn([MARIA], { knownTurns: false });
    expect((await a.turn([MARIA], { knownTurns: false })).calls).toEqual(['putManyAndList']);
    // The memory filled by those turns serves a caller that opts in.
    expect((await a.turn([MARIA])).calls).toEqual([]);
  });

  it('a partial scope asks for a load only for a token it cannot resolve, and the load makes it whole', async () => {
    const { a, b } = await setup();
    await a.turn([MARIA]);
    // Replica B adds a value to the session after A's load.
    expect((await b.turn([BOB])).tokens).toEqual(['EMAIL_2']);
    const known = await a.turn([MARIA]);
    expect(known.calls).toEqual([]);
    const loadable = loadableScopeOf(known.scope);
    expect(loadable?.partial).toBe(true);
    expect(loadable?.needsLoad('{"content":"Mail <<EMAIL_1>> now"}')).toBe(false);
    expect(loadable?.needsLoad('no tokens here, 3 items')).toBe(false);
    // As the rehydrator would find them: any bracket, any case, a type this process never saw.
    expect(loadable?.needsLoad('Reply to <<EMAIL_2>>')).toBe(true);
    expect(loadable?.needsLoad('Reply to [email_2]')).toBe(true);
    expect(loadable?.needsLoad('Call PHONE_1')).toBe(true);
    expect(known.scope.resolve('EMAIL_2')).toBeUndefined();
    const from = a.calls.length;
    await Promise.all([loadable?.loadSession(), loadable?.loadSession()]);
    expect(a.calls.slice(from)).toEqual(['putManyAndList']);
    expect(known.scope.partial).toBe(false);
    expect(known.scope.resolve('EMAIL_2')).toBe(BOB);
    expect(known.scope.resolve('EMAIL_1')).toBe(MARIA);
    expect(known.scope.needsLoad('Reply to <<EMAIL_3>>')).toBe(false);
    // The load refreshed the memory: BOB is known on the next turn.
    expect(await a.turn([BOB])).toMatchObject({ tokens: ['EMAIL_2'], calls: [] });
  });

  it('a session forgotten through this process goes back to the store, and numbering starts over', async () => {
    const { a } = await setup();
    await a.turn([MARIA, BOB]);
    expect((await a.turn([BOB])).calls).toEqual([]);
    expect(await a.vault.deleteScope('acme', 'chat')).toBe(2);
    const after = await a.turn([BOB]);
    expect(after).toMatchObject({ tokens: ['EMAIL_1'], calls: ['putManyAndList'] });
    expect(after.scope.resolve('EMAIL_2')).toBeUndefined();
    // Other sessions of the tenant are not forgotten.
    await a.turn([CAROL], { session: 'other' });
    await a.vault.deleteScope('acme', 'chat');
    expect((await a.turn([CAROL], { session: 'other' })).calls).toEqual([]);
  });

  it('a revoked lease (tenant erased) empties the memory: the next turn goes to the store under a new key', async () => {
    const { a } = await setup();
    const first = await a.turn([MARIA]);
    expect((await a.turn([MARIA])).calls).toEqual([]);
    await a.vault.forgetTenant('acme');
    expect(first.scope.resolve('EMAIL_1')).toBeUndefined();
    const after = await a.turn([MARIA]);
    expect(after.calls).toContain('putManyAndList');
    // New key, new lookup: the old entry is not this value's any more.
    expect(after.tokens).toEqual(['EMAIL_2']);
    expect((await a.turn([MARIA])).calls).toEqual([]);
  });

  it('an expired entry is not served from memory', async () => {
    // The key stays trusted throughout, so only expiry decides.
    const { a, clock } = await setup(3_600_000);
    await a.turn([MARIA], { ttlSeconds: 60 });
    await a.turn([BOB], { ttlSeconds: 3600 });
    clock.now += 5_000;
    expect((await a.turn([MARIA, BOB], { ttlSeconds: 60 })).calls).toEqual([]);
    clock.now += 56_000;
    // BOB is still live and known; MARIA's expired token is not offered to the answer.
    const known = await a.turn([BOB]);
    expect(known.calls).toEqual([]);
    expect(known.scope.resolve('EMAIL_2')).toBe(BOB);
    expect(known.scope.resolve('EMAIL_1')).toBeUndefined();
    expect(known.scope.needsLoad('about <<EMAIL_1>>')).toBe(true);
    // MARIA's entry expired: the turn goes to the store, which numbers the value again.
    const late = await a.turn([MARIA], { ttlSeconds: 60 });
    expect(late.calls).toEqual(['putManyAndList']);
    expect(late.tokens).toEqual(['EMAIL_3']);
    expect(late.scope.resolve('EMAIL_3')).toBe(MARIA);
  });

  it('trusts memory for five minutes after the last load, and the key for keyCheckMs after the store confirmed it', async () => {
    const { a, clock } = await setup();
    await a.turn([MARIA]);
    clock.now += 9_000;
    expect((await a.turn([MARIA])).calls).toEqual([]);
    // Past keyCheckMs (10 s) since the store last confirmed the key: the turn asks the store.
    clock.now += 2_000;
    expect((await a.turn([MARIA])).calls).toEqual(['putManyAndList']);
    expect((await a.turn([MARIA])).calls).toEqual([]);
    // Known turns do not extend the memory's age; keep the key confirmed meanwhile.
    for (let step = 0; step < 35; step++) {
      clock.now += 9_000;
      await a.turn([`${step}@filler.example`], { session: 'keeps-the-key-confirmed' });
    }
    expect((await a.turn([MARIA])).calls).toEqual(['putManyAndList']);
  });
});

describe('SessionMemory', () => {
  const entry = (lookup: string, token: string, expiresAt: number | null = null): VaultEntry => ({
    tenant: 'acme',
    scope: 's',
    type: 'EMAIL',
    lookup,
    ciphertext: new Uint8Array([1]),
    expiresAt,
    seq: 1,
    token,
    createdAt: 0,
  });

  it('is bounded (least recently used sessions first), aged, and closed for good', () => {
    let clock = 0;
    const memory = new SessionMemory({ maxEntries: 3, maxAgeMs: 100, now: () => clock });
    memory.replace('s1', [{ entry: entry('a', 'EMAIL_1'), value: undefined }], [], memory.epoch, clock);
    memory.replace('s2', [{ entry: entry('b', 'EMAIL_1'), value: undefined }, { entry: entry('c', 'EMAIL_2'), value: undefined }], [], memory.epoch, clock);
    expect(memory.get('s1')?.byLookup.size).toBe(1);
    // s2 is now the least recently used: adding to s1 past the bound evicts it.
    memory.add('s1', entry('d', 'EMAIL_2'), 'x');
    expect(memory.get('s2')).toBeUndefined();
    expect(memory.size).toBe(2);
    // Expired entries are not taken in; a session larger than the bound is not remembered.
    memory.replace('s3', [{ entry: entry('e', 'EMAIL_1', 5), value: undefined }], [], memory.epoch, 10);
    expect(memory.get('s3')?.byLookup.size).toBe(0);
    const big = ['1', '2', '3', '4'].map((n) => ({ entry: entry(n, `EMAIL_${n}`), value: undefined }));
    memory.replace('s4', big, [], memory.epoch, clock);
    expect(memory.get('s4')).toBeUndefined();
    clock = 100;
    expect(memory.get('s1')).toBeUndefined();
    memory.replace('s1', [{ entry: entry('a', 'EMAIL_1'), value: undefined }], [], memory.epoch, clock);
    memory.close();
    expect(memory.get('s1')).toBeUndefined();
    memory.replace('s1', [{ entry: entry('a', 'EMAIL_1'), value: undefined }], [], memory.epoch, clock);
    expect(memory.size).toBe(0);
  });

  it('sweeps out sessions past their age when another session is loaded', () => {
    let clock = 0;
    const memory = new SessionMemory({ maxAgeMs: 100, now: () => clock });
    memory.replace('old', [{ entry: entry('a', 'EMAIL_1'), value: 'a@x' }], [], memory.epoch, clock);
    clock = 150;
    memory.replace('new', [{ entry: entry('b', 'EMAIL_1'), value: 'b@x' }], [], memory.epoch, clock);
    // Never asked for again, yet gone: only the new session's entry is held.
    expect(memory.size).toBe(1);
  });

  it('does not remember a load that began before the session was forgotten', () => {
    const memory = new SessionMemory();
    const epoch = memory.epoch;
    memory.forgetSession('s1');
    memory.replace('s1', [{ entry: entry('a', 'EMAIL_1'), value: undefined }], [], epoch, Date.now());
    expect(memory.get('s1')).toBeUndefined();
    memory.replace('s1', [{ entry: entry('a', 'EMAIL_1'), value: undefined }], [], memory.epoch, Date.now());
    expect(memory.get('s1')?.byLookup.size).toBe(1);
  });
});
