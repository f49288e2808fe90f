/**
 * `/ui/api/audit/*` for the audit explorer: filtered events, the chain's verification, and the
 * signed compliance report. Audit events hold identifiers, counts and outcomes only (see
 * src/audit/event.ts), so everything here can be shown as it is. Overseers only; the handler
 * checks that before calling in.
 *
 * The report is built by the same code as `veil report` (buildReport + writeReport, signed with
 * the instance key) into a temporary directory, read back and held in memory for a few minutes
 * so that report.json, its detached signature and report.pdf are downloaded as one signed set.
 * @module
 */
import { randomUUID, createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import type { DetectorInfo } from '../audit/controls.js';
import { AUDIT_EVENT_KINDS, type AuditEvent, type AuditEventKind } from '../audit/event.js';
import { queryAudit } from '../audit/query.js';
import { buildReport, REPORT_JSON, REPORT_PDF, REPORT_SIGNATURE, writeReport } from '../audit/report.js';
import { verifyAudit } from '../audit/verify.js';
import { badInput, dateParam, notFound, param, send, sendJson } from './http.js';
import type { Viewer } from './viewer.js';

const MAX_EVENTS = 500;
const REPORT_TTL_MS = 10 * 60_000;
const REPORT_FILES: Readonly<Record<string, string>> = {
  [REPORT_JSON]: 'application/json; charset=utf-8',
  [REPORT_SIGNATURE]: 'text/plain; charset=utf-8',
  [REPORT_PDF]: 'application/pdf',
};

export interface AuditApiOptions {
  readonly audit: AuditLog;
  readonly detectors: () => readonly DetectorInfo[];
  /** The figures of the last `veil eval`, for the report's evaluation section. */
  readonly evaluation: () => Promise<unknown>;
}

interface HeldReport {
  readonly keyId: string;
  readonly files: ReadonlyMap<string, Buffer>;
  readonly expires: number;
}

function matches(event: AuditEvent, url: URL): boolean {
  const type = param(url, 'type')?.toUpperCase();
  const action = param(url, 'action');
  const outcome = param(url, 'outcome');
  if (outcome !== undefined && event.outcome !== outcome) return false;
  if (type === undefined && action === undefined) return true;
  return Object.entries(event.entities).some(
    ([entityType, counts]) =>
      (type === undefined || entityType === type) &&
      (action === undefined ? Object.values(counts).some((count) => (count ?? 0) > 0) : ((counts as Record<string, number | undefined>)[action] ?? 0) > 0),
  );
}

export class AuditApi {
  private readonly options: AuditApiOptions;
  private readonly reports = new Map<string, HeldReport>();

  constructor(options: AuditApiOptions) {
    this.options = options;
  }

  /** Newest first, at most `limit` (default 200, at most 500). */
  async events(url: URL, res: ServerResponse): Promise<void> {
    const kind = param(url, 'kind');
    if (kind !== undefined && !AUDIT_EVENT_KINDS.includes(kind as AuditEventKind)) throw badInput(`'kind' must be one of ${AUDIT_EVENT_KINDS.join(', ')}.`);
    const limit = Math.min(MAX_EVENTS, Math.max(1, Number(param(url, 'limit') ?? 200) || 200));
    const since = dateParam(url, 'from');
    const until = dateParam(url, 'to', true);
    const tenant = param(url, 'tenant');
    await this.options.audit.flush().catch(() => undefined);
    const kept: AuditEvent[] = [];
    let matched = 0;
    const query = {
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(tenant === undefined ? {} : { tenant }),
      ...(kind === undefined ? {} : { kind: kind as AuditEventKind }),
    };
    for await (const event of queryAudit(this.options.audit.sink, query)) {
      if (!matches(event, url)) continue;
      matched += 1;
      kept.push(event);
      if (kept.length > limit) kept.shift();
    }
    sendJson(res, 200, { events: kept.reverse(), matched, limit });
  }

  async verify(url: URL, res: ServerResponse): Promise<void> {
    const from = dateParam(url, 'from');
    const to = dateParam(url, 'to', true);
    await this.options.audit.flush().catch(() => undefined);
    const result = await verifyAudit({
      sink: this.options.audit.sink,
      trustedKeys: [this.options.audit.signingKey],
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    });
    sendJson(res, 200, { ...result, signer: this.options.audit.signingKey.keyId });
  }

  /** Builds and signs the report for a period; answers with its summary and the files to fetch. */
  async createReport(viewer: Viewer, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const url = new URL('http://veil.local/');
    for (const name of ['from', 'to', 'tenant']) if (typeof body[name] === 'string') url.searchParams.set(name, body[name] as string);
    const from = dateParam(url, 'from');
    const to = dateParam(url, 'to', true);
    if (from === undefined || to === undefined) throw badInput("'from' and 'to' are required.");
    if (from.getTime() > to.getTime()) throw badInput("'from' must not be after 'to'.");
    const tenant = param(url, 'tenant');
    const audit = this.options.audit;
    await audit.flush().catch(() => undefined);
    const evaluation = await this.options.evaluation();
    const report = await buildReport({
      sink: audit.sink,
      from,
      to,
      signingKey: audit.signingKey,
      trustedKeys: [audit.signingKey],
      detectors: this.options.detectors(),
      ...(tenant === undefined ? {} : { tenant }),
      ...(evaluation === undefined ? {} : { evaluation }),
    });
    const dir = await mkdtemp(join(tmpdir(), 'veil-ui-report-'));
    const files = new Map<string, Buffer>();
    try {
      const written = await writeReport(dir, report, audit.signingKey);
      files.set(REPORT_JSON, await readFile(written.json));
      files.set(REPORT_SIGNATURE, await readFile(written.signature));
      files.set(REPORT_PDF, await readFile(written.pdf));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    this.expire();
    const id = randomUUID();
    this.reports.set(id, { keyId: viewer.principal.keyId, files, expires: Date.now() + REPORT_TTL_MS });
    sendJson(res, 200, {
      id,
      period: report.period,
      tenant: report.tenant,
      summary: report.summary,
      chain: { ok: report.chain.ok, status: report.chain.status },
      signer: report.signer.key_id,
      files: [...files].map(([name, bytes]) => ({ name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })),
    });
  }

  /** One file of a report this viewer created. */
  download(viewer: Viewer, id: string, name: string, res: ServerResponse): void {
    this.expire();
    const held = this.reports.get(id);
    const bytes = held?.files.get(name);
    if (held === undefined || held.keyId !== viewer.principal.keyId || bytes === undefined) throw notFound('No such report (reports are kept for 10 minutes).');
    send(res, 200, REPORT_FILES[name] ?? 'application/octet-stream', bytes, { 'content-disposition': `attachment; filename="${name}"` });
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, held] of this.reports) if (held.expires < now) this.reports.delete(id);
  }
}
