/// <reference types="pdfkit" />
/**
 * The PDF form of the compliance report (pdfkit): a title page with the chain status in words,
 * then one section per part of the report, as tables. Uses only the standard PDF fonts so the
 * file renders anywhere and `pdftotext` reads it back.
 * @module
 */
import { createRequire } from 'node:module';
import type { ComplianceReport } from './report.js';

// pdfkit is CommonJS with `export =` typings; with esModuleInterop off a default import does
// not type-check, so load it through require.
const PDFDocument = createRequire(import.meta.url)('pdfkit') as PDFKit.PDFDocument;

type Doc = InstanceType<typeof PDFDocument>;
type Cell = string | { text: string; font?: { src: string } };

const INK = '#1b2430';
const MUTED = '#5b6573';
const OK = '#1d7a3a';
const BAD = '#b3261e';
const RULE = '#c9ced6';

function day(iso: string): string {
  return iso.slice(0, 10);
}

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

function heading(doc: Doc, text: string): void {
  if (doc.y > doc.page.height - 160) doc.addPage();
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(14).fillColor(INK).text(text, doc.page.margins.left);
  doc.moveDown(0.3).font('Helvetica').fontSize(9.5).fillColor(INK);
}

function paragraph(doc: Doc, text: string, color = INK): void {
  doc.font('Helvetica').fontSize(9.5).fillColor(color).text(text, doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.4);
}

function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function table(doc: Doc, header: readonly string[], rows: readonly (readonly Cell[])[], widths?: readonly (number | string)[]): void {
  if (rows.length === 0) {
    paragraph(doc, 'None in this period.', MUTED);
    return;
  }
  doc.font('Helvetica').fontSize(8.5).fillColor(INK);
  const data: Cell[][] = [header.map((text) => ({ text, font: { src: 'Helvetica-Bold' } })), ...rows.map((row) => [...row])];
  doc.table({
    position: { x: doc.page.margins.left },
    maxWidth: contentWidth(doc),
    ...(widths === undefined ? {} : { columnStyles: [...widths] }),
    rowStyles: (row: number) => (row === 0 ? { backgroundColor: '#eef1f5', borderColor: RULE } : { borderColor: RULE }),
    defaultStyle: { padding: [3, 4, 3, 4], border: 0.5 },
    data: data as never,
  });
  doc.moveDown(0.6);
}

function titlePage(doc: Doc, report: ComplianceReport): void {
  const left = doc.page.margins.left;
  doc.font('Helvetica').fontSize(11).fillColor(MUTED).text('Veil privacy gateway', left, 90);
  doc.moveDown(0.4).font('Helvetica-Bold').fontSize(26).fillColor(INK).text('Compliance report');
  doc.moveDown(0.6).font('Helvetica').fontSize(12).fillColor(INK);
  doc.text(`Period: ${day(report.period.from)} to ${day(report.period.to)}`);
  doc.text(`Tenant: ${report.tenant ?? 'all tenants'}`);
  doc.text(`Generated: ${report.generated_at.replace('T', ' ').slice(0, 19)} UTC`);
  doc.text(`Signed by instance key: ${report.signer.key_id}`);

  const boxTop = doc.y + 30;
  const ok = report.chain.ok;
  doc.roundedRect(left, boxTop, contentWidth(doc), 92, 6).lineWidth(1.5).strokeColor(ok ? OK : BAD).stroke();
  doc.font('Helvetica-Bold').fontSize(15).fillColor(ok ? OK : BAD).text(ok ? 'Audit chain: INTACT' : 'Audit chain: BROKEN', left + 16, boxTop + 14);
  doc.font('Helvetica').fontSize(10).fillColor(INK).text(chainInWords(report), left + 16, boxTop + 38, { width: contentWidth(doc) - 32 });

  doc.y = boxTop + 120;
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text('In this period', left);
  doc.moveDown(0.4);
  const protectedValues = report.entities.reduce((sum, row) => sum + row.mask + row.redact + row.block, 0);
  const figures: [string, string][] = [
    ['Requests through the gateway', String(report.summary.requests)],
    ['Personal data values protected (masked, redacted or blocked)', String(protectedValues)],
    ['Requests blocked by policy', String(report.summary.blocked_requests)],
    ['Leak-gate trips (requests refused)', String(report.summary.leak_gate_trips)],
    ['Unmask requests allowed / denied', `${report.summary.unmask.allowed} / ${report.summary.unmask.denied}`],
    ['Policy versions in force', String(report.policy_versions.length)],
  ];
  table(doc, ['Figure', 'Value'], figures, ['*', 90]);
  doc.moveDown(1);
  paragraph(
    doc,
    'This report is produced from the tamper-evident audit log of the gateway. The log records counts, entity types, ' +
      'token ids and outcomes only; it never contains the personal data itself. report.json carries the same figures and ' +
      'is signed (Ed25519, detached signature report.json.sig); check it with `veil report verify`.',
    MUTED,
  );
}

export function chainInWords(report: ComplianceReport): string {
  const chain = report.chain;
  if (!chain.ok) {
    const bad = chain.first_bad_event;
    return `Verification failed: ${bad === null ? chain.status : `${bad.problem} at event seq ${bad.seq ?? '?'} (${bad.detail})`}. The record can no longer be trusted from that point on.`;
  }
  const signers = chain.signers.length === 0 ? '' : ` signed by ${chain.signers.join(', ')}`;
  return (
    `All ${chain.event_count} events of the log were recomputed and link correctly; ` +
    `${chain.checkpoints_verified} of ${chain.checkpoint_count} checkpoints${signers} match their Merkle roots and signatures. ` +
    'No event was edited, deleted, reordered or inserted.'
  );
}

function sections(doc: Doc, report: ComplianceReport): void {
  heading(doc, '1. Activity');
  const summary = report.summary;
  table(
    doc,
    ['Measure', 'Count'],
    [
      ['Audit events in period', String(summary.events)],
      ['Gateway requests', String(summary.requests)],
      ['Blocked requests', String(summary.blocked_requests)],
      ['Leak-gate trips', String(summary.leak_gate_trips)],
      ['Upstream errors', String(summary.upstream_errors)],
      ['Unmask allowed', String(summary.unmask.allowed)],
      ['Unmask denied', String(summary.unmask.denied)],
      ['Policy reloads', String(summary.policy_reloads)],
      ['Key operations', String(summary.key_events)],
      ['Erasures (sessions / tenants)', `${summary.erasures.sessions} / ${summary.erasures.tenants}`],
      ['Expired vault entries purged', String(summary.erasures.purged_entries)],
      ['Tenants', String(summary.tenants)],
    ],
    ['*', 90],
  );

  heading(doc, '2. Personal data by entity type and action');
  table(
    doc,
    ['Entity type', 'Masked', 'Redacted', 'Blocked', 'Allowed', 'Total'],
    report.entities.map((row) => [row.type, String(row.mask), String(row.redact), String(row.block), String(row.allow), String(row.total)]),
  );

  heading(doc, '3. Policy versions in force');
  table(
    doc,
    ['Policy version (content hash)', 'Events', 'First seen', 'Last seen'],
    report.policy_versions.map((policy) => [policy.version, String(policy.events), day(policy.first_seen), day(policy.last_seen)]),
    ['*', 50, 70, 70],
  );

  heading(doc, '4. Audit chain integrity');
  paragraph(doc, `Status: ${report.chain.ok ? 'INTACT' : 'BROKEN'}. ${chainInWords(report)}`, report.chain.ok ? INK : BAD);
  paragraph(doc, `Verifier: ${report.chain.status}`, MUTED);
  if (report.chain.last_hash !== null) paragraph(doc, `Head of the chain (last event hash): ${report.chain.last_hash}`, MUTED);
  table(
    doc,
    ['Checkpoint', 'Events (seq)', 'Merkle root'],
    report.chain.merkle_roots.slice(-25).map((root) => [String(root.seq), `${root.from_seq}-${root.to_seq}`, root.merkle_root]),
    [60, 80, '*'],
  );
  if (report.chain.merkle_roots.length > 25) paragraph(doc, `Showing the last 25 of ${report.chain.merkle_roots.length} checkpoints; report.json lists all.`, MUTED);

  heading(doc, '5. Detectors');
  table(
    doc,
    ['Detector', 'Tier', 'Entity types'],
    report.detectors.catalog.map((detector) => [detector.id, detector.tier, detector.types.join(', ')]),
    [140, 50, '*'],
  );
  if (report.detectors.observed.length > 0) {
    table(
      doc,
      ['Tier', 'Requests', 'Spans', 'Mean ms', 'Max ms'],
      report.detectors.observed.map((tier) => [tier.tier, String(tier.requests), String(tier.spans), tier.mean_ms.toFixed(3), tier.max_ms.toFixed(3)]),
    );
  }
  if (report.evaluation !== null && report.evaluation.length > 0) {
    paragraph(doc, 'Measured on labelled data (veil eval):');
    table(
      doc,
      ['Corpus', 'Records', 'Recall', 'Precision', 'Span leak rate'],
      report.evaluation.map((file) => [file.file, String(file.records), percent(file.recall), percent(file.precision), percent(file.span_leak_rate)]),
    );
  } else {
    paragraph(doc, 'No evaluation figures were supplied for this report (veil report --eval FILE).', MUTED);
  }

  heading(doc, '6. Control mapping');
  paragraph(doc, 'HIPAA Safe Harbor, 45 CFR 164.514(b)(2): the 18 identifiers, the detector tiers that find them, and the values protected in the period.');
  table(
    doc,
    ['Ref', 'Identifier', 'Entity types', 'Tiers', 'Status', 'Protected'],
    report.controls.hipaa_safe_harbor.map((row) => [
      row.ref,
      row.note === null ? row.identifier : `${row.identifier} (${row.note})`,
      row.entity_types.join(', ') || '-',
      row.tiers.join(', ') || '-',
      row.status,
      String(row.protected_in_period),
    ]),
    [26, '*', 100, 55, 60, 52],
  );
  table(
    doc,
    ['Framework', 'Control', 'Evidence from this period', 'Status'],
    report.controls.frameworks.map((row) => [row.framework, row.control, `${row.title}: ${row.evidence}`, row.status]),
    [62, 50, '*', 52],
  );
}

/** The report as PDF bytes. */
export function renderReportPdf(report: ComplianceReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    bufferPages: true,
    info: {
      Title: `Veil compliance report ${day(report.period.from)} to ${day(report.period.to)}`,
      Author: 'Veil',
      Subject: 'Privacy gateway compliance report',
      CreationDate: new Date(report.generated_at),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  titlePage(doc, report);
  doc.addPage();
  sections(doc, report);
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`Veil compliance report - page ${i + 1} of ${range.count}`, doc.page.margins.left, doc.page.height - 35, {
        width: contentWidth(doc),
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
