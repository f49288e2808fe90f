import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VeilErrorCode } from '../../src/core/errors.js';
import { defaultPolicy, loadPolicy, loadPolicyFile, parsePolicy, PolicyError, policyPath, type PolicyIssue } from '../../src/policy/load.js';
import { DEFAULT_RULE_ID } from '../../src/policy/policy.js';
import { decideFor } from '../../src/policy/rules.js';

function issuesOf(text: string): PolicyIssue[] {
  try {
    parsePolicy(text, { file: 'veil.yaml' });
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(PolicyError);
    return [...(error as PolicyError).issues];
  }
  throw new Error('expected the policy to be rejected');
}

function firstIssue(text: string): PolicyIssue {
  const issue = issuesOf(text)[0];
  if (issue === undefined) throw new Error('no issue');
  return issue;
}

const HASH = `sha256:${'a'.repeat(64)}`;

describe('policy file errors name line, column and what was expected', () => {
  const cases: { name: string; text: string; line: number; column: number; path: string; message: RegExp }[] = [
    {
      name: 'unknown action',
      text: 'rules:\n  - id: r1\n    action: hide\n',
      line: 3,
      column: 13,
      path: 'rules.0.action',
      message: /expected one of mask\|redact\|block\|allow/,
    },
    {
      name: 'unknown key inside a rule points at the key',
      text: 'rules:\n  - id: r1\n    action: mask\n    whn: { entity: EMAIL }\n',
      line: 4,
      column: 5,
      path: 'rules.0.whn',
      message: /unknown key/,
    },
    {
      name: 'entity type not in upper snake case',
      text: 'rules:\n  - id: r1\n    when:\n      entity: email\n    action: mask\n',
      line: 4,
      column: 15,
      path: 'rules.0.when.entity',
      message: /upper snake case|expected/,
    },
    {
      name: 'min_score out of range',
      text: 'rules:\n  - id: r1\n    when: { min_score: 2 }\n    action: mask\n',
      line: 3,
      column: 24,
      path: 'rules.0.when.min_score',
      message: /<=1|1/,
    },
    {
      name: 'key hash in the wrong form',
      text: 'tenants:\n  - id: acme\n    keys:\n      - id: k\n        hash: abc\n',
      line: 5,
      column: 15,
      path: 'tenants.0.keys.0.hash',
      message: /sha256:/,
    },
    {
      name: 'wrong type',
      text: 'tenants: acme\n',
      line: 1,
      column: 10,
      path: 'tenants',
      message: /expected array/,
    },
    {
      name: 'provider access for an unknown tenant',
      text: 'tenants: [{ id: acme }]\nprovider_access:\n  openai:\n    tenants: [acme, acne]\n',
      line: 4,
      column: 21,
      path: 'provider_access.openai.tenants.1',
      message: /tenant listed under tenants/,
    },
    {
      name: 'provider names are the gateway\'s (lower case)',
      text: 'rules:\n  - { id: r, when: { provider: OpenAI }, action: block }\n',
      line: 2,
      column: 32,
      path: 'rules.0.when.provider',
      message: /provider name in lower case/,
    },
    {
      name: 'catch-all rule before other rules',
      text: 'rules:\n  - id: everything\n    action: mask\n  - id: never\n    when: { entity: EMAIL }\n    action: block\n',
      line: 2,
      column: 5,
      path: 'rules.0',
      message: /can never apply/,
    },
    {
      name: 'duplicate rule id',
      text: 'rules:\n  - { id: a, when: { entity: EMAIL }, action: mask }\n  - { id: a, when: { entity: PHONE }, action: mask }\n',
      line: 3,
      column: 11,
      path: 'rules.1.id',
      message: /duplicate rule id/,
    },
    {
      name: 'YAML syntax error',
      text: 'rules:\n  - id: a\n   action: [mask\n',
      line: 3,
      column: 1,
      path: '',
      message: /invalid YAML/,
    },
    {
      name: 'Cedar syntax error inside the block scalar',
      text: 'unmask:\n  policies: |\n    permit (principal, action, resource)\n    when { principal.tenant == };\n',
      line: 4,
      column: 32,
      path: 'unmask.policies',
      message: /Cedar/,
    },
  ];

  it.each(cases)('$name', ({ text, line, column, path, message }) => {
    const issue = firstIssue(text);
    expect(issue.path).toBe(path);
    expect(issue.message).toMatch(message);
    expect({ line: issue.line, column: issue.column }).toEqual({ line, column });
  });

  it('reports every problem, in file order, and the error message starts with the first', () => {
    const text = 'rules:\n  - id: r1\n    action: hide\n  - id: r2\n    action: mask\n    format: nope\n';
    try {
      parsePolicy(text, { file: 'veil.yaml' });
      throw new Error('expected rejection');
    } catch (error: unknown) {
      const policyError = error as PolicyError;
      expect(policyError.code).toBe(VeilErrorCode.Config);
      expect(policyError.issues.map((issue) => issue.line)).toEqual([3, 6]);
      expect(policyError.message).toMatch(/^veil\.yaml:3:13: rules\.0\.action: .*\(and 1 more\)$/);
    }
  });

  it('never quotes values from the file in messages', () => {
    const secretish = 'maria@example.com';
    const issues = issuesOf(`detectors:\n  allow:\n    values: [${secretish}]\n    patterns: ['(unclosed']\nrules:\n  - { id: r, action: ${secretish} }\n`);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.message).not.toContain('maria');
  });

  it('accepts sections that belong to other parts of Veil and warns about unknown ones', () => {
    const policy = parsePolicy('server: { port: 8787 }\nupstream: { url: https://api.openai.com/v1 }\nrulez: []\n', { file: 'veil.yaml' });
    expect(policy.warnings.join('\n')).toMatch(/veil\.yaml:3:1: unknown top-level section 'rulez'/);
  });
});

describe('policy version (content hash)', () => {
  it('does not change with key order, comments or layout', () => {
    const a = parsePolicy(`# a comment\nrules:\n  - { id: r, when: { entity: EMAIL }, action: redact }\ntenants: [{ id: acme }]\n`);
    const b = parsePolicy(`tenants:\n  - id: acme\nrules:\n  - action: redact\n    id: r\n    when:\n      entity: EMAIL\n`);
    expect(a.version).toMatch(/^[0-9a-f]{64}$/);
    expect(a.version).toBe(b.version);
  });

  it('changes when a rule changes', () => {
    const a = parsePolicy(`rules:\n  - { id: r, when: { entity: EMAIL }, action: redact }\n`);
    const b = parsePolicy(`rules:\n  - { id: r, when: { entity: EMAIL }, action: mask }\n`);
    expect(a.version).not.toBe(b.version);
  });

  it('ignores sections owned by other parts of Veil', () => {
    expect(parsePolicy('server: { port: 1 }\n').version).toBe(parsePolicy('server: { port: 2 }\n').version);
  });
});

describe('built-in default policy', () => {
  it('masks every type, blocks nothing, auth disabled (loopback only), nobody may unmask', () => {
    const policy = defaultPolicy();
    expect(policy.builtin).toBe(true);
    expect(policy.auth.mode).toBe('disabled');
    expect(policy.rules.map((rule) => rule.id)).toEqual([DEFAULT_RULE_ID]);
    const decide = decideFor(policy, { tenant: 'default' });
    for (const type of ['EMAIL', 'CREDIT_CARD', 'SECRET', 'PERSON', 'MY_CUSTOM']) {
      expect(decide({ start: 0, end: 1, type, score: 0.1, detector: 'x' }, 0).action).toBe('mask');
    }
    expect(policy.unmask.policies).toBe('');
    expect(policy.tenants.has('default')).toBe(true);
    expect(policy.warnings.join()).toMatch(/auth is disabled/);
  });

  it('is used when no file is named; --config wins over VEIL_CONFIG', () => {
    expect(loadPolicy(undefined).builtin).toBe(true);
    expect(policyPath(undefined, {})).toBeUndefined();
    expect(policyPath(undefined, { VEIL_CONFIG: 'a.yaml' })).toBe('a.yaml');
    expect(policyPath('b.yaml', { VEIL_CONFIG: 'a.yaml' })).toBe('b.yaml');
  });
});

describe('files', () => {
  it('reads a file and resolves jwks_file relative to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-policy-'));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [] }));
    writeFileSync(
      join(dir, 'veil.yaml'),
      `tenants: [{ id: acme, keys: [{ id: k, hash: '${HASH}', roles: [app] }] }]\nauth:\n  jwt: { issuer: https://idp.example/, audience: veil, jwks_file: jwks.json }\n`,
    );
    const policy = loadPolicyFile(join(dir, 'veil.yaml'));
    expect(policy.source).toBe(join(dir, 'veil.yaml'));
    expect(policy.auth.jwt?.jwks).toEqual({ keys: [] });
    expect(policy.keysByHash.get('a'.repeat(64))).toMatchObject({ id: 'k', tenant: 'acme', roles: ['app'] });
  });

  it('names a missing file and a missing JWKS file', () => {
    expect(() => loadPolicyFile('/nonexistent/veil.yaml')).toThrow(/no such file/);
    const dir = mkdtempSync(join(tmpdir(), 'veil-policy-'));
    writeFileSync(join(dir, 'veil.yaml'), `auth:\n  jwt:\n    issuer: https://idp.example/\n    audience: veil\n    jwks_file: missing.json\n`);
    expect(() => loadPolicyFile(join(dir, 'veil.yaml'))).toThrow(/veil\.yaml:5:16: auth\.jwt\.jwks_file: cannot read the JWKS file \(no such file\)/);
  });

  it('skips disabled keys', () => {
    const policy = parsePolicy(`tenants: [{ id: acme, keys: [{ id: k, hash: '${HASH}', disabled: true }] }]\n`);
    expect(policy.keysByHash.size).toBe(0);
  });
});

describe('custom entities', () => {
  it('accepts snake_case keys and points at the broken entry', () => {
    const issue = firstIssue(`detectors:
  custom:
    - { type: EMPLOYEE_ID, pattern: 'EMP-\\d{6}' }
    - { type: CODE_NAME, keywords: [] }
    - { type: CLINIC, ner_label: ORG, match: 'clinic' }
`);
    expect(issue).toMatchObject({ path: 'detectors.custom.1', line: 4, column: 7, message: expect.stringMatching(/keyword list is empty/) });
  });

  it('rejects a pattern that does not compile, without quoting it', () => {
    const issue = firstIssue(`detectors:\n  custom:\n    - { type: X_ID, pattern: '(maria' }\n`);
    expect(issue.path).toBe('detectors.custom.0');
    expect(issue.message).not.toContain('maria');
  });
});

describe('auth mode when the file does not say', () => {
  it('is disabled (loopback only) for a file with only gateway settings or keyless tenants', () => {
    expect(parsePolicy('server: { port: 8787 }\n').auth.mode).toBe('disabled');
    expect(parsePolicy('tenants: [{ id: acme }]\n').auth.mode).toBe('disabled');
  });

  it('is required as soon as a key or a JWT issuer is configured', () => {
    expect(parsePolicy(`tenants: [{ id: acme, keys: [{ id: k, hash: '${HASH}' }] }]\n`).auth.mode).toBe('required');
    expect(parsePolicy('auth:\n  jwt: { issuer: https://idp.example/, audience: veil, jwks_url: https://idp.example/jwks }\n').auth.mode).toBe('required');
  });

  it('follows an explicit setting', () => {
    expect(parsePolicy(`tenants: [{ id: acme, keys: [{ id: k, hash: '${HASH}' }] }]\nauth: { mode: disabled, anonymous: { tenant: acme } }\n`).auth.mode).toBe('disabled');
    expect(parsePolicy('auth: { mode: required }\n').warnings.join()).toMatch(/every request will be refused/);
  });
});

describe('sections shared with the gateway', () => {
  it('leaves providers (where upstreams are) to the gateway and reads provider_access', () => {
    const policy = parsePolicy('providers:\n  vllm: { url: http://127.0.0.1:8000/v1 }\nprovider_access:\n  vllm: { allow_caller_key: true }\n');
    expect(policy.warnings).toEqual(['auth is disabled: only loopback clients are served, as the anonymous tenant']);
    expect(policy.providers.get('vllm')).toMatchObject({ name: 'vllm', allowCallerKey: true, keyEnv: undefined, tenants: undefined });
  });
});
