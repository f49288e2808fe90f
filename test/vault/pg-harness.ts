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
