import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { CliIO } from '../../src/cli/command.js';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { reportCommand } from '../../src/cli/commands/report.js';

const root = mkdtempSync(join(tmpdir(), 'veil-audit-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');

async function run(command: typeof auditCommand, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
  const io: CliIO = { stdin: new PassThrough(), stdout, stderr, stderrIsTTY: false, env: { VEIL_DATA_DIR: dataDir }, cwd: root };
  const code = await command.run(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

beforeAll(async () => {
  const log = await AuditLog.open({ dataDir, checkpointEvery: 4 });
  const base = Date.parse('2026-03-02T10:00:00.000Z');
  for (let i = 0; i < 10; i += 1) {
    log.record({
      kind: 'request',
      time: new Date(base + i * 3_600_000).toISOString(),
      tenant: i % 2 === 0 ? 'acme' : 'globex',
      route: '/v1/chat/completions',
      provider: 'openai',
      model: 'gpt-4o-mini',
      policy_version: 'sha256:feedbeef',
      entities: i % 3 === 0 ? { EMAIL: { mask: 1 } } : { PERSON: { mask: 2 } },
      token_ids: ['PERSON_1'],
      leak_gate: 'pass',
      upstream_status: 200,
      latency_ms: 30,
    });
    if (i % 4 === 3) await log.flush();
  }
  log.record({ kind: 'unmask', time: new Date(base + 11 * 3_600_000).toISOString(), tenant: 'acme', unmask: { allowed: false, tokens: 1 }, outcome: 'denied' });
  await log.close();
});

describe('veil audit', () => {
  it('verify prints the status in words and exits 0 on an intact log', async () => {
    const result = await run(auditCommand, ['verify']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: chain intact: 11 events \(seq 1\.\.11\); \d+ signed checkpoints verified/);
    expect(result.stdout).toMatch(/signed by: {4}ed25519:[0-9a-f]{16}/);
  });

  it('verify --json gives {ok, event_count, first_bad_event, message}', async () => {
    const result = await run(auditCommand, ['verify', '--json']);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ ok: true, event_count: 11, first_bad_event: null });
    expect(typeof parsed['message']).toBe('string');
  });

  it('verify --from/--to checks a window', async () => {
    const result = await run(auditCommand, ['verify', '--json', '--from', '2026-03-02T12:00:00Z', '--to', '2026-03-02T15:00:00Z']);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, event_count: 4, first_seq: 3, last_seq: 6 });
  });

  it('query filters by tenant, kind, entity type and time', async () => {
    const byTenant = await run(auditCommand, ['query', '--tenant', 'globex', '--type', 'request']);
    expect(byTenant.code).toBe(0);
    expect(byTenant.stdout.trim().split('\n')).toHaveLength(5);
    expect(byTenant.stdout).toContain('globex  /v1/chat/completions  openai/gpt-4o-mini  200  30ms  ok');
    const byEntity = await run(auditCommand, ['query', '--type', 'EMAIL', '--json']);
    const events = byEntity.stdout.trim().split('\n').map((line) => JSON.parse(line) as { seq: number });
    expect(events.map((event) => event.seq)).toEqual([1, 4, 7, 10]);
    const since = await run(auditCommand, ['query', '--since', '2026-03-02T19:00:00Z']);
    expect(since.stdout.trim().split('\n')).toHaveLength(2);
    expect(since.stdout).toContain('unmask=denied(1)');
    const bad = await run(auditCommand, ['query', '--type', 'lower case']);
    expect(bad.code).toBe(2);
  });

  it('tail prints the last N events', async () => {
    const result = await run(auditCommand, ['tail', '-n', '2']);
    expect(result.stdout.trim().split('\n').map((line) => line.split('  ')[1])).toEqual(['#10', '#11']);
  });

  it('pubkey prints the instance public key', async () => {
    const result = await run(auditCommand, ['pubkey']);
    expect(result.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(result.stderr).toMatch(/^key id: ed25519:/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(auditCommand, [])).code).toBe(2);
    expect((await run(auditCommand, ['nope'])).code).toBe(2);
    expect((await run(auditCommand, ['verify', '--from', 'yesterday'])).code).toBe(2);
  });
});

describe('veil report', () => {
  it('writes report.json, its signature and report.pdf, and verifies them', async () => {
    const out = join(root, 'report');
    const result = await run(reportCommand, ['--from', '2026-03-01', '--to', '2026-03-31', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('requests 10, blocked 0, unmask allowed/denied 0/1');
    expect(readdirSync(out).sort()).toEqual(['report.json', 'report.json.sig', 'report.pdf']);
    const verified = await run(reportCommand, ['verify', out]);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toMatch(/^OK: report signature valid, signed by ed25519:/);
    const json = readFileSync(join(out, 'report.json'), 'utf8');
    writeFileSync(join(out, 'report.json'), json.replace('"requests": 10', '"requests": 9'));
    const tampered = await run(reportCommand, ['verify', out]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^INVALID: the signature does not match/);
  });

  it('--tenant limits the report to one tenant', async () => {
    const out = join(root, 'report-acme');
    await run(reportCommand, ['--from', '2026-03-01', '--to', '2026-03-31', '--tenant', 'acme', '--out', out]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { tenant: string; summary: { requests: number } };
    expect(report).toMatchObject({ tenant: 'acme', summary: { requests: 5 } });
  });

  it('needs --from, --to and --out', async () => {
    expect((await run(reportCommand, ['--to', '2026-03-31', '--out', root])).code).toBe(2);
    expect((await run(reportCommand, ['--from', '2026-03-01', '--to', '2026-03-31'])).code).toBe(2);
    expect((await run(reportCommand, ['--from', '2026-04-01', '--to', '2026-03-01', '--out', root])).code).toBe(2);
  });
});

describe('veil audit verify on a tampered log', () => {
  it('exits 1 and names the edited event', async () => {
    const dir = join(dataDir, 'audit');
    const [file] = readdirSync(dir).filter((name) => name.startsWith('events-'));
    const path = join(dir, file ?? '');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[6] = (lines[6] ?? '').replace('"tenant":"acme"', '"tenant":"other"');
    writeFileSync(path, lines.join('\n'));
    const result = await run(auditCommand, ['verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^BROKEN: chain broken at event seq 7 \(events-\d+-20260302\.jsonl:7\): edited/);
    expect(result.stdout).toContain('first bad:    edited seq=7');
  });
});
