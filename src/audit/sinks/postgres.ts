/**
 * The PostgreSQL audit sink, for many replicas sharing one audit log.
 *
 * Choice: ONE serialised chain for all replicas. Every append runs in a transaction that first
 * takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`, one key per schema), reads
 * the head, chains the batch after it and inserts it. Writers therefore queue for the lock for
 * the length of one small insert, and the database holds a single chain with one order that an
 * auditor verifies in one pass, instead of one chain per replica that must be merged and whose
 * replicas must each be accounted for. Nothing is lost or duplicated: `seq` and `id` are unique,
 * and a batch retried after an error of unknown outcome skips the ids already stored.
 *
 * Tables (in `schema`, default `veil_audit`): `events(seq, id, time, tenant, kind, hash, body)`
 * and `checkpoints(seq, to_seq, body)`. `body` is the canonical JSON exactly as hashed; the
 * other columns are copies for indexes and are never trusted by verification.
 * @module
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { AuditSink, ChainHead, ReadRange, StoredRecord } from '../audit-sink.js';
import type { Checkpoint, CheckpointBuilder } from '../checkpoint.js';
import { canonicalJson, EMPTY_HEAD, sealEventLine, type AuditEvent, type PendingAuditEvent } from '../event.js';

export interface PostgresAuditSinkOptions {
  /** `postgres://...`; or pass `pool`. */
  readonly connectionString?: string;
  /** A pool owned by the caller (not closed by `close()`). */
  readonly pool?: pg.Pool;
  readonly schema?: string;
  /** Rows per read when streaming events (default 2000). */
  readonly pageSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresAuditSink implements AuditSink {
  readonly name: string;
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #lockKey: string;
  readonly #pageSize: number;
  #opened: Promise<void> | undefined;
  #closed = false;

  constructor(options: PostgresAuditSinkOptions) {
    const schema = options.schema ?? 'veil_audit';
    if (!SCHEMA_NAME.test(schema)) {
      throw new VeilError(VeilErrorCode.Config, `audit schema name '${schema}' must be lower-case letters, digits and _`);
    }
    this.schema = schema;
    this.name = `postgres:${schema}`;
    if (options.pool !== undefined) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else if (options.connectionString !== undefined) {
      this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
      this.#ownsPool = true;
    } else {
      throw new VeilError(VeilErrorCode.Config, 'PostgresAuditSink needs a connectionString or a pool');
    }
    // An idle pooled client can fail (server restart); without a listener that would crash the process.
    this.#pool.on('error', () => undefined);
    this.#lockKey = createHash('sha256').update(`veil/audit/${schema}`).digest().readBigInt64BE(0).toString();
    this.#pageSize = options.pageSize ?? 2000;
  }

  open(): Promise<void> {
    this.#opened ??= this.#migrate().catch((error: unknown) => {
      this.#opened = undefined;
      throw error;
    });
    return this.#opened;
  }

  async head(): Promise<ChainHead> {
    await this.open();
    const result = await this.#pool.query<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${this.#table('events')} ORDER BY seq DESC LIMIT 1`,
    );
    const row = result.rows[0];
    return row === undefined ? EMPTY_HEAD : { seq: Number(row.seq), hash: row.hash };
  }

  async append(events: readonly PendingAuditEvent[]): Promise<readonly AuditEvent[]> {
    if (events.length === 0) return [];
    await this.open();
    return this.#transaction(async (client) => {
      const existing = await client.query<{ id: string }>(`SELECT id::text AS id FROM ${this.#table('events')} WHERE id = ANY($1::uuid[])`, [
        events.map((event) => event.id),
      ]);
      const stored = new Set(existing.rows.map((row) => row.id));
      const fresh = events.filter((event) => !stored.has(event.id));
      if (fresh.length === 0) return [];
      const headRow = await client.query<{ seq: string; hash: string }>(
        `SELECT seq, hash FROM ${this.#table('events')} ORDER BY seq DESC LIMIT 1`,
      );
      const top = headRow.rows[0];
      let head: ChainHead = top === undefined ? EMPTY_HEAD : { seq: Number(top.seq), hash: top.hash };
      const sealed: AuditEvent[] = [];
      const bodies: string[] = [];
      for (const pending of fresh) {
        const { event, canonical } = sealEventLine(pending, head);
        sealed.push(event);
        bodies.push(canonical);
        head = { seq: event.seq, hash: event.hash };
      }
      await client.query(
        `INSERT INTO ${this.#table('events')} (seq, id, time, tenant, kind, hash, body)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          sealed.map((event) => event.seq),
          sealed.map((event) => event.id),
          sealed.map((event) => event.time),
          sealed.map((event) => event.tenant),
          sealed.map((event) => event.kind),
          sealed.map((event) => event.hash),
          bodies,
        ],
      );
      return sealed;
    });
  }

  async checkpoint(build: CheckpointBuilder): Promise<Checkpoint | undefined> {
    await this.open();
    return this.#transaction(async (client) => {
      const last = await client.query<{ body: string }>(`SELECT body FROM ${this.#table('checkpoints')} ORDER BY seq DESC LIMIT 1`);
      const previousRow = last.rows[0];
      const previous = previousRow === undefined ? null : (JSON.parse(previousRow.body) as Checkpoint);
      const after = previous?.to_seq ?? 0;
      const rows = await client.query<{ hash: string }>(`SELECT hash FROM ${this.#table('events')} WHERE seq > $1 ORDER BY seq`, [after]);
      if (rows.rows.length === 0) return undefined;
      const checkpoint = build({
        previous: previous === null ? null : { seq: previous.seq, to_seq: previous.to_seq, hash: previous.hash },
        hashes: rows.rows.map((row) => row.hash),
        fromSeq: after + 1,
      });
      await client.query(`INSERT INTO ${this.#table('checkpoints')} (seq, to_seq, body) VALUES ($1, $2, $3)`, [
        checkpoint.seq,
        checkpoint.to_seq,
        canonicalJson(checkpoint),
      ]);
      return checkpoint;
    });
  }

  async *readEvents(range: ReadRange = {}): AsyncIterable<StoredRecord> {
    await this.open();
    // Keyset pages rather than a cursor: no transaction is held open while a caller iterates.
    let after = Math.max(0, (range.fromSeq ?? 1) - 1);
    for (;;) {
      const page = await this.#pool.query<{ seq: string; body: string }>(
        `SELECT seq, body FROM ${this.#table('events')} WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [after, this.#pageSize],
      );
      for (const row of page.rows) yield { location: `events row seq=${row.seq}`, text: row.body };
      const last = page.rows[page.rows.length - 1];
      if (last === undefined || page.rows.length < this.#pageSize) return;
      after = Number(last.seq);
    }
  }

  async *readCheckpoints(): AsyncIterable<StoredRecord> {
    await this.open();
    const rows = await this.#pool.query<{ seq: string; body: string }>(`SELECT seq, body FROM ${this.#table('checkpoints')} ORDER BY seq`);
    for (const row of rows.rows) yield { location: `checkpoints row seq=${row.seq}`, text: row.body };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  #table(name: 'events' | 'checkpoints'): string {
    return `"${this.schema}"."${name}"`;
  }

  async #transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.#lockKey]);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #migrate(): Promise<void> {
    // Under the same advisory lock, so replicas starting together do not race on CREATE.
    await this.#transaction(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.#table('events')} (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        time timestamptz NOT NULL,
        tenant text NOT NULL,
        kind text NOT NULL,
        hash text NOT NULL,
        body text NOT NULL
      )`);
      await client.query(`CREATE INDEX IF NOT EXISTS events_time ON ${this.#table('events')} (time)`);
      await client.query(`CREATE INDEX IF NOT EXISTS events_tenant_time ON ${this.#table('events')} (tenant, time)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.#table('checkpoints')} (
        seq bigint PRIMARY KEY,
        to_seq bigint NOT NULL,
        body text NOT NULL
      )`);
    });
  }
}
