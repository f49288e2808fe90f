/**
 * PostgreSQL for the vault tests: finds the server (see `test/audit/pg-harness.ts`: 
 * `VEIL_TEST_PG_URL`, else 127.0.0.1:5432 database `test` as `postgres` or `root`), hands out
 * fresh random schemas and drops them after the run, so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { probePostgres } from '../audit/pg-harness.js';

export const pgProbe = await probePostgres();

if (pgProbe.url === undefined) {
  // Printed, never silent: CI logs must show why the PostgreSQL vault was not exercised.
  console.warn(`[veil] SKIPPING PostgreSQL vault tests: ${pgProbe.reason}`);
}

const runId = randomBytes(4).toString('hex');
const created: string[] = [];

/** A schema name no other run uses; dropped by `dropSchemas`. */
export function newSchema(label: string): string {
  const schema = `veil_vault_test_${runId}_${label}_${created.length + 1}`;
  created.push(schema);
  return schema;
}

export async function dropSchemas(): Promise<void> {
  if (pgProbe.url === undefined || created.length === 0) return;
  const client = new pg.Client({ connectionString: pgProbe.url });
  await client.connect();
  try {
    for (const schema of created.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A pool whose connections record each query's statement kind (`put_many_and_list`,
 * `put_many`, or its first three words; never a value), so a test can count round trips.
 */
export function countingPool(url: string): { pool: pg.Pool; queries: string[] } {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const queries: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
      queries.push(/put_many_and_list/.test(text) ? 'put_many_and_list' : /put_many/.test(text) ? 'put_many' : text.trim().split(/\s+/).slice(0, 3).join(' '));
      return query(...args);
    };
  });
  return { pool, queries };
}
