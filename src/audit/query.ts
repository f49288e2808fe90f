/**
 * Reading events back for people: filters for `veil audit query` / `tail`, the report and the
 * audit explorer. Reads do not verify; `verifyAudit` does.
 * @module
 */
import type { AuditSink } from './audit-sink.js';
import { storedAuditEventSchema, type AuditEvent, type AuditEventKind } from './event.js';

export interface AuditQuery {
  readonly tenant?: string;
  readonly kind?: AuditEventKind;
  /** Inclusive bounds on the event time. */
  readonly since?: Date;
  readonly until?: Date;
  /** Only events after this seq (for following a log). */
  readonly afterSeq?: number;
}

/** Parses a stored record; undefined for a record that is not a valid event (verify reports those). */
export function parseStoredEvent(text: string): AuditEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = storedAuditEventSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export async function* queryAudit(sink: AuditSink, query: AuditQuery = {}): AsyncIterable<AuditEvent> {
  const since = query.since?.getTime();
  const until = query.until?.getTime();
  const range = query.afterSeq === undefined ? {} : { fromSeq: query.afterSeq + 1 };
  for await (const record of sink.readEvents(range)) {
    if (record.torn === true) continue;
    const event = parseStoredEvent(record.text);
    if (event === undefined) continue;
    if (query.afterSeq !== undefined && event.seq <= query.afterSeq) continue;
    if (query.tenant !== undefined && event.tenant !== query.tenant) continue;
    if (query.kind !== undefined && event.kind !== query.kind) continue;
    const time = Date.parse(event.time);
    if ((since !== undefined && time < since) || (until !== undefined && time > until)) continue;
    yield event;
  }
}

/** The last `count` events matching `query`, oldest first. */
export async function tailAudit(sink: AuditSink, count: number, query: AuditQuery = {}): Promise<AuditEvent[]> {
  const ring: AuditEvent[] = [];
  for await (const event of queryAudit(sink, query)) {
    ring.push(event);
    if (ring.length > count) ring.shift();
  }
  return ring;
}

/** One line per event for terminals: ids, counts and outcomes only (events hold nothing else). */
export function formatEventLine(event: AuditEvent): string {
  const entities = Object.entries(event.entities)
    .map(([type, counts]) => `${type}:${Object.entries(counts).map(([action, n]) => `${action}=${n}`).join(',')}`)
    .join(' ');
  const parts = [
    event.time,
    `#${event.seq}`,
    event.kind,
    event.tenant,
    event.route ?? '-',
    event.provider === null ? '-' : `${event.provider}${event.model === null ? '' : `/${event.model}`}`,
    event.upstream_status === null ? '-' : String(event.upstream_status),
    event.latency_ms === null ? '-' : `${Math.round(event.latency_ms)}ms`,
    event.outcome,
  ];
  if (event.leak_gate !== null) parts.push(`leak_gate=${event.leak_gate}`);
  if (event.command !== null) parts.push(`command=${event.command}`);
  if (event.unmask !== null) parts.push(`unmask=${event.unmask.allowed ? 'allowed' : 'denied'}(${event.unmask.tokens})`);
  if (event.key !== null) parts.push(`key=${event.key.operation}:${event.key.key_id}`);
  if (event.vault !== undefined) {
    const { operation, session, entries, data_key: dataKey } = event.vault;
    parts.push(`vault=${operation}${session === null ? '' : `:${session}`} entries=${entries}${dataKey ? ' data_key=deleted' : ''}`);
  }
  if (entities !== '') parts.push(entities);
  if (event.found !== undefined && Object.keys(event.found).length > 0) {
    parts.push(`found ${Object.entries(event.found).map(([type, n]) => `${type}=${n}`).join(' ')}`);
  }
  return parts.join('  ');
}
