/**
 * Which sink a process uses: PostgreSQL when `VEIL_AUDIT_PG_URL` (or the option) is set, the
 * JSONL files in the data dir otherwise. The gateway and the CLI both come through here so they
 * always look at the same log.
 * @module
 */
import type { AuditSink } from './audit-sink.js';
import { JsonlAuditSink } from './sinks/jsonl.js';
import { PostgresAuditSink } from './sinks/postgres.js';

export const AUDIT_PG_URL_ENV = 'VEIL_AUDIT_PG_URL';
export const AUDIT_PG_SCHEMA_ENV = 'VEIL_AUDIT_PG_SCHEMA';

export interface AuditSinkChoice {
  readonly dataDir: string;
  readonly pgUrl?: string;
  readonly pgSchema?: string;
  /** Readers (verify, query, report) take no writer lock. */
  readonly readOnly?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function createAuditSink(choice: AuditSinkChoice): AuditSink {
  const env = choice.env ?? process.env;
  const pgUrl = choice.pgUrl ?? nonEmpty(env[AUDIT_PG_URL_ENV]);
  if (pgUrl !== undefined) {
    const schema = choice.pgSchema ?? nonEmpty(env[AUDIT_PG_SCHEMA_ENV]);
    return new PostgresAuditSink({ connectionString: pgUrl, ...(schema === undefined ? {} : { schema }) });
  }
  return new JsonlAuditSink({ dataDir: choice.dataDir, readOnly: choice.readOnly ?? false });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
