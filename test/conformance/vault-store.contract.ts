/**
 * The conformance suite every `VaultStore` adapter runs (memory, SQLite, PostgreSQL ...).
 *
 * Written so it can run against a shared, long-lived database: every test uses its own random
 * tenant names, so leftovers from earlier runs or other tests never change the outcome (the
 * one global operation, `purgeExpired`, is only asserted on entries the test created).
 *
 * Usage, in `test/<area>/<adapter>-store.test.ts`:
 *   runVaultStoreContract({ name: 'sqlite', create: async () => new SqliteVaultStore({ dataDir }) });
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WrappedKey } from '../../src/vault/key-provider.js';
import type { NewVaultEntry, TokenFormatter, VaultEntry, VaultStore } from '../../src/vault/vault-store.js';

export interface VaultStoreContractOptions {
  readonly name: string;
  /** A new store instance (not yet initialised; the suite calls `init`). */
  readonly create: () => Promise<VaultStore>;
  /**
   * A second instance over the same storage as `store` (a reopened file, another connection
   * pool). Enables the durability and cross-instance tests; omit for in-memory stores.
   */
  readonly openSibling?: (store: VaultStore) => Promise<VaultStore>;
  /** Tests (by their exact title, see `CONTRACT_TESTS`) an adapter cannot run yet, and why. */
  readonly skip?: { readonly reason: string; readonly tests: readonly string[] };
}

/** Every test title of the suite, for `skip.tests`. */
export const CONTRACT_TESTS = {
  initIdempotent: 'init is idempotent',
  emptyBatch: 'putMany with no entries returns []',
  numbering: 'numbers entries per type by first appearance, with tokens from the formatter',
  sameLookup: 'the same lookup gives the same entry, keeping the first ciphertext and expiry',
  duplicatesInBatch: 'duplicates inside one batch share one entry and leave no gap',
  numberingAcrossBatches: 'numbering continues across batches',
  presetToken: 'an entry that brings its own token keeps it, still numbered, and is found by it',
  scopesIsolated: 'scopes are isolated',
  tenantsIsolated: 'tenants are isolated',
  find: 'findByLookup and findByToken return the entry, or undefined',
  listScope: 'listScope returns the scope ordered by type then seq',
  putManyAndList: 'putManyAndList stores like putMany and lists the rest of the scope',
  binary: 'ciphertext bytes round-trip exactly, and stored bytes cannot be changed through returned arrays',
  names: 'tenant and scope names are opaque strings (empty scope, unicode, separators)',
  ttlHidden: 'expired entries are hidden from find and list before they are purged',
  ttlPurge: 'purgeExpired removes entries with expiresAt <= now and returns the count',
  expiredRestarts: 'a value whose entry expired gets a new entry',
  deleteScope: 'deleteScope removes only that scope and numbering restarts',
  concurrent: 'concurrent putMany calls on one instance agree',
  dataKeys: 'data keys: put if absent returns the winner, get, delete',
  dataKeysIsolated: 'data keys are per tenant',
  deleteTenant: 'deleteTenant removes every scope of one tenant only, and keeps its data key',
  listTenants: 'listTenants names tenants with entries or data keys, in UTF-8 byte order',
  listDataKeys: 'listDataKeys walks data keys in tenant order, resumably',
  replaceDataKey: 'replaceDataKey replaces only the expected key',
  closeReopen: 'entries and data keys survive close and reopen',
  siblings: 'two instances on the same storage see each other and agree',
} as const;

const formatToken: TokenFormatter = (type, seq) => `${type}_${seq}`;

export function runVaultStoreContract(options: VaultStoreContractOptions): void {
  const skipped = new Set(options.skip?.tests ?? []);
  const open: VaultStore[] = [];

  const fresh = async (): Promise<VaultStore> => {
    const store = await options.create();
    open.push(store);
    await store.init();
    return store;
  };
  const sibling = async (store: VaultStore): Promise<VaultStore> => {
    if (options.openSibling === undefined) throw new Error('no openSibling');
    const other = await options.openSibling(store);
    open.push(other);
    await other.init();
    return other;
  };
  const test = (title: string, body: () => Promise<void>, enabled = true): void => {
    if (!enabled) it.skip(`${title} (needs openSibling)`, body);
    else if (skipped.has(title)) it.skip(`${title} (skipped: ${options.skip?.reason ?? ''})`, body);
    else it(title, body);
  };

  describe(`VaultStore contract: ${options.name}`, () => {
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    test(CONTRACT_TESTS.initIdempotent, async () => {
      const store = await fresh();
      await store.init();
      const t = tenant();
      await store.putMany([entry(t, 's', 'EMAIL', 'a')], formatToken);
      await store.init();
      expect(await store.listScope(t, 's')).toHaveLength(1);
      expect(typeof store.kind).toBe('string');
    });

    test(CONTRACT_TESTS.emptyBatch, async () => {
      const store = await fresh();
      expect(await store.putMany([], formatToken)).toEqual([]);
    });

    test(CONTRACT_TESTS.numbering, async () => {
      const store = await fresh();
      const t = tenant();
      const calls: [string, number][] = [];
      const formatter: TokenFormatter = (type, seq) => {
        calls.push([type, seq]);
        return `<${type}#${seq}>`;
      };
      const batch = [
        entry(t, 's', 'EMAIL', 'e1'),
        entry(t, 's', 'PHONE', 'p1'),
        entry(t, 's', 'EMAIL', 'e2', 1234),
        entry(t, 's', 'PERSON', 'n1'),
        entry(t, 's', 'EMAIL', 'e3'),
      ];
      const before = Date.now();
      const result = await store.putMany(batch, formatter);
      expect(result.map((e) => [e.type, e.seq, e.token])).toEqual([
        ['EMAIL', 1, '<EMAIL#1>'],
        ['PHONE', 1, '<PHONE#1>'],
        ['EMAIL', 2, '<EMAIL#2>'],
        ['PERSON', 1, '<PERSON#1>'],
        ['EMAIL', 3, '<EMAIL#3>'],
      ]);
      expect(calls).toContainEqual(['EMAIL', 3]);
      result.forEach((stored, i) => {
        const sent = batch[i] as NewVaultEntry;
        expect(stored.tenant).toBe(t);
        expect(stored.scope).toBe('s');
        expect(stored.lookup).toBe(sent.lookup);
        expect(bytes(stored.ciphertext)).toEqual(bytes(sent.ciphertext));
        expect(stored.expiresAt).toBe(sent.expiresAt);
        expect(stored.createdAt).toBeGreaterThanOrEqual(before - 60_000);
        expect(stored.createdAt).toBeLessThanOrEqual(Date.now() + 60_000);
      });
    });

    test(CONTRACT_TESTS.sameLookup, async () => {
      const store = await fresh();
      const t = tenant();
      const expiresAt = Date.now() + 3_600_000;
      const [first] = await store.putMany([entry(t, 's', 'EMAIL', 'a', expiresAt)], formatToken);
      const again = entry(t, 's', 'EMAIL', 'a', null);
      const [second] = await store.putMany([again], formatToken);
      expect(second?.token).toBe('EMAIL_1');
      expect(second?.seq).toBe(1);
      expect(bytes(second?.ciphertext)).toEqual(bytes(first?.ciphertext));
      expect(bytes(second?.ciphertext)).not.toEqual(bytes(again.ciphertext));
      expect(second?.expiresAt).toBe(expiresAt);
      expect(second?.createdAt).toBe(first?.createdAt);
      expect(await store.listScope(t, 's')).toHaveLength(1);
    });

    test(CONTRACT_TESTS.duplicatesInBatch, async () => {
      const store = await fresh();
      const t = tenant();
      const result = await store.putMany(
        [
          entry(t, 's', 'EMAIL', 'a'),
          entry(t, 's', 'EMAIL', 'a'),
          entry(t, 's', 'EMAIL', 'b'),
          entry(t, 's', 'EMAIL', 'a'),
          entry(t, 's', 'EMAIL', 'b'),
        ],
        formatToken,
      );
      expect(result.map((e) => e.token)).toEqual(['EMAIL_1', 'EMAIL_1', 'EMAIL_2', 'EMAIL_1', 'EMAIL_2']);
      expect((await store.listScope(t, 's')).map((e) => e.seq)).toEqual([1, 2]);
    });

    test(CONTRACT_TESTS.numberingAcrossBatches, async () => {
      const store = await fresh();
      const t = tenant();
      await store.putMany([entry(t, 's', 'EMAIL', 'a'), entry(t, 's', 'PHONE', 'p')], formatToken);
      const result = await store.putMany(
        [entry(t, 's', 'EMAIL', 'b'), entry(t, 's', 'EMAIL', 'a'), entry(t, 's', 'PHONE', 'q')],
        formatToken,
      );
      expect(result.map((e) => e.token)).toEqual(['EMAIL_2', 'EMAIL_1', 'PHONE_2']);
    });

    test(CONTRACT_TESTS.presetToken, async () => {
      const store = await fresh();
      const t = tenant();
      const result = await store.putMany(
        [
          entry(t, 's', 'EMAIL', 'a'),
          { ...entry(t, 's', 'EMAIL', 'b'), token: 'VEIL_EMAIL_KAAAAA_B' },
          { ...entry(t, 's', 'EMAIL', 'a'), token: 'ignored: a already has an entry' },
        ],
        formatToken,
      );
      expect(result.map((e) => [e.token, e.seq])).toEqual([
        ['EMAIL_1', 1],
        ['VEIL_EMAIL_KAAAAA_B', 2],
        ['EMAIL_1', 1],
      ]);
      expect((await store.findByToken(t, 's', 'VEIL_EMAIL_KAAAAA_B'))?.lookup).toBe(lookup('b'));
      const [again] = await store.putMany([{ ...entry(t, 's', 'EMAIL', 'b'), token: 'other' }], formatToken);
      expect(again?.token).toBe('VEIL_EMAIL_KAAAAA_B');
    });

    test(CONTRACT_TESTS.scopesIsolated, async () => {
      const store = await fresh();
      const t = tenant();
      await store.putMany([entry(t, 's1', 'EMAIL', 'x'), entry(t, 's1', 'EMAIL', 'a')], formatToken);
      const [inS2] = await store.putMany([entry(t, 's2', 'EMAIL', 'a')], formatToken);
      expect(inS2?.token).toBe('EMAIL_1');
      expect(inS2?.scope).toBe('s2');
      expect(await store.findByLookup(t, 's2', lookup('x'))).toBeUndefined();
      expect((await store.findByToken(t, 's2', 'EMAIL_2'))).toBeUndefined();
      expect(await store.listScope(t, 's1')).toHaveLength(2);
      expect(await store.listScope(t, 's2')).toHaveLength(1);
      expect(await store.listScope(t, 's3')).toEqual([]);
    });

    test(CONTRACT_TESTS.tenantsIsolated, async () => {
      const store = await fresh();
      const [t1, t2] = [tenant(), tenant()];
      await store.putMany([entry(t1, 's', 'EMAIL', 'x'), entry(t1, 's', 'EMAIL', 'a')], formatToken);
      const [inT2] = await store.putMany([entry(t2, 's', 'EMAIL', 'a')], formatToken);
      expect(inT2?.token).toBe('EMAIL_1');
      expect(inT2?.tenant).toBe(t2);
      expect(await store.findByLookup(t2, 's', lookup('x'))).toBeUndefined();
      expect(await store.findByToken(t2, 's', 'EMAIL_2')).toBeUndefined();
      expect(await store.listScope(t2, 's')).toHaveLength(1);
      expect(await store.deleteScope(t2, 's')).toBe(1);
      expect(await store.listScope(t1, 's')).toHaveLength(2);
    });

    test(CONTRACT_TESTS.find, async () => {
      const store = await fresh();
      const t = tenant();
      const [a, b] = await store.putMany([entry(t, 's', 'EMAIL', 'a'), entry(t, 's', 'PHONE', 'b')], formatToken);
      expect(comparable(await store.findByLookup(t, 's', lookup('a')))).toEqual(comparable(a));
      expect(comparable(await store.findByToken(t, 's', 'PHONE_1'))).toEqual(comparable(b));
      expect(await store.findByLookup(t, 's', lookup('zzz'))).toBeUndefined();
      expect(await store.findByToken(t, 's', 'PHONE_2')).toBeUndefined();
      expect(await store.findByToken(t, 's', 'EMAIL_01')).toBeUndefined();
      expect(await store.findByLookup(tenant(), 's', lookup('a'))).toBeUndefined();
    });

    test(CONTRACT_TESTS.listScope, async () => {
      const store = await fresh();
      const t = tenant();
      await store.putMany(
        [
          entry(t, 's', 'PHONE', 'p1'),
          entry(t, 's', 'EMAIL', 'e1'),
          entry(t, 's', 'PHONE', 'p2'),
          entry(t, 's', 'EMAIL', 'e2'),
        ],
        formatToken,
      );
      await store.putMany([entry(t, 's', 'EMAIL', 'e3'), entry(t, 'other', 'EMAIL', 'e4')], formatToken);
      const listed = await store.listScope(t, 's');
      expect(listed.map((e) => e.token)).toEqual(['EMAIL_1', 'EMAIL_2', 'EMAIL_3', 'PHONE_1', 'PHONE_2']);
      expect(listed.every((e) => e.tenant === t && e.scope === 's')).toBe(true);
      expect(listed.map((e) => e.lookup)).toEqual(['e1', 'e2', 'e3', 'p1', 'p2'].map(lookup));
    });

    test(CONTRACT_TESTS.putManyAndList, async () => {
      const store = await fresh();
      const t = tenant();
      await store.putMany([entry(t, 's', 'PHONE', 'p1'), entry(t, 's', 'EMAIL', 'e1'), entry(t, 's', 'EMAIL', 'e2')], formatToken);
      await store.putMany([entry(t, 's', 'PERSON', 'gone', Date.now() - 1_000), entry(t, 'other', 'EMAIL', 'x')], formatToken);
      const known = entry(t, 's', 'EMAIL', 'e2');
      const { stored, others } = await store.putManyAndList(t, 's', [known, entry(t, 's', 'EMAIL', 'e3'), known], formatToken);
      // The batch as putMany answers it: the existing entry keeps its number, the new value is next.
      expect(stored.map((e) => e.token)).toEqual(['EMAIL_2', 'EMAIL_3', 'EMAIL_2']);
      expect(bytes(stored[0]?.ciphertext)).not.toEqual(bytes(known.ciphertext));
      // The rest of the live scope, by type then seq: nothing expired, nothing of another scope.
      expect(others.map((e) => e.token)).toEqual(['EMAIL_1', 'PHONE_1']);
      expect(others.map((e) => e.lookup)).toEqual([lookup('e1'), lookup('p1')]);
      const listed = await store.putManyAndList(t, 's', [], formatToken);
      expect(listed.stored).toEqual([]);
      expect(listed.others.map((e) => e.token)).toEqual(['EMAIL_1', 'EMAIL_2', 'EMAIL_3', 'PHONE_1']);
      expect((await store.putManyAndList(t, 'new', [], formatToken)).others).toEqual([]);
      const custom = await store.putManyAndList(t, 'custom', [entry(t, 'custom', 'EMAIL', 'c1')], (type, seq) => `<${type}#${seq}>`);
      expect(custom.stored.map((e) => e.token)).toEqual(['<EMAIL#1>']);
      await expect(store.putManyAndList(t, 's', [entry(t, 'other', 'EMAIL', 'y')], formatToken)).rejects.toThrow(/one scope/);
    });

    test(CONTRACT_TESTS.binary, async () => {
      const store = await fresh();
      const t = tenant();
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const sent: NewVaultEntry = { ...entry(t, 's', 'SECRET', 'k'), ciphertext: all };
      const [stored] = await store.putMany([sent], formatToken);
      expect(bytes(stored?.ciphertext)).toEqual(bytes(all));
      stored?.ciphertext.fill(7);
      all.fill(9);
      const found = await store.findByToken(t, 's', 'SECRET_1');
      expect(bytes(found?.ciphertext)).toEqual(Array.from({ length: 256 }, (_, i) => i));
      expect(found?.ciphertext).toBeInstanceOf(Uint8Array);
    });

    test(CONTRACT_TESTS.names, async () => {
      const store = await fresh();
      const base = tenant();
      const names = ['', "o'brien \"q\"", 'ünïcødé/🔐', 'a\\b', 'x%_y', ' '];
      for (const [i, scope] of names.entries()) {
        const t = `${base}${names[i] ?? ''}`;
        const [stored] = await store.putMany([entry(t, scope, 'EMAIL', `v${i}`)], formatToken);
        expect(stored?.tenant).toBe(t);
        expect(stored?.scope).toBe(scope);
        expect((await store.listScope(t, scope)).map((e) => e.lookup)).toEqual([lookup(`v${i}`)]);
        expect(await store.findByToken(t, scope, 'EMAIL_1')).toBeDefined();
      }
      // `%` and `_` are LIKE wildcards: a store must compare names exactly.
      expect(await store.listScope(`${base}x%_y`, 'x__y')).toEqual([]);
      expect(await store.listScope(`${base}x%_y`, 'x%_y')).toHaveLength(1);
    });

    test(CONTRACT_TESTS.ttlHidden, async () => {
      const store = await fresh();
      const t = tenant();
      const past = Date.now() - 1000;
      await store.putMany(
        [entry(t, 's', 'EMAIL', 'old', past), entry(t, 's', 'EMAIL', 'new', Date.now() + 3_600_000)],
        formatToken,
      );
      expect(await store.findByLookup(t, 's', lookup('old'))).toBeUndefined();
      expect(await store.findByToken(t, 's', 'EMAIL_1')).toBeUndefined();
      expect((await store.listScope(t, 's')).map((e) => e.token)).toEqual(['EMAIL_2']);
      expect(await store.findByToken(t, 's', 'EMAIL_2')).toBeDefined();
    });

    test(CONTRACT_TESTS.ttlPurge, async () => {
      const store = await fresh();
      const t = tenant();
      const now = Date.now();
      // Far in the past and exactly at `cutoff`, so a purge by a concurrent test run on a shared
      // database (with a later `now`) can only remove them too, never add to this count.
      const cutoff = now - 10_000_000_000;
      await store.putMany(
        [
          entry(t, 's', 'EMAIL', 'a', cutoff - 1),
          entry(t, 's', 'EMAIL', 'b', cutoff),
          entry(t, 's', 'EMAIL', 'c', cutoff + 1),
          entry(t, 'other', 'EMAIL', 'd', cutoff - 5),
          entry(t, 's', 'EMAIL', 'e', null),
        ],
        formatToken,
      );
      const purged = await store.purgeExpired(cutoff);
      expect(purged).toBeGreaterThanOrEqual(3);
      expect(await store.findByLookup(t, 's', lookup('e'))).toBeDefined();
      const second = await store.purgeExpired(now);
      expect(second).toBeGreaterThanOrEqual(1);
      expect((await store.listScope(t, 's')).map((e) => e.lookup)).toEqual([lookup('e')]);
      // After the purge, the purged values are new values again.
      const [again] = await store.putMany([entry(t, 'other', 'EMAIL', 'd', null)], formatToken);
      expect(again?.seq).toBe(1);
    });

    test(CONTRACT_TESTS.expiredRestarts, async () => {
      const store = await fresh();
      const t = tenant();
      await store.putMany(
        [entry(t, 's', 'EMAIL', 'keep', null), entry(t, 's', 'EMAIL', 'gone', Date.now() - 1000)],
        formatToken,
      );
      const renewed = entry(t, 's', 'EMAIL', 'gone', null);
      const [stored] = await store.putMany([renewed], formatToken);
      expect(bytes(stored?.ciphertext)).toEqual(bytes(renewed.ciphertext));
      expect(stored?.expiresAt).toBeNull();
      expect(stored?.seq).not.toBe(1);
      expect(comparable(await store.findByLookup(t, 's', lookup('gone')))).toEqual(comparable(stored));
      const listed = await store.listScope(t, 's');
      expect(listed).toHaveLength(2);
      expect(new Set(listed.map((e) => e.token)).size).toBe(2);
    });

    test(CONTRACT_TESTS.deleteScope, async () => {
      const store = await fresh();
      const t = tenant();
      await store.putMany(
        [entry(t, 's', 'EMAIL', 'a'), entry(t, 's', 'PHONE', 'b'), entry(t, 'keep', 'EMAIL', 'a')],
        formatToken,
      );
      expect(await store.deleteScope(t, 's')).toBe(2);
      expect(await store.deleteScope(t, 's')).toBe(0);
      expect(await store.listScope(t, 's')).toEqual([]);
      expect(await store.findByLookup(t, 's', lookup('a'))).toBeUndefined();
      expect(await store.findByToken(t, 's', 'PHONE_1')).toBeUndefined();
      expect(await store.listScope(t, 'keep')).toHaveLength(1);
      const [restart] = await store.putMany([entry(t, 's', 'EMAIL', 'z')], formatToken);
      expect(restart?.token).toBe('EMAIL_1');
    });

    test(CONTRACT_TESTS.concurrent, async () => {
      const store = await fresh();
      const t = tenant();
      const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
      // Overlapping batches in different orders; the first holds every value.
      const batches = Array.from({ length: 6 }, (_, b) =>
        [...values.slice(b * 3), ...values.slice(0, b * 3)].filter((_, i) => b === 0 || i % 2 === b % 2),
      );
      const results = await Promise.all(
        batches.map((batch) => store.putMany(batch.map((v) => entry(t, 's', 'EMAIL', v)), formatToken)),
      );
      const tokenOf = new Map<string, string>();
      for (const entries of results) {
        for (const stored of entries) {
          const previous = tokenOf.get(stored.lookup);
          if (previous !== undefined) expect(stored.token).toBe(previous);
          tokenOf.set(stored.lookup, stored.token);
        }
      }
      const listed = await store.listScope(t, 's');
      expect(listed).toHaveLength(values.length);
      expect(listed.map((e) => e.seq)).toEqual(values.map((_, i) => i + 1));
    });

    test(CONTRACT_TESTS.dataKeys, async () => {
      const store = await fresh();
      const t = tenant();
      expect(await store.getDataKey(t)).toBeUndefined();
      const first = wrappedKey('kek-1');
      const second = wrappedKey('kek-2');
      expect(comparableKey(await store.putDataKeyIfAbsent(t, first))).toEqual(comparableKey(first));
      expect(comparableKey(await store.putDataKeyIfAbsent(t, second))).toEqual(comparableKey(first));
      expect(comparableKey(await store.getDataKey(t))).toEqual(comparableKey(first));
      const raced = await Promise.all([wrappedKey('a'), wrappedKey('b'), wrappedKey('c')].map((k) => store.putDataKeyIfAbsent(`${t}-race`, k)));
      expect(new Set(raced.map((k) => k.keyId)).size).toBe(1);
      expect(await store.deleteDataKey(t)).toBe(true);
      expect(await store.deleteDataKey(t)).toBe(false);
      expect(await store.getDataKey(t)).toBeUndefined();
      expect(comparableKey(await store.putDataKeyIfAbsent(t, second))).toEqual(comparableKey(second));
    });

    test(CONTRACT_TESTS.dataKeysIsolated, async () => {
      const store = await fresh();
      const [t1, t2] = [tenant(), tenant()];
      await store.putDataKeyIfAbsent(t1, wrappedKey('one'));
      expect(await store.getDataKey(t2)).toBeUndefined();
      expect((await store.putDataKeyIfAbsent(t2, wrappedKey('two'))).keyId).toBe('two');
      expect(await store.deleteDataKey(t2)).toBe(true);
      expect((await store.getDataKey(t1))?.keyId).toBe('one');
    });

    test(CONTRACT_TESTS.deleteTenant, async () => {
      const store = await fresh();
      const [t, other] = [tenant(), tenant()];
      await store.putMany(
        [entry(t, '', 'EMAIL', 'a'), entry(t, 's1', 'EMAIL', 'a'), entry(t, 's2', 'PHONE', 'b'), entry(other, 's1', 'EMAIL', 'a')],
        formatToken,
      );
      await store.putDataKeyIfAbsent(t, wrappedKey('k'));
      expect(await store.deleteTenant(t)).toBe(3);
      expect(await store.deleteTenant(t)).toBe(0);
      for (const scope of ['', 's1', 's2']) expect(await store.listScope(t, scope)).toEqual([]);
      expect(await store.listScope(other, 's1')).toHaveLength(1);
      expect((await store.getDataKey(t))?.keyId).toBe('k');
      // A tenant whose name extends another's is a different tenant.
      await store.putMany([entry(`${other}x`, 's1', 'EMAIL', 'a')], formatToken);
      expect(await store.deleteTenant(other)).toBe(1);
      expect(await store.listScope(`${other}x`, 's1')).toHaveLength(1);
    });

    test(CONTRACT_TESTS.listTenants, async () => {
      const store = await fresh();
      const base = tenant();
      const names = [`${base}-b`, `${base}-a`, `${base}-\u00e9`, `${base}-Z`];
      await store.putMany([entry(names[0] ?? '', 's', 'EMAIL', 'a'), entry(names[1] ?? '', 'x', 'EMAIL', 'a')], formatToken);
      await store.putMany([entry(names[0] ?? '', 's2', 'EMAIL', 'a')], formatToken);
      await store.putDataKeyIfAbsent(names[2] ?? '', wrappedKey('k'));
      await store.putDataKeyIfAbsent(names[3] ?? '', wrappedKey('k'));
      await store.putMany([entry(names[3] ?? '', 's', 'EMAIL', 'a')], formatToken);
      const listed = (await store.listTenants()).filter((name) => name.startsWith(base));
      expect(listed).toEqual([`${base}-Z`, `${base}-a`, `${base}-b`, `${base}-\u00e9`]);
    });

    test(CONTRACT_TESTS.listDataKeys, async () => {
      const store = await fresh();
      const base = tenant();
      const keys = new Map(['c', 'a', 'e', 'b', 'd'].map((suffix) => [`${base}-${suffix}`, wrappedKey(`kek-${suffix}`)]));
      for (const [name, key] of keys) await store.putDataKeyIfAbsent(name, key);
      const seen: string[] = [];
      let after: string | undefined = base;
      for (;;) {
        const page = await store.listDataKeys(after, 2);
        const ours = page.filter((item) => item.tenant.startsWith(base));
        for (const item of ours) {
          seen.push(item.tenant);
          expect(comparableKey(item.key)).toEqual(comparableKey(keys.get(item.tenant)));
        }
        if (ours.length < 2) break;
        after = ours[ours.length - 1]?.tenant;
      }
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map((suffix) => `${base}-${suffix}`));
      expect(await store.listDataKeys(`${base}-e`, 0)).toEqual([]);
      const fromStart = await store.listDataKeys(undefined, 1);
      expect(fromStart.length).toBeLessThanOrEqual(1);
    });

    test(CONTRACT_TESTS.replaceDataKey, async () => {
      const store = await fresh();
      const t = tenant();
      const first = wrappedKey('v1');
      const second = wrappedKey('v2');
      expect(await store.replaceDataKey(t, first, second)).toBe(false);
      expect(await store.getDataKey(t)).toBeUndefined();
      await store.putDataKeyIfAbsent(t, first);
      // Same key id, other bytes: not the expected key.
      expect(await store.replaceDataKey(t, { keyId: 'v1', wrapped: new Uint8Array(60) }, second)).toBe(false);
      expect(await store.replaceDataKey(t, first, second)).toBe(true);
      expect(comparableKey(await store.getDataKey(t))).toEqual(comparableKey(second));
      expect(await store.replaceDataKey(t, first, wrappedKey('v3'))).toBe(false);
      const racers = await Promise.all([wrappedKey('r1'), wrappedKey('r2'), wrappedKey('r3')].map((k) => store.replaceDataKey(t, second, k)));
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    test(
      CONTRACT_TESTS.closeReopen,
      async () => {
        const store = await fresh();
        const t = tenant();
        const key = wrappedKey('kek');
        const written = await store.putMany(
          [entry(t, 's', 'EMAIL', 'a'), entry(t, 's', 'PHONE', 'b', Date.now() + 3_600_000)],
          formatToken,
        );
        await store.putDataKeyIfAbsent(t, key);
        await store.close();
        const reopened = await sibling(store);
        expect((await reopened.listScope(t, 's')).map(comparable)).toEqual(written.map(comparable));
        expect(comparableKey(await reopened.getDataKey(t))).toEqual(comparableKey(key));
        const [next] = await reopened.putMany([entry(t, 's', 'EMAIL', 'c')], formatToken);
        expect(next?.token).toBe('EMAIL_2');
      },
      options.openSibling !== undefined,
    );

    test(
      CONTRACT_TESTS.siblings,
      async () => {
        const one = await fresh();
        const two = await sibling(one);
        const t = tenant();
        const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
        const [fromOne, fromTwo] = await Promise.all([
          one.putMany(values.map((v) => entry(t, 's', 'EMAIL', v)), formatToken),
          two.putMany([...values].reverse().map((v) => entry(t, 's', 'EMAIL', v)), formatToken),
        ]);
        const byLookupOne = new Map(fromOne.map((e) => [e.lookup, e.token]));
        for (const stored of fromTwo ?? []) expect(stored.token).toBe(byLookupOne.get(stored.lookup));
        expect((await two.listScope(t, 's')).map((e) => e.seq)).toEqual(values.map((_, i) => i + 1));
        await one.putDataKeyIfAbsent(t, wrappedKey('first'));
        expect((await two.putDataKeyIfAbsent(t, wrappedKey('second'))).keyId).toBe('first');
      },
      options.openSibling !== undefined,
    );
  });
}

function tenant(): string {
  return `t-${randomUUID()}`;
}

/** Stand-in for the HMAC lookup; the store treats it as an opaque string. */
function lookup(value: string): string {
  return `lk:${value}`;
}

function entry(tenantName: string, scope: string, type: string, value: string, expiresAt: number | null = null): NewVaultEntry {
  return { tenant: tenantName, scope, type, lookup: lookup(value), ciphertext: randomBytes(40), expiresAt };
}

function wrappedKey(keyId: string): WrappedKey {
  return { keyId, wrapped: new Uint8Array(randomBytes(60)) };
}

function bytes(data: Uint8Array | undefined): number[] | undefined {
  return data === undefined ? undefined : Array.from(data);
}

function comparable(entryValue: VaultEntry | undefined): unknown {
  return entryValue === undefined ? undefined : { ...entryValue, ciphertext: bytes(entryValue.ciphertext) };
}

function comparableKey(key: WrappedKey | undefined): unknown {
  return key === undefined ? undefined : { keyId: key.keyId, wrapped: bytes(key.wrapped) };
}
