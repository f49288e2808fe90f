/**
 * One audit event per CLI run (`veil mask`, `unmask`, `scan`, `detect`, `vault forget/purge`):
 * the command, the local principal, counts per type and token ids. The runs below feed text full
 * of personal data; no value, and no fragment long enough to identify, may reach the audit files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../cli/run-cli.js';
import { readAuditEvents } from './read-events.js';

const root = mkdtempSync(join(tmpdir(), 'veil-cli-audit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');
const env = { VEIL_DATA_DIR: dataDir, VEIL_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') };

const VALUES = ['maria.lopez@example.com', 'j.whitfield@corp.example', '078-05-1120', '+1 415 555 0132', '4111 1111 1111 1111'];
const TEXT = `Patient maria.lopez@example.com (SSN 078-05-1120) called from +1 415 555 0132; card 4111 1111 1111 1111, cc j.whitfield@corp.example.`;

function auditEvents(): Record<string, unknown>[] {
  return readAuditEvents(dataDir);
}

function auditText(): string {
  const dir = join(dataDir, 'audit');
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

describe('CLI runs are audited without values', () => {
  it('mask, unmask, detect, scan and vault each leave one event with counts and token ids', async () => {
    const masked = await runCliInProcess(['mask', '--session', 'case-7', '--tenant', 'acme'], { stdin: TEXT, env });
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain('<<EMAIL_1>>');
    const unmasked = await runCliInProcess(['unmask', '--session', 'case-7', '--tenant', 'acme'], { stdin: `${masked.stdout} <<EMAIL_9>>`, env });
    expect(unmasked.stdout).toContain('maria.lopez@example.com');
    expect((await runCliInProcess(['detect', '--json'], { stdin: TEXT, env })).code).toBe(0);
    const tree = join(root, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'notes.txt'), `${TEXT}\n`);
    expect((await runCliInProcess(['scan', tree], { env })).code).toBe(0);
    expect((await runCliInProcess(['vault', 'forget', '--tenant', 'acme', '--session', 'case-7'], { env })).code).toBe(0);
    expect((await runCliInProcess(['vault', 'purge'], { env })).code).toBe(0);

    const events = auditEvents();
    expect(events.map((event) => event['command'])).toEqual(['mask', 'unmask', 'detect', 'scan', 'vault-forget-session', 'vault-purge']);
    for (const event of events) expect(event['principal']).toMatchObject({ role: 'cli', key_id: expect.stringMatching(/^local/) });

    const [mask, unmask, detect, scan, forget, purge] = events;
    expect(mask).toMatchObject({ kind: 'cli', tenant: 'acme', entities: { EMAIL: { mask: 2 } } });
    expect(mask?.['token_ids']).toEqual(expect.arrayContaining(['EMAIL_1', 'EMAIL_2']));
    const tokens = (mask?.['token_ids'] as string[]).length;
    // Every token of the session was put back; the made-up <<EMAIL_9>> was not.
    expect(unmask).toMatchObject({ kind: 'unmask', tenant: 'acme', unmask: { allowed: true, tokens } });
    expect(unmask?.['token_ids']).not.toContain('EMAIL_9');
    expect(detect).toMatchObject({ kind: 'cli', found: { EMAIL: 2 }, entities: {} });
    expect(scan).toMatchObject({ kind: 'cli', found: { EMAIL: 2 } });
    expect(forget).toMatchObject({ kind: 'cli', tenant: 'acme', vault: { operation: 'forget_session', session: 'case-7', entries: tokens, data_key: false } });
    expect(purge).toMatchObject({ kind: 'cli', vault: { operation: 'purge', entries: 0 } });

    const text = auditText();
    for (const value of VALUES) {
      expect(text.includes(value), value).toBe(false);
      for (const part of value.split(/[ @.()+-]/).filter((piece) => piece.length >= 5)) {
        expect(text.includes(part), `${part} of ${value}`).toBe(false);
      }
    }

    // The chain the CLI wrote verifies like the gateway's.
    const verify = await runCliInProcess(['audit', 'verify', '--json'], { env });
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, event_count: events.length });
  });

  it('VEIL_AUDIT=off skips the event', async () => {
    const before = auditEvents().length;
    expect((await runCliInProcess(['detect'], { stdin: TEXT, env: { ...env, VEIL_AUDIT: 'off' } })).code).toBe(0);
    expect(auditEvents()).toHaveLength(before);
  });
});
