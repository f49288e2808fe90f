import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/span.js';
import { DEFAULT_RULE_ID } from '../../src/policy/policy.js';
import { parsePolicy } from '../../src/policy/load.js';
import { decideFor, explainSpan, nonRehydratedTypes, type RuleContext } from '../../src/policy/rules.js';

const policy = parsePolicy(`
tenants:
  - id: acme
  - id: globex
provider_access:
  openai: {}
  lab: {}
routes:
  - { id: chat, path: /v1/chat/completions }
  - { id: agent, path: /agents/support/* }
rules:
  - id: lab-block
    when: { provider: lab }
    action: block
  - id: cards-payments
    when: { entity: CREDIT_CARD, role: payments }
    action: mask
    format: fpe
  - id: cards-block
    when: { entity: CREDIT_CARD }
    action: block
  - id: globex-emails-redacted
    when: { entity: EMAIL, tenant: globex }
    action: redact
  - id: agent-phones-allowed
    when: { entity: PHONE, route: agent }
    action: allow
  - id: confident-ids-one-way
    when: { entity: ID, min_score: 0.8 }
    action: mask
    rehydrate: false
  - id: dates-allowed
    when: { entities: [DATE, TIME] }
    action: allow
`);

function span(type: string, score = 0.9): Span {
  return { start: 0, end: 4, type, score, detector: 'test' };
}

const acmeApp: RuleContext = { tenant: 'acme', roles: ['app'], provider: 'openai', route: 'chat' };

const cases: { name: string; ctx: RuleContext; type: string; score?: number; action: string; rule: string }[] = [
  { name: 'provider block wins over everything', ctx: { ...acmeApp, provider: 'lab' }, type: 'EMAIL', action: 'block', rule: 'lab-block' },
  { name: 'provider block applies to any type', ctx: { ...acmeApp, provider: 'lab' }, type: 'CREDIT_CARD', action: 'block', rule: 'lab-block' },
  { name: 'card for payments role is masked', ctx: { ...acmeApp, roles: ['app', 'payments'] }, type: 'CREDIT_CARD', action: 'mask', rule: 'cards-payments' },
  { name: 'card for other roles is blocked', ctx: acmeApp, type: 'CREDIT_CARD', action: 'block', rule: 'cards-block' },
  { name: 'card with no roles is blocked', ctx: { tenant: 'acme' }, type: 'CREDIT_CARD', action: 'block', rule: 'cards-block' },
  { name: 'tenant condition matches its tenant', ctx: { ...acmeApp, tenant: 'globex' }, type: 'EMAIL', action: 'redact', rule: 'globex-emails-redacted' },
  { name: 'tenant condition skips other tenants', ctx: acmeApp, type: 'EMAIL', action: 'mask', rule: DEFAULT_RULE_ID },
  { name: 'route condition matches its route', ctx: { ...acmeApp, route: 'agent' }, type: 'PHONE', action: 'allow', rule: 'agent-phones-allowed' },
  { name: 'route condition skips other routes', ctx: acmeApp, type: 'PHONE', action: 'mask', rule: DEFAULT_RULE_ID },
  { name: 'route condition needs a route', ctx: { tenant: 'acme' }, type: 'PHONE', action: 'mask', rule: DEFAULT_RULE_ID },
  { name: 'parent type matches a fine type', ctx: acmeApp, type: 'PASSPORT', action: 'mask', rule: 'confident-ids-one-way' },
  { name: 'min_score met', ctx: acmeApp, type: 'ID', score: 0.8, action: 'mask', rule: 'confident-ids-one-way' },
  { name: 'min_score not met falls through', ctx: acmeApp, type: 'ID', score: 0.79, action: 'mask', rule: DEFAULT_RULE_ID },
  { name: 'entities list, first item', ctx: acmeApp, type: 'DATE', action: 'allow', rule: 'dates-allowed' },
  { name: 'entities list, second item', ctx: acmeApp, type: 'TIME', action: 'allow', rule: 'dates-allowed' },
  { name: 'fine type of a listed parent', ctx: acmeApp, type: 'DATE_OF_BIRTH', action: 'allow', rule: 'dates-allowed' },
  { name: 'unlisted type gets the implicit default', ctx: acmeApp, type: 'PERSON', action: 'mask', rule: DEFAULT_RULE_ID },
  { name: 'custom entity types are plain names', ctx: acmeApp, type: 'EMPLOYEE_ID', action: 'mask', rule: DEFAULT_RULE_ID },
];

describe('rule matching (first match wins)', () => {
  it.each(cases)('$name', ({ ctx, type, score, action, rule }) => {
    const decision = decideFor(policy, ctx)(span(type, score), 0);
    expect(decision.action).toBe(action);
    expect(decision.rule).toBe(rule);
    // explain agrees with the compiled fast path
    expect(explainSpan(policy, ctx, span(type, score)).decision).toEqual(decision);
  });

  it('carries format and rehydrate settings of the deciding rule', () => {
    const payments = decideFor(policy, { ...acmeApp, roles: ['payments'] })(span('CREDIT_CARD'), 0);
    expect(payments.format).toBe('fpe');
    const id = decideFor(policy, acmeApp)(span('ID', 0.95), 0);
    expect(id.rehydrate).toBe(false);
  });

  it('caches one decide function per context and policy', () => {
    expect(decideFor(policy, acmeApp)).toBe(decideFor(policy, { ...acmeApp }));
    expect(decideFor(policy, acmeApp)).not.toBe(decideFor(policy, { ...acmeApp, provider: 'lab' }));
    // role order does not matter
    expect(decideFor(policy, { tenant: 'acme', roles: ['a', 'b'] })).toBe(decideFor(policy, { tenant: 'acme', roles: ['b', 'a'] }));
  });

  it('explains why earlier rules did not apply', () => {
    const explanation = explainSpan(policy, acmeApp, { type: 'EMAIL', score: 0.9 });
    expect(explanation.skipped).toEqual([
      { rule: 'lab-block', reason: 'provider' },
      { rule: 'cards-payments', reason: 'entity' },
      { rule: 'cards-block', reason: 'entity' },
      { rule: 'globex-emails-redacted', reason: 'tenant' },
      { rule: 'agent-phones-allowed', reason: 'entity' },
      { rule: 'confident-ids-one-way', reason: 'entity' },
      { rule: 'dates-allowed', reason: 'entity' },
    ]);
    expect(explainSpan(policy, { ...acmeApp, roles: [] }, { type: 'CREDIT_CARD', score: 1 }).skipped).toContainEqual({
      rule: 'cards-payments',
      reason: 'role',
    });
    expect(explainSpan(policy, acmeApp, { type: 'ID', score: 0.5 }).skipped).toContainEqual({ rule: 'confident-ids-one-way', reason: 'min_score' });
  });

  it('lists types whose tokens must not be rehydrated', () => {
    expect([...nonRehydratedTypes(policy, acmeApp, ['ID', 'PASSPORT', 'EMAIL'])]).toEqual(['ID', 'PASSPORT']);
  });

  it('uses a catch-all rule at the end as the default instead of adding one', () => {
    const withDefault = parsePolicy(`
rules:
  - { id: emails, when: { entity: EMAIL }, action: redact }
  - { id: fallback, action: allow }
`);
    expect(withDefault.rules.map((rule) => rule.id)).toEqual(['emails', 'fallback']);
    expect(decideFor(withDefault, { tenant: 'default' })(span('PHONE'), 0)).toMatchObject({ action: 'allow', rule: 'fallback' });
  });

  it('decides a million spans quickly (hot path)', () => {
    const decide = decideFor(policy, acmeApp);
    const spans = ['EMAIL', 'PHONE', 'ID', 'DATE', 'CREDIT_CARD', 'PERSON'].map((type, index) => span(type, 0.5 + index / 12));
    const started = performance.now();
    let masked = 0;
    for (let i = 0; i < 1_000_000; i++) if (decide(spans[i % spans.length] as Span, 0).action === 'mask') masked++;
    expect(masked).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
