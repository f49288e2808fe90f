/**
 * `veil report --from --to --out DIR` and `veil report verify DIR`: the signed compliance
 * report. Thin: the work is in src/audit/report.ts.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auditTenant, recordCliRun } from '../../audit/cli-audit.js';
import type { DetectorInfo } from '../../audit/controls.js';
import type { ReportRecord } from '../../audit/event.js';
import { AUDIT_PG_SCHEMA_ENV, AUDIT_PG_URL_ENV } from '../../audit/open-sink.js';
import { buildReport, REPORT_JSON, REPORT_PDF, REPORT_SIGNATURE, verifyReport, writeReport } from '../../audit/report.js';
import { loadSigningKey } from '../../audit/signing-key.js';
import { builtinDetectors } from '../../detect/registry.js';
import { DATA_DIR_ENV } from '../../vault/vault.js';
import { EXIT, type CliCommand, type CliIO } from '../command.js';
import { guard, InputError, parse, UsageError } from '../io.js';
import { dataDirOf, openReader, parseDate, SINK_OPTIONS, SINK_USAGE, trustedKeys } from './audit.js';

const USAGE = `Usage: veil report --from DATE --to DATE --out DIR [--tenant T] [--eval EVAL.json] [--key PUBKEY.pem ...]
       veil report verify DIR [--key PUBKEY.pem ...]

Writes DIR/${REPORT_JSON}, DIR/${REPORT_SIGNATURE} (detached Ed25519 signature, base64) and
DIR/${REPORT_PDF}: requests, personal data per entity type and action, blocked requests, unmask
attempts, policy versions, audit chain status and Merkle roots, detectors (and the figures of
\`veil eval --json\` given with --eval), and the mapping to HIPAA Safe Harbor, GDPR Art. 25/32,
PCI DSS 3.4, SOC 2 CC6/CC7 and EU AI Act Art. 10/12. Signed with the instance key of the data dir.

Each run leaves one audit event (command \`report\`) in the log it read: the period, the tenant
filter and the SHA-256 of the three files, never their contents. VEIL_AUDIT=off skips it.

\`veil report verify DIR\` checks the signature and that the PDF is the one signed. Exit 0 valid,
1 not. With --key (or a data dir holding the instance key) the signer must be that key.

DATE: 2026-03-01 or 2026-03-01T12:00:00Z (a bare --to date includes that whole day).

${SINK_USAGE}`;

function detectorCatalog(): DetectorInfo[] {
  return builtinDetectors().map((detector) => ({ id: detector.id, tier: detector.tier, types: [...detector.types] }));
}

async function runBuild(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    ...SINK_OPTIONS,
    from: { type: 'string' },
    to: { type: 'string' },
    tenant: { type: 'string' },
    out: { type: 'string' },
    eval: { type: 'string' },
    key: { type: 'string', multiple: true },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
  if (values.from === undefined || values.to === undefined) throw new UsageError('--from and --to are required');
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  const from = parseDate('--from', values.from);
  const to = parseDate('--to', values.to, true);
  if (from.getTime() > to.getTime()) throw new UsageError('--from must not be after --to');
  let evaluation: unknown;
  if (values.eval !== undefined) {
    try {
      evaluation = JSON.parse(await readFile(values.eval, 'utf8'));
    } catch {
      throw new InputError(`cannot read ${values.eval} as the JSON output of \`veil eval --json\``);
    }
  }
  const signingKey = await loadSigningKey({ dataDir: dataDirOf(values, io), env: io.env });
  const keys = await trustedKeys(values, values.key ?? [], io);
  const sink = await openReader(values, io);
  try {
    const report = await buildReport({
      sink,
      from,
      to,
      signingKey,
      detectors: detectorCatalog(),
      ...(keys === undefined ? {} : { trustedKeys: keys }),
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      ...(evaluation === undefined ? {} : { evaluation }),
    });
    const written = await writeReport(values.out, report, signingKey);
    const recorded = await recordCliRun(auditContext(values, io), [
      {
        command: 'report',
        // A report over every tenant is the instance's own act, like a key rotation.
        tenant: values.tenant === undefined ? 'veil' : auditTenant(values.tenant),
        report: await reportRecord(report.period, values.tenant, written),
        outcome: report.chain.ok ? 'ok' : 'error',
      },
    ]);
    io.stdout.write(
      [
        `report for ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)}${report.tenant === null ? '' : ` (tenant ${report.tenant})`}:`,
        `  requests ${report.summary.requests}, blocked ${report.summary.blocked_requests}, unmask allowed/denied ${report.summary.unmask.allowed}/${report.summary.unmask.denied}`,
        `  audit chain: ${report.chain.ok ? 'INTACT' : 'BROKEN'} (${report.chain.status})`,
        `  ${written.json}`,
        `  ${written.signature}  (signed by ${signingKey.keyId})`,
        `  ${written.pdf}`,
        '',
      ].join('\n'),
    );
    if (!report.chain.ok) return EXIT.badInput;
    // As `veil vault`: the report stands, but an unrecorded run is not a clean exit.
    return recorded ? EXIT.ok : 1;
  } finally {
    await sink.close();
  }
}

/** The event's `report` field: what was covered, and the files by hash (their contents stay out). */
async function reportRecord(
  period: { readonly from: string; readonly to: string },
  tenant: string | undefined,
  written: { readonly json: string; readonly signature: string; readonly pdf: string },
): Promise<ReportRecord> {
  const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');
  return {
    from: period.from,
    to: period.to,
    tenant: tenant === undefined ? null : auditTenant(tenant),
    json_sha256: await sha256(written.json),
    signature_sha256: await sha256(written.signature),
    pdf_sha256: await sha256(written.pdf),
  };
}

/** The run's event goes to the log the report was read from (`--data-dir`, `--pg`, `--pg-schema`). */
function auditContext(flags: { readonly 'data-dir'?: string | undefined; readonly pg?: string | undefined; readonly 'pg-schema'?: string | undefined }, io: CliIO): CliIO {
  const env: Record<string, string | undefined> = { ...io.env, [DATA_DIR_ENV]: dataDirOf(flags, io) };
  if (flags.pg !== undefined) env[AUDIT_PG_URL_ENV] = flags.pg;
  if (flags['pg-schema'] !== undefined) env[AUDIT_PG_SCHEMA_ENV] = flags['pg-schema'];
  return { ...io, env };
}

async function runVerify(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { 'data-dir': SINK_OPTIONS['data-dir'], key: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  const [dir, extra] = positionals;
  if (dir === undefined) throw new UsageError('veil report verify needs the report directory');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  const keys = await trustedKeys(values, values.key ?? [], io);
  const result = await verifyReport(dir, keys);
  if (values.json === true) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout.write(`${result.ok ? 'OK' : 'INVALID'}: ${result.message} (${join(dir, REPORT_JSON)})\n`);
  return result.ok ? EXIT.ok : EXIT.badInput;
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'Write the signed compliance report (JSON + PDF) for a period, or verify one',
  usage: USAGE,
  run: (args, io) =>
    guard('report', USAGE, io, async () => {
      if (args[0] === 'verify') return runVerify(args.slice(1), io);
      return runBuild(args, io);
    }),
};
