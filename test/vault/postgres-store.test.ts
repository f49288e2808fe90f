import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runVaultStoreContract } from '../conformance/vault-store.contract.js';
import { PostgresVaultStore, tokenTemplate } from '../../src/vault/stores/postgres.js';
import { tokenKey } from '../../src/vault/tokens/placeholder.js';
import type { NewVaultEntry } from '../../src/vault/vault-store.js';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

afterAll(dropSchemas);

if (pgProbe.url === undefined) {
  describe.skip(`VaultStore contract: postgres (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;
  // One schema for the whole contract run, like a production database shared by replicas: the
  // suite uses random tenants, so tests never see each other's rows.
  const sharedSchema = newSchema('contract');
  runVaultStoreContract({
    name: 'postgres',
    create: async () => new PostgresVaultStore({ connectionString: url, schema: sharedSchema }),
    openSibling: async (store) =>
      new PostgresVaultStore({ connectionString: url, schema: (store as PostgresVaultStore).schema }),
  });

  describe('PostgresVaultStore specifics', () => {
    it('creates its schema with a version; init is idempotent across instances', async () => {
      const schema = newSchema('migrate');
      for (let i = 0; i < 3; i += 1) {
        const store = new PostgresVaultStore({ connectionString: url, schema });
        await store.init();
        expect(await store.schemaVersion()).toBe(5);
        await store.close();
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const tables = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      await client.end();
      expect(tables.rows.map((row) => row.table_name)).toEqual(['data_keys', 'entries', 'schema_version']);
    });

    it('eight replicas starting at once on a fresh schema migrate it exactly once', async () => {
      const schema = newSchema('race');
      const stores = Array.from({ length: 8 }, () => new PostgresVaultStore({ connectionString: url, schema }));
      await Promise.all(stores.map((store) => store.init()));
      for (const store of stores) expect(await store.schemaVersion()).toBe(5);
      await Promise.all(stores.map((store) => store.close()));
    });

    it('refuses a schema from a newer Veil', async () => {
      const schema = newSchema('newer');
      const store = new PostgresVaultStore({ connectionString: url, schema });
      await store.init();
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`UPDATE "${schema}".schema_version SET version = 99`);
      await client.end();
      const newer = new PostgresVaultStore({ connectionString: url, schema });
      await expect(newer.init()).rejects.toMatchObject({ code: VeilErrorCode.Vault });
      await newer.close();
    });

    it('migrates a version-1 schema to version 5 in place, keeping its rows and giving its keys generations', async () => {
      const schema = newSchema('upgrade');
      const store = new PostgresVaultStore({ connectionString: url, schema });
      await store.init();
      const entry: NewVaultEntry = { tenant: 't', scope: 's', type: 'EMAIL', lookup: 'l1', ciphertext: new Uint8Array([1, 2, 3]), expiresAt: null };
      await store.putMany([entry], tokenKey);
      await store.putDataKeyIfAbsent('t', { keyId: 'k', wrapped: new Uint8Array([1]) });
      await store.putDataKeyIfAbsent('u', { keyId: 'k', wrapped: new Uint8Array([2]) });
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP FUNCTION "${schema}".put_many_and_list_read_first`);
      await client.query(`DROP FUNCTION "${schema}".put_many_and_list_keyed`);
      await client.query(`ALTER TABLE "${schema}".data_keys DROP COLUMN generation`);
      await client.query(`DROP SEQUENCE "${schema}".data_key_generation`);
      await client.query(`DROP FUNCTION "${schema}".put_many_and_list`);
      await client.query(`DROP FUNCTION "${schema}".put_many`);
      await client.query(`UPDATE "${schema}".schema_version SET version = 1`);
      await client.end();
      const upgraded = new PostgresVaultStore({ connectionString: url, schema });
      await upgraded.init();
      expect(await upgraded.schemaVersion()).toBe(5);
      const [again, next] = await upgraded.putMany([entry, { ...entry, lookup: 'l2' }], tokenKey);
      expect([again?.token, next?.token]).toEqual(['EMAIL_1', 'EMAIL_2']);
      const generations = [(await upgraded.getDataKey('t'))?.generation, (await upgraded.getDataKey('u'))?.generation];
      expect(generations.every((generation) => typeof generation === 'string' && generation !== '')).toBe(true);
      expect(new Set(generations).size).toBe(2);
      const checked = await upgraded.putManyAndList('t', 's', [], tokenKey, generations[0]);
      expect(checked).toMatchObject({ keyGeneration: generations[0] });
      expect(checked.others).toHaveLength(2);
      await upgraded.close();
    });

    it('putManyAndList answers values that all have live entries without the scope lock, and writes under it otherwise', async () => {
      const schema = newSchema('readfirst');
      let clock = 1_000;
      const store = new PostgresVaultStore({ connectionString: url, schema, now: () => clock });
      await store.init();
      const entry = (lookup: string, type = 'EMAIL', expiresAt: number | null = null): NewVaultEntry => ({
        tenant: 't',
        scope: 's',
        type,
        lookup,
        ciphertext: new Uint8Array([lookup.charCodeAt(0)]),
        expiresAt,
      });
      const first = await store.putManyAndList('t', 's', [entry('a'), entry('b'), entry('p', 'PHONE', 5_000)], tokenKey);
      expect(first.stored.map((e) => e.token)).toEqual(['EMAIL_1', 'EMAIL_2', 'PHONE_1']);
      // Another process holds the scope's write lock (as a writer of that scope would).
      const lockKey = createHash('sha256').update(`veil/vault-scope/v1\u0000${schema}\u00001:t\u0000s`).digest().readBigInt64BE(0).toString();
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]);
        // Every value known (duplicates and order kept): answered at once, nothing written.
        const known = await store.putManyAndList('t', 's', [entry('b'), entry('a'), entry('b')], tokenKey);
        expect(known.stored.map((e) => [e.lookup, e.token])).toEqual([['b', 'EMAIL_2'], ['a', 'EMAIL_1'], ['b', 'EMAIL_2']]);
        expect(known.others.map((e) => e.token)).toEqual(['PHONE_1']);
        // A new value must wait for the lock: it is numbered under it.
        let settled = false;
        const writing = store.putManyAndList('t', 's', [entry('a'), entry('c')], tokenKey).finally(() => {
          settled = true;
        });
        await new Promise((done) => setTimeout(done, 200));
        expect(settled).toBe(false);
        await holder.query('COMMIT');
        expect((await writing).stored.map((e) => e.token)).toEqual(['EMAIL_1', 'EMAIL_3']);
      } finally {
        await holder.end();
      }
      // An expired entry is not "known": the value is stored again (a new entry, created now).
      clock = 6_000;
      const renewed = await store.putManyAndList('t', 's', [entry('a'), entry('p', 'PHONE')], tokenKey);
      expect(renewed.stored.map((e) => [e.token, e.createdAt, e.expiresAt])).toEqual([['EMAIL_1', 1_000, null], ['PHONE_1', 6_000, null]]);
      await store.close();
    });

    it('tokenTemplate recognises fixed-text formatters; others run client-side with the same results', async () => {
      expect(tokenTemplate(tokenKey)).toEqual(['', '_', '']);
      expect(tokenTemplate((type, seq) => `[${type}-${seq}]`)).toEqual(['[', '-', ']']);
      expect(tokenTemplate((type, seq) => `${type.toLowerCase()}_${seq}`)).toBeUndefined();
      expect(tokenTemplate((type, seq) => `${type}_${String(seq).padStart(12, '0')}`)).toBeUndefined();
      const store = new PostgresVaultStore({ connectionString: url, schema: newSchema('client') });
      await store.init();
      const padded = (type: string, seq: number): string => `${type.toLowerCase()}#${String(seq).padStart(3, '0')}`;
      const entry = (lookup: string, type = 'EMAIL'): NewVaultEntry => ({
        tenant: 't',
        scope: 's',
        type,
        lookup,
        ciphertext: new Uint8Array([7]),
        expiresAt: null,
      });
      const batches = [
        ['a', 'b', 'c'],
        ['c', 'd', 'a'],
        ['e', 'b', 'f'],
      ];
      const results = await Promise.all(batches.map((batch) => store.putMany(batch.map((l) => entry(l)), padded)));
      const byLookup = new Map<string, string>();
      for (const stored of results.flat()) {
        expect(byLookup.get(stored.lookup) ?? stored.token).toBe(stored.token);
        byLookup.set(stored.lookup, stored.token);
      }
      expect([...byLookup.values()].sort()).toEqual(['email#001', 'email#002', 'email#003', 'email#004', 'email#005', 'email#006']);
      const [phone] = await store.putMany([entry('p', 'PHONE')], padded);
      expect(phone?.token).toBe('phone#001');
      await store.close();
    });

    it('rejects unsafe schema names and a missing connection', () => {
      expect(() => new PostgresVaultStore({ connectionString: url, schema: 'x"; DROP' })).toThrow(VeilError);
      expect(() => new PostgresVaultStore({})).toThrow(VeilError);
    });

    it('gives a Vault error before init, after close, and when the server is unreachable', async () => {
      const store = new PostgresVaultStore({ connectionString: url, schema: newSchema('closed') });
      await expect(store.listScope('t', 's')).rejects.toMatchObject({ code: VeilErrorCode.Vault });
      await store.init();
      await store.close();
      await expect(store.getDataKey('t')).rejects.toMatchObject({ code: VeilErrorCode.Vault });
      const down = new PostgresVaultStore({ connectionString: 'postgres://nobody@127.0.0.1:1/none', schema: 'x' });
      const failure = await down.init().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(VeilError);
      expect((failure as VeilError).code).toBe(VeilErrorCode.Vault);
      await down.close();
    });
  });
}
