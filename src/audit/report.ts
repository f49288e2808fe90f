/**
 * The compliance report: `report.json` (the figures), `report.json.sig` (detached Ed25519
 * signature over the exact bytes of report.json, base64) and `report.pdf` (the same figures for
 * people; its SHA-256 is inside the signed JSON, so the PDF is covered by the signature too).
 *
 * Everything comes from the audit log of the period, which holds counts, types and ids only, so
 * the report cannot contain personal data either.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { AuditSink } from './audit-sink.js';
import { controlMapping, hipaaMapping, type ControlRow, type DetectorInfo, type HipaaRow } from './controls.js';
import { AUDIT_ACTIONS, type AuditAction } from './event.js';
import { queryAudit } from './query.js';
import { renderReportPdf } from './report-pdf.js';
import { verifyingKeyFromPem, verifySignature, type SigningKey, type VerifyingKey } from './signing-key.js';
import { verifyAudit, type BadEvent } from './verify.js';

export const REPORT_JSON = 'report.json';
export const REPORT_SIGNATURE = 'report.json.sig';
export const REPORT_PDF = 'report.pdf';

export interface EntityRow {
  readonly type: string;
  readonly mask: number;
  readonly redact: number;
  readonly block: number;
  readonly allow: number;
  readonly total: number;
}

export interface EvaluationFigures {
  readonly file: string;
  readonly records: number;
  readonly recall: number | null;
  readonly precision: number | null;
  readonly span_leak_rate: number | null;
  readonly labels: Readonly<Record<string, { readonly recall: number | null; readonly precision: number | null }>>;
}

export interface ComplianceReport {
  readonly report: 'veil-compliance-report';
  readonly version: 1;
  readonly generated_at: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly tenant: string | null;
  readonly signer: { readonly key_id: string; readonly public_key: string };
  readonly summary: {
    readonly events: number;
    readonly requests: number;
    readonly blocked_requests: number;
    readonly leak_gate_trips: number;
    readonly upstream_errors: number;
    readonly unmask: { readonly allowed: number; readonly denied: number };
    readonly policy_reloads: number;
    readonly key_events: number;
    readonly cli_events: number;
    /** Erasure requests carried out (gateway endpoint or CLI) and expired entries purged. */
    readonly erasures: { readonly sessions: number; readonly tenants: number; readonly purged_entries: number };
    readonly tenants: number;
  };
  readonly entities: readonly EntityRow[];
  readonly policy_versions: readonly { readonly version: string; readonly events: number; readonly first_seen: string; readonly last_seen: string }[];
  readonly chain: {
    readonly ok: boolean;
    readonly status: string;
    readonly event_count: number;
    readonly first_bad_event: BadEvent | null;
    readonly checkpoints_verified: number;
    readonly checkpoint_count: number;
    readonly signers: readonly string[];
    readonly last_hash: string | null;
    readonly period_seq: { readonly first: number; readonly last: number } | null;
    readonly merkle_roots: readonly { seq: number; from_seq: number; to_seq: number; merkle_root: string }[];
  };
  readonly detectors: {
    readonly catalog: readonly DetectorInfo[];
    readonly observed: readonly { readonly tier: string; readonly requests: number; readonly spans: number; readonly mean_ms: number; readonly max_ms: number }[];
  };
  readonly evaluation: readonly EvaluationFigures[] | null;
  readonly controls: { readonly hipaa_safe_harbor: readonly HipaaRow[]; readonly frameworks: readonly ControlRow[] };
  readonly artifacts: { readonly pdf_sha256: string | null };
}

export interface BuildReportOptions {
  readonly sink: AuditSink;
  readonly from: Date;
  readonly to: Date;
  readonly tenant?: string;
  readonly signingKey: SigningKey;
  /** Keys checkpoints may be signed with (see `verifyAudit`). */
  readonly trustedKeys?: readonly VerifyingKey[];
  /** The detectors configured (id, tier, types): what the HIPAA mapping credits. */
  readonly detectors?: readonly DetectorInfo[];
  /** The output of `veil eval --json`, when measured figures exist. */
  readonly evaluation?: unknown;
  readonly now?: () => Date;
}

export async function buildReport(options: BuildReportOptions): Promise<ComplianceReport> {
  if (!(options.from.getTime() <= options.to.getTime())) {
    throw new VeilError(VeilErrorCode.BadInput, 'the report period must have from <= to');
  }
  const entities = new Map<string, Record<AuditAction, number>>();
  const policies = new Map<string, { events: number; first_seen: string; last_seen: string }>();
  const tiers = new Map<string, { requests: number; spans: number; totalMs: number; maxMs: number }>();
  const tenants = new Set<string>();
  const summary = {
    events: 0,
    requests: 0,
    blocked_requests: 0,
    leak_gate_trips: 0,
    upstream_errors: 0,
    unmask: { allowed: 0, denied: 0 },
    policy_reloads: 0,
    key_events: 0,
    cli_events: 0,
    erasures: { sessions: 0, tenants: 0, purged_entries: 0 },
    tenants: 0,
  };
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  const query = { since: options.from, until: options.to, ...(options.tenant === undefined ? {} : { tenant: options.tenant }) };
  for await (const event of queryAudit(options.sink, query)) {
    summary.events += 1;
    tenants.add(event.tenant);
    firstSeq = firstSeq === null ? event.seq : Math.min(firstSeq, event.seq);
    lastSeq = lastSeq === null ? event.seq : Math.max(lastSeq, event.seq);
    if (event.policy_version !== null) {
      const seen = policies.get(event.policy_version);
      if (seen === undefined) policies.set(event.policy_version, { events: 1, first_seen: event.time, last_seen: event.time });
      else {
        seen.events += 1;
        if (event.time < seen.first_seen) seen.first_seen = event.time;
        if (event.time > seen.last_seen) seen.last_seen = event.time;
      }
    }
    switch (event.kind) {
      case 'request': {
        summary.requests += 1;
        if (event.outcome === 'blocked') summary.blocked_requests += 1;
        if (event.leak_gate === 'tripped') summary.leak_gate_trips += 1;
        if (event.outcome === 'error' || (event.upstream_status !== null && event.upstream_status >= 500)) summary.upstream_errors += 1;
        break;
      }
      case 'unmask':
        if (event.unmask?.allowed === true && event.outcome !== 'denied') summary.unmask.allowed += 1;
        else summary.unmask.denied += 1;
        break;
      case 'policy_reload':
        summary.policy_reloads += 1;
        break;
      case 'key':
        summary.key_events += 1;
        break;
      case 'cli':
        summary.cli_events += 1;
        break;
    }
    // From the gateway (kind vault) or the CLI (kind cli); refused attempts carry no counts.
    if (event.vault !== undefined && event.outcome === 'ok') {
      if (event.vault.operation === 'forget_session') summary.erasures.sessions += 1;
      else if (event.vault.operation === 'forget_tenant') summary.erasures.tenants += 1;
      else summary.erasures.purged_entries += event.vault.entries;
    }
    for (const [type, counts] of Object.entries(event.entities)) {
      const row = entities.get(type) ?? { mask: 0, redact: 0, block: 0, allow: 0 };
      for (const action of AUDIT_ACTIONS) row[action] += counts[action] ?? 0;
      entities.set(type, row);
    }
    for (const timing of event.detectors) {
      const tier = tiers.get(timing.tier) ?? { requests: 0, spans: 0, totalMs: 0, maxMs: 0 };
      tier.requests += 1;
      tier.spans += timing.spans;
      tier.totalMs += timing.ms;
      tier.maxMs = Math.max(tier.maxMs, timing.ms);
      tiers.set(timing.tier, tier);
    }
  }
  summary.tenants = tenants.size;

  const entityRows: EntityRow[] = [...entities]
    .map(([type, counts]) => ({ type, ...counts, total: counts.mask + counts.redact + counts.block + counts.allow }))
    .sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
  const entityCounts = Object.fromEntries(entityRows.map((row) => [row.type, row]));

  const verification = await verifyAudit({ sink: options.sink, ...(options.trustedKeys === undefined ? {} : { trustedKeys: options.trustedKeys }) });
  const merkleRoots =
    firstSeq === null || lastSeq === null
      ? []
      : verification.checkpoints.merkle_roots.filter((root) => root.to_seq >= (firstSeq as number) && root.from_seq <= (lastSeq as number));
  const card = entityCounts['CREDIT_CARD'];
  const masked = entityRows.reduce((sum, row) => sum + row.mask, 0);
  const redacted = entityRows.reduce((sum, row) => sum + row.redact, 0);

  return {
    report: 'veil-compliance-report',
    version: 1,
    generated_at: (options.now ?? (() => new Date()))().toISOString(),
    period: { from: options.from.toISOString(), to: options.to.toISOString() },
    tenant: options.tenant ?? null,
    signer: { key_id: options.signingKey.keyId, public_key: options.signingKey.publicKeyPem },
    summary,
    entities: entityRows,
    policy_versions: [...policies].map(([version, seen]) => ({ version, ...seen })).sort((a, b) => a.first_seen.localeCompare(b.first_seen)),
    chain: {
      ok: verification.ok,
      status: verification.message,
      event_count: verification.event_count,
      first_bad_event: verification.first_bad_event,
      checkpoints_verified: verification.checkpoints.verified,
      checkpoint_count: verification.checkpoints.count,
      signers: verification.checkpoints.signers,
      last_hash: verification.last_hash,
      period_seq: firstSeq === null || lastSeq === null ? null : { first: firstSeq, last: lastSeq },
      merkle_roots: merkleRoots,
    },
    detectors: {
      catalog: options.detectors ?? [],
      observed: [...tiers].map(([tier, figures]) => ({
        tier,
        requests: figures.requests,
        spans: figures.spans,
        mean_ms: round(figures.totalMs / figures.requests),
        max_ms: round(figures.maxMs),
      })),
    },
    evaluation: options.evaluation === undefined ? null : evaluationFigures(options.evaluation),
    controls: {
      hipaa_safe_harbor: hipaaMapping(options.detectors ?? [], entityCounts),
      frameworks: controlMapping({
        requests: summary.requests,
        masked,
        redacted,
        blocked_requests: summary.blocked_requests,
        leak_gate_trips: summary.leak_gate_trips,
        card_numbers_protected: card === undefined ? 0 : card.mask + card.redact + card.block,
        card_numbers_allowed: card?.allow ?? 0,
        unmask_allowed: summary.unmask.allowed,
        unmask_denied: summary.unmask.denied,
        chain_ok: verification.ok,
        event_count: verification.event_count,
        checkpoints_verified: verification.checkpoints.verified,
        key_events: summary.key_events,
        erased_sessions: summary.erasures.sessions,
        erased_tenants: summary.erasures.tenants,
        purged_entries: summary.erasures.purged_entries,
      }),
    },
    artifacts: { pdf_sha256: null },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Picks the figures the report shows out of `veil eval --json` output; ignores anything else. */
function evaluationFigures(value: unknown): EvaluationFigures[] {
  const files = isRecord(value) && Array.isArray(value['files']) ? (value['files'] as unknown[]) : [];
  return files.filter(isRecord).map((file) => {
    const overall = isRecord(file['overall']) ? file['overall'] : {};
    const labels = isRecord(file['labels']) ? file['labels'] : {};
    return {
      file: typeof file['file'] === 'string' ? (file['file'].split('/').pop() ?? '') : '',
      records: typeof file['records'] === 'number' ? file['records'] : 0,
      recall: numberOrNull(overall['recall']),
      precision: numberOrNull(overall['precision']),
      span_leak_rate: numberOrNull(overall['span_leak_rate']),
      labels: Object.fromEntries(
        Object.entries(labels)
          .filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]))
          .map(([label, figures]) => [label, { recall: numberOrNull(figures['recall']), precision: numberOrNull(figures['precision']) }]),
      ),
    };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface WrittenReport {
  readonly json: string;
  readonly signature: string;
  readonly pdf: string;
}

/** Renders the PDF, puts its hash in the JSON, signs the JSON and writes the three files. */
export async function writeReport(dir: string, report: ComplianceReport, key: SigningKey): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const pdf = await renderReportPdf(report);
  const final: ComplianceReport = { ...report, artifacts: { pdf_sha256: createHash('sha256').update(pdf).digest('hex') } };
  const json = `${JSON.stringify(final, null, 2)}\n`;
  const paths = { json: join(dir, REPORT_JSON), signature: join(dir, REPORT_SIGNATURE), pdf: join(dir, REPORT_PDF) };
  await writeFile(paths.pdf, pdf);
  await writeFile(paths.json, json, 'utf8');
  await writeFile(paths.signature, `${key.sign(Buffer.from(json, 'utf8'))}\n`, 'utf8');
  return paths;
}

export interface ReportVerification {
  readonly ok: boolean;
  readonly message: string;
  readonly key_id: string | null;
}

/**
 * Checks the detached signature over report.json and the PDF's hash. With `trustedKeys`, the
 * signer must be one of them; without, the key named in the report is used (integrity only).
 */
export async function verifyReport(dir: string, trustedKeys?: readonly VerifyingKey[]): Promise<ReportVerification> {
  let json: Buffer;
  let signature: string;
  try {
    json = await readFile(join(dir, REPORT_JSON));
    signature = (await readFile(join(dir, REPORT_SIGNATURE), 'utf8')).trim();
  } catch (error) {
    const code = isRecord(error) && typeof error['code'] === 'string' ? error['code'] : 'read error';
    return { ok: false, message: `cannot read ${REPORT_JSON} and ${REPORT_SIGNATURE} in ${dir} (${code})`, key_id: null };
  }
  let report: Partial<ComplianceReport>;
  try {
    report = JSON.parse(json.toString('utf8')) as Partial<ComplianceReport>;
  } catch {
    return { ok: false, message: `${REPORT_JSON} is not JSON`, key_id: null };
  }
  let key: VerifyingKey;
  try {
    key = verifyingKeyFromPem(report.signer?.public_key ?? '');
  } catch {
    return { ok: false, message: `${REPORT_JSON} names no valid signer key`, key_id: null };
  }
  if (trustedKeys !== undefined && !trustedKeys.some((trusted) => trusted.keyId === key.keyId)) {
    return { ok: false, message: `signed by ${key.keyId}, which is not a trusted key`, key_id: key.keyId };
  }
  if (!verifySignature(key, json, signature)) {
    return { ok: false, message: `the signature does not match ${REPORT_JSON} (edited after signing, or wrong key)`, key_id: key.keyId };
  }
  const expectedPdf = report.artifacts?.pdf_sha256;
  if (typeof expectedPdf === 'string') {
    let pdf: Buffer;
    try {
      pdf = await readFile(join(dir, REPORT_PDF));
    } catch {
      return { ok: false, message: `${REPORT_PDF} is missing`, key_id: key.keyId };
    }
    if (createHash('sha256').update(pdf).digest('hex') !== expectedPdf) {
      return { ok: false, message: `${REPORT_PDF} does not match the hash in the signed ${REPORT_JSON}`, key_id: key.keyId };
    }
  }
  const pinned = trustedKeys === undefined ? ' (signer key not pinned: compare it with `veil audit pubkey`)' : '';
  return { ok: true, message: `report signature valid, signed by ${key.keyId}; PDF matches${pinned}`, key_id: key.keyId };
}
