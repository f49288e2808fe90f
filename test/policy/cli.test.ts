import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/policy/keys.js';
import { runCliInProcess } from '../cli/run-cli.js';

const EXAMPLE = 'examples/veil.yaml';
const TEXT = 'Mail maria.lopez@example.com, card 4111 1111 1111 1111';

/**
 * `text` with its fpe card token taken out, after checking that the token is not the card. The
 * token is random digits (the in-memory scope's keys are random per process): one in about 2,500
 * holds '4111' by chance, which says nothing about the card.
 */
function withoutFpeToken(text: string): string {
  const token = /\b\d{4} \d{4} \d{4} \d{4}\b/.exec(text)?.[0] ?? '';
  expect(token).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
  expect(token.replace(/\D/g, '')).not.toBe('4111111111111111');
  return text.replaceAll(token, '<fpe token>');
}

function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'veil-cli-policy-'));
  const file = join(dir, 'veil.yaml');
  writeFileSync(file, text);
  return file;
}

describe('veil policy check', () => {
  it('accepts the example', async () => {
    const run = await runCliInProcess(['policy', 'check', EXAMPLE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/examples\/veil\.yaml: ok \(version [0-9a-f]{12}, 2 tenants, 4 keys, 6 rules, 2 providers, 4 routes\)/);
  });

  it('lists every error as FILE:LINE:COLUMN and exits 1', async () => {
    const file = tempFile('rules:\n  - id: a\n    action: hide\n  - id: b\n    when: { entity: email }\n    action: mask\n');
    const run = await runCliInProcess(['policy', 'check', file]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(`${file}:3:13: rules.0.action: expected one of mask|redact|block|allow`);
    expect(lines[1]).toBe(`${file}:5:21: rules.1.when.entity: expected an entity type in upper snake case, e.g. EMAIL or CREDIT_CARD`);
    expect(lines.at(-1)).toBe(`${file}: 2 errors`);
  });

  it('takes the file from VEIL_CONFIG, and prints warnings', async () => {
    const file = tempFile('auth: { mode: disabled }\n');
    const run = await runCliInProcess(['policy', 'check'], { env: { VEIL_CONFIG: file } });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: auth is disabled/);
  });

  it('is a usage error without a file', async () => {
    expect((await runCliInProcess(['policy', 'check'])).code).toBe(2);
    expect((await runCliInProcess(['policy'])).code).toBe(2);
  });
});

describe('veil policy test', () => {
  it('prints each span with its decision and rule, and the masked text only', async () => {
    const run = await runCliInProcess(['policy', 'test', '--config', EXAMPLE, '--role', 'app', '--provider', 'openai', '--text', TEXT]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/EMAIL\s+5-28\s+\S+\s+rules\.email\s+mask\s+names-emails-pseudonymised\s+-> <<EMAIL_1>>/);
    expect(run.stdout).toMatch(/CREDIT_CARD\s+35-54\s+\S+\s+rules\.credit_card\s+block\s+cards-blocked/);
    expect(run.stdout).toMatch(/BLOCKED: .*403 veil_blocked: CREDIT_CARD/);
    expect(run.stdout).toContain('Mail <<EMAIL_1>>, card [CREDIT_CARD]');
    expect(run.stdout).not.toContain('maria');
    expect(run.stdout).not.toContain('4111');
  });

  it('--json: decisions per span, skipped rules, and the payments role', async () => {
    const run = await runCliInProcess(['policy', 'test', '--config', EXAMPLE, '--tenant', 'acme', '--role', 'payments', '--provider', 'openai', '--route', 'chat', '--json', '--text', TEXT]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      context: { provider: string; route: string };
      spans: { type: string; action: string; rule: string; format: string | null; rehydrate: boolean; skipped: { rule: string; reason: string }[] }[];
      blocked: boolean;
      text: string;
    };
    expect(out.context).toMatchObject({ provider: 'openai', route: 'chat' });
    expect(out.blocked).toBe(false);
    expect(out.spans.map((span) => [span.type, span.action, span.rule, span.rehydrate])).toEqual([
      ['EMAIL', 'mask', 'names-emails-pseudonymised', true],
      ['CREDIT_CARD', 'mask', 'cards-payments', false],
    ]);
    expect(out.spans[1]?.skipped).toEqual([
      { rule: 'experimental-nothing-personal', reason: 'provider' },
      { rule: 'secrets-redacted', reason: 'entity' },
    ]);
    expect(out.spans.map((span) => span.format)).toEqual(['placeholder', 'fpe']);
    expect(out.text).toMatch(/^Mail <<EMAIL_1>>, card \d{4} \d{4} \d{4} \d{4}$/);
    expect(withoutFpeToken(out.text)).not.toContain('4111');
  });

  it('shows the token format of each masked span', async () => {
    const run = await runCliInProcess(['policy', 'test', '--config', EXAMPLE, '--tenant', 'acme', '--role', 'payments', '--provider', 'openai', '--text', TEXT]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CREDIT_CARD\s+35-54\s+.*cards-payments\s+-> \d{4} \d{4} \d{4} \d{4} \(fpe\)\s+\(not rehydrated\)/);
    expect(run.stdout).toMatch(/EMAIL\s+5-28\s+.*-> <<EMAIL_1>>\n/);
    expect(withoutFpeToken(run.stdout)).not.toContain('4111');
  });

  it('lists allowed spans too', async () => {
    const file = tempFile('rules:\n  - { id: emails-ok, when: { entity: EMAIL }, action: allow }\n');
    const run = await runCliInProcess(['policy', 'test', '--config', file, '--json', '--text', 'to a@b.example']);
    const out = JSON.parse(run.stdout) as { spans: { action: string; rule: string }[]; text: string };
    expect(out.spans).toMatchObject([{ action: 'allow', rule: 'emails-ok' }]);
    expect(out.text).toBe('to a@b.example');
  });

  it('runs the built-in default without a file, reading stdin', async () => {
    const run = await runCliInProcess(['policy', 'test'], { stdin: 'call +1 415 555 0132' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/built-in default policy/);
    expect(run.stdout).toMatch(/builtin\.default/);
    expect(run.stdout).toContain('call <<PHONE_1>>');
  });

  it('detects as the gateway does: names too, and amounts a rule allows', async () => {
    const file = tempFile('rules:\n  - { id: amounts-pass, when: { entity: MONEY }, action: allow }\n');
    const run = await runCliInProcess(['policy', 'test', '--config', file, '--json', '--text', 'I paid $1,240.00 for the rent, Maria Garcia.']);
    const out = JSON.parse(run.stdout) as { spans: { type: string; action: string; rule: string }[]; text: string };
    expect(out.spans).toMatchObject([
      { type: 'MONEY', action: 'allow', rule: 'amounts-pass' },
      { type: 'PERSON', action: 'mask' },
    ]);
    expect(out.text).toBe('I paid $1,240.00 for the rent, <<PERSON_1>>.');
  });

  it('rejects unknown tenants, routes and providers', async () => {
    for (const flag of [['--tenant', 'initech'], ['--route', 'nope'], ['--provider', 'nope']]) {
      expect((await runCliInProcess(['policy', 'test', '--config', EXAMPLE, ...flag, '--text', 'x'])).code).toBe(2);
    }
  });

  it('reports an invalid policy with line and column', async () => {
    const file = tempFile('rules: 3\n');
    const run = await runCliInProcess(['policy', 'test', '--config', file, '--text', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:1:8: rules: expected array`);
  });
});

describe('veil keys', () => {
  it('hash prints the sha256 form, from an argument or stdin', async () => {
    const key = 'veil_example_acme_app';
    const fromArg = await runCliInProcess(['keys', 'hash', key]);
    expect(fromArg.stdout).toBe(`${hashApiKey(key)}\n`);
    expect(fromArg.stdout).toBe('sha256:dcd82bbcdd8e26b7657644b1947baeccc1fc51e9fc07dca56d8d9e33605aae62\n');
    const fromStdin = await runCliInProcess(['keys', 'hash', '-'], { stdin: `${key}\n` });
    expect(fromStdin.stdout).toBe(fromArg.stdout);
  });

  it('hash refuses something that is not a Veil key', async () => {
    const run = await runCliInProcess(['keys', 'hash', 'sk-proj-abc']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('sk-proj-abc');
  });

  it('new prints a fresh key and the matching entry', async () => {
    const run = await runCliInProcess(['keys', 'new', '--id', 'acme-bot', '--role', 'app', '--role', 'payments']);
    expect(run.code).toBe(0);
    const key = /^key:\s+(veil_[A-Za-z0-9_-]{43})$/m.exec(run.stdout)?.[1] ?? '';
    expect(key).not.toBe('');
    expect(run.stdout).toContain(`hash: ${hashApiKey(key)}`);
    expect(run.stdout).toContain('- id: acme-bot');
    expect(run.stdout).toContain('roles: [app, payments]');
    const again = await runCliInProcess(['keys', 'new']);
    expect(again.stdout).not.toContain(key);
  });
});
