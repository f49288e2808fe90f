import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mask } from '../../src/pipeline/mask.js';
import { authenticate } from '../../src/policy/authenticate.js';
import { buildDetectionEngine } from '../../src/policy/detectors.js';
import { loadPolicyFile, parsePolicy } from '../../src/policy/load.js';
import { decideFor, nonRehydratedTypes, type RuleContext } from '../../src/policy/rules.js';
import { resolveRoute } from '../../src/policy/routes.js';
import { UnmaskAuthorizer } from '../../src/policy/unmask.js';
import { loadConfigFile, resolveConfig } from '../../src/proxy/config.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';

// Each test checks one claim the comments of examples/veil.yaml make.
const EXAMPLE = 'examples/veil.yaml';
const policy = loadPolicyFile(EXAMPLE);
const engine = buildDetectionEngine(policy);

const CARD = '4111 1111 1111 1111';
const EMAIL = 'maria.lopez@example.com';
const SECRET = 'sk-proj-Zx8fK2mQ9vL4rT7wY1nB6cH3jD5sA0eGuIoPq';

async function run(text: string, ctx: RuleContext) {
  return mask([text], { engine, scope: new MemoryTokenScope(ctx.tenant), decide: decideFor(policy, ctx) });
}

const acmeApp: RuleContext = { tenant: 'acme', roles: ['app'], provider: 'openai', route: 'chat' };

describe('examples/veil.yaml behaves as its comments say', () => {
  it('loads without warnings and keeps its own rules (no implicit default)', () => {
    expect(policy.warnings).toEqual([]);
    expect(policy.rules.map((rule) => rule.id).at(-1)).toBe('default');
    expect(policy.tenants.get('acme')?.sessionTtlSeconds).toBe(86_400);
  });

  it('is also a valid gateway config (the gateway reads server, upstream and providers from it)', () => {
    expect(resolveConfig({ file: loadConfigFile(EXAMPLE) }).providers).toEqual({ experimental: 'http://127.0.0.1:9999/v1' });
  });

  it('is the example printed in docs/policy.md', () => {
    const docs = readFileSync('docs/policy.md', 'utf8');
    const block = /<!-- example: examples\/veil\.yaml -->\s*```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(block).toBeDefined();
    expect(parsePolicy(block ?? '').version).toBe(policy.version);
    expect(block).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('e-mails are pseudonymised (masked, reversible) for the regular provider', async () => {
    const result = await run(`Write to ${EMAIL} please`, acmeApp);
    expect(result.texts[0]).toBe('Write to <<EMAIL_1>> please');
    expect(result.entities[0]).toMatchObject({ action: 'mask', rule: 'names-emails-pseudonymised' });
  });

  it('card numbers are blocked for everyone but the payments team', async () => {
    const blocked = await run(`card ${CARD}`, acmeApp);
    expect(blocked.blocked.map((entity) => [entity.type, entity.rule])).toEqual([['CREDIT_CARD', 'cards-blocked']]);
    const payments = await run(`card ${CARD}`, { ...acmeApp, roles: ['app', 'payments'] });
    expect(payments.blocked).toEqual([]);
    // As a format-preserving (FF1) token: still 16 digits in groups of four, not the card.
    expect(payments.texts[0]).toMatch(/^card \d{4} \d{4} \d{4} \d{4}$/);
    expect(payments.texts[0]).not.toContain(CARD);
    expect(payments.entities[0]?.token).toBe(payments.texts[0]?.slice('card '.length));
    expect(payments.entities[0]?.rule).toBe('cards-payments');
    // ... and those tokens never come back in answers.
    expect([...nonRehydratedTypes(policy, { ...acmeApp, roles: ['payments'] }, ['CREDIT_CARD', 'EMAIL'])]).toEqual(['CREDIT_CARD']);
  });

  it('nothing personal goes to the experimental provider', async () => {
    const result = await run(`Write to ${EMAIL}`, { ...acmeApp, provider: 'experimental', route: 'lab' });
    expect(result.blocked.map((entity) => entity.rule)).toEqual(['experimental-nothing-personal']);
  });

  it('Globex may not use the experimental provider at all', () => {
    const principal = { tenant: 'globex', keyId: 'globex-app', roles: ['app'], method: 'api_key' as const };
    const request = { path: '/experimental/v1/chat/completions', provider: 'experimental', principal, headers: {}, env: {}, authorizationIsVeil: true };
    expect(resolveRoute(policy, request)).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('secrets leave as [SECRET], one-way', async () => {
    const result = await run(`key ${SECRET}`, acmeApp);
    expect(result.texts[0]).toBe('key [SECRET]');
    expect(result.entities[0]).toMatchObject({ action: 'redact', rule: 'secrets-redacted', token: undefined });
  });

  it('the public support address and docs links are never masked; postcodes are not detected', async () => {
    const text = 'Mail support@acme.example, see https://docs.acme.example/setup, ZIP 94103';
    const result = await run(text, acmeApp);
    expect(result.texts[0]).toBe(text);
  });

  it('the example keys authenticate to their tenants and roles', async () => {
    const cases: [string, string, string[]][] = [
      ['veil_example_acme_app', 'acme', ['app']],
      ['veil_example_acme_payments', 'acme', ['app', 'payments']],
      ['veil_example_acme_support', 'acme', ['support-lead']],
      ['veil_example_globex_app', 'globex', ['app', 'support-lead']],
    ];
    for (const [key, tenant, roles] of cases) {
      expect(await authenticate({ authorization: `Bearer ${key}` }, '10.0.0.1', policy)).toMatchObject({ ok: true, principal: { tenant, roles } });
    }
    expect(await authenticate({}, '127.0.0.1', policy)).toMatchObject({ ok: false, status: 401 });
  });

  it('only support-lead may unmask: never a secret, never another tenant', () => {
    const authorizer = new UnmaskAuthorizer(policy);
    const token = (type: string, tenant = 'acme') => ({ tenant, session: 's1', type, token: `${type}_1` });
    const decide = (tenant: string, roles: string[], type: string, tokenTenant = 'acme') =>
      authorizer.authorize({ principal: { tenant, keyId: 'k', roles }, resources: [token(type, tokenTenant)], reason: 'ticket 7' })[0]?.outcome;
    expect(decide('acme', ['support-lead'], 'EMAIL')).toBe('allowed');
    expect(decide('acme', ['app', 'payments'], 'EMAIL')).toBe('denied');
    expect(decide('acme', ['support-lead'], 'SECRET')).toBe('denied');
    expect(decide('globex', ['app', 'support-lead'], 'EMAIL', 'acme')).toBe('cross_tenant');
    expect(decide('globex', ['app', 'support-lead'], 'EMAIL', 'globex')).toBe('allowed');
    expect(authorizer.authorize({ principal: { tenant: 'acme', keyId: 'k', roles: ['support-lead'] }, resources: [token('EMAIL')], reason: '' })[0]?.outcome).toBe(
      'reason_required',
    );
  });
});

describe('custom entities in the example', () => {
  it('are detected and decided like built-in types', async () => {
    const result = await run('EMP-004211 works on Bluebird', acmeApp);
    expect(result.texts[0]).toBe('<<EMPLOYEE_ID_1>> works on <<PROJECT_CODE_1>>');
    expect(result.entities.map((entity) => entity.rule)).toEqual(['default', 'default']);
  });
});
