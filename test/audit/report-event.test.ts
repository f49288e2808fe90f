/**
 * `veil report` leaves one audit event (kind `cli`, command `report`) in the log it read: the
 * period, the tenant filter and the SHA-256 of the three files it wrote, never their contents.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { prepareEvent } from '../../src/audit/event.js';
import { runCliInProcess } from '../cli/run-cli.js';
import { readAuditEvents } from './read-events.js';

const root = mkdtempSync(join(tmpdir(), 'veil-report-event-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');
const env = { VEIL_DATA_DIR: join(root, 'elsewhere') };

function events(): Record<string, unknown>[] {
  return readAuditEvents(dataDir);
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  const log = await AuditLog.open({ dataDir });
  log.record({ kind: 'request', tenant: 'acme', time: '2026-03-02T10:00:00.000Z', entities: { EMAIL: { mask: 1 } }, token_ids: ['EMAIL_1'] });
  log.record({ kind: 'request', tenant: 'globex', time: '2026-03-03T10:00:00.000Z', entities: { SSN: { block: 1 } }, outcome: 'blocked' });
  await log.close();
});

describe('veil report is audited', () => {
  it('records the period, the tenant filter and the hashes of the files, in the log it read (--data-dir)', async () => {
    const out = join(root, 'report-acme');
    const run = await runCliInProcess(['report', '--data-dir', dataDir, '--from', '2026-03-01', '--to', '2026-03-31', '--tenant', 'acme', '--out', out], { env });
    expect(run.code, run.stderr).toBe(0);
    const recorded = events().filter((event) => event['command'] === 'report');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      kind: 'cli',
      tenant: 'acme',
      outcome: 'ok',
      principal: { role: 'cli' },
      report: {
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-03-31T23:59:59.999Z',
        tenant: 'acme',
        json_sha256: sha256(join(out, 'report.json')),
        signature_sha256: sha256(join(out, 'report.json.sig')),
        pdf_sha256: sha256(join(out, 'report.pdf')),
      },
    });
    // Nothing went to the default data dir, and the chain with the new event verifies.
    expect(() => readdirSync(join(root, 'elsewhere', 'audit'))).toThrow();
    const verify = await runCliInProcess(['audit', 'verify', '--data-dir', dataDir, '--json'], { env });
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, event_count: 3 });
  });

  it('a report over every tenant is recorded under the instance, with a null filter', async () => {
    const out = join(root, 'report-all');
    expect((await runCliInProcess(['report', '--data-dir', dataDir, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out], { env })).code).toBe(0);
    const last = events().at(-1);
    expect(last).toMatchObject({ command: 'report', tenant: 'veil', report: { tenant: null, pdf_sha256: sha256(join(out, 'report.pdf')) } });
  });

  it('VEIL_AUDIT=off records nothing', async () => {
    const before = events().length;
    const out = join(root, 'report-off');
    expect((await runCliInProcess(['report', '--data-dir', dataDir, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out], { env: { ...env, VEIL_AUDIT: 'off' } })).code).toBe(0);
    expect(events()).toHaveLength(before);
  });

  it('the report field takes times, an identifier and hashes only', () => {
    const report = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T23:59:59.999Z', tenant: null, json_sha256: 'a'.repeat(64), signature_sha256: 'b'.repeat(64), pdf_sha256: 'c'.repeat(64) };
    expect(prepareEvent({ kind: 'cli', tenant: 'veil', report }).report).toEqual(report);
    expect(() => prepareEvent({ kind: 'cli', tenant: 'veil', report: { ...report, tenant: 'maria lopez' } })).toThrow(/report\.tenant/);
    expect(() => prepareEvent({ kind: 'cli', tenant: 'veil', report: { ...report, pdf_sha256: 'not a hash' } })).toThrow(/report\.pdf_sha256/);
    expect(() => prepareEvent({ kind: 'cli', tenant: 'veil', report: { ...report, note: 'x' } as never })).toThrow(/report\.note/);
    // Events without it keep their shape (and hash): no `report` key at all.
    expect('report' in prepareEvent({ kind: 'cli', tenant: 'veil' })).toBe(false);
  });
});
