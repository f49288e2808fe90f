import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runAuditSinkContract } from '../conformance/audit-sink.contract.js';
import { PostgresAuditSink } from '../../src/audit/sinks/postgres.js';
import { prepareEvent } from '../../src/audit/event.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { probePostgres } from './pg-harness.js';

const probe = await probePostgres();
if (probe.url === undefined) {
  // Printed, never silent: CI logs must show why the PostgreSQL sink was not exercised.
  console.warn(`[veil] SKIPPING PostgreSQL audit sink tests: ${probe.reason}`);
}
const url = probe.url ?? '';
const schemas: string[] = [];
const runId = randomBytes(4).toString('hex');

const newSchema = (): string => {
  const schema = `veil_audit_test_${runId}_${schemas.length + 1}`;
  schemas.push(schema);
  return schema;
};

async function opened(schema: string): Promise<PostgresAuditSink> {
  const sink = new PostgresAuditSink({ connectionString: url, schema });
  await sink.open();
  return sink;
}

afterAll(async () => {
  if (probe.url === undefined || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/** Rewrites the event rows as an attacker with table access could: same order, new contents. */
async function rewrite(schema: string, edit: (lines: string[]) => string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ body: string }>(`SELECT body FROM "${schema}".events ORDER BY seq`);
    const edited = edit(rows.rows.map((row) => row.body));
    await client.query('BEGIN');
    await client.query(`DELETE FROM "${schema}".events`);
    for (const [i, body] of edited.entries()) {
      const parsed = JSON.parse(body) as { time: string; tenant: string; kind: string; hash: string };
      await client.query(`INSERT INTO "${schema}".events (seq, id, time, tenant, kind, hash, body) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        i + 1,
        randomUUID(),
        parsed.time,
        parsed.tenant,
        parsed.kind,
        parsed.hash,
        body,
      ]);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

if (probe.url === undefined) {
  describe.skip(`AuditSink contract: postgres (skipped: ${probe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  runAuditSinkContract({
    name: 'postgres',
    create: async () => opened(newSchema()),
    reopen: async (sink) => opened((sink as PostgresAuditSink).schema),
    openSibling: async (sink) => opened((sink as PostgresAuditSink).schema),
    rewriteEvents: async (sink, edit) => rewrite((sink as PostgresAuditSink).schema, edit),
  });

  describe('PostgresAuditSink specifics', () => {
    it('one serialised chain across many replicas appending at once', async () => {
      const schema = newSchema();
      const replicas = await Promise.all(Array.from({ length: 4 }, () => opened(schema)));
      await Promise.all(
        replicas.flatMap((replica, r) =>
          Array.from({ length: 10 }, (_, i) =>
            replica.append(Array.from({ length: 5 }, () => prepareEvent({ kind: 'request', tenant: `t${r}`, request_id: `r${r}-${i}` }))),
          ),
        ),
      );
      const result = await verifyAudit({ sink: replicas[0] as PostgresAuditSink });
      expect(result).toMatchObject({ ok: true, event_count: 200 });
      for (const replica of replicas) await replica.close();
    });

    it('rejects schema names that are not plain identifiers', () => {
      expect(() => new PostgresAuditSink({ connectionString: url, schema: 'x"; drop' })).toThrow(/schema name/);
    });
  });
}
