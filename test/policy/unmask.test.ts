import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load.js';
import { UnmaskAuthorizer, UnmaskRateLimiter, type UnmaskPrincipal, type UnmaskResource } from '../../src/policy/unmask.js';

const policy = parsePolicy(`
tenants: [{ id: acme }, { id: globex }]
unmask:
  policies: |
    @id("support-lead")
    permit (principal in Veil::Role::"support-lead", action == Veil::Action::"unmask", resource)
    when { principal.tenant == resource.tenant };

    @id("auditor-emails-office-hours")
    permit (principal, action == Veil::Action::"unmask", resource)
    when { principal.roles.contains("auditor") && resource.type == "EMAIL"
           && context.hour_utc >= 8 && context.hour_utc < 18 };

    @id("secrets-never")
    forbid (principal, action, resource) when { resource.parent_type == "SECRET" };

    @id("everyone-everywhere")
    permit (principal, action, resource) when { principal.roles.contains("root") };
`);

const authorizer = new UnmaskAuthorizer(policy);
const NOON = new Date('2026-11-24T12:00:00Z');
const NIGHT = new Date('2026-11-24T23:00:00Z');

function principal(tenant: string, ...roles: string[]): UnmaskPrincipal {
  return { tenant, keyId: `${tenant}-key`, roles };
}

function token(type: string, tenant = 'acme'): UnmaskResource {
  return { tenant, session: 'chat-42', type, token: `${type}_1` };
}

const cases: {
  name: string;
  who: UnmaskPrincipal;
  what: UnmaskResource;
  reason?: string;
  time?: Date;
  allowed: boolean;
  outcome: string;
  policies?: string[];
}[] = [
  { name: 'support lead, own tenant', who: principal('acme', 'support-lead'), what: token('EMAIL'), allowed: true, outcome: 'allowed', policies: ['support-lead'] },
  { name: 'support lead, fine type', who: principal('acme', 'support-lead'), what: token('PASSPORT'), allowed: true, outcome: 'allowed' },
  { name: 'app role is denied', who: principal('acme', 'app'), what: token('EMAIL'), allowed: false, outcome: 'denied', policies: [] },
  { name: 'no roles is denied', who: principal('acme'), what: token('EMAIL'), allowed: false, outcome: 'denied' },
  { name: 'forbid beats permit (secret)', who: principal('acme', 'support-lead'), what: token('SECRET'), allowed: false, outcome: 'denied', policies: ['secrets-never'] },
  { name: 'context: auditor in office hours', who: principal('acme', 'auditor'), what: token('EMAIL'), time: NOON, allowed: true, outcome: 'allowed' },
  { name: 'context: auditor at night', who: principal('acme', 'auditor'), what: token('EMAIL'), time: NIGHT, allowed: false, outcome: 'denied' },
  { name: 'auditor, other type', who: principal('acme', 'auditor'), what: token('PHONE'), time: NOON, allowed: false, outcome: 'denied' },
  { name: 'cross-tenant support lead', who: principal('globex', 'support-lead'), what: token('EMAIL', 'acme'), allowed: false, outcome: 'cross_tenant', policies: [] },
  // A policy that would allow anything anywhere is never asked across tenants.
  { name: 'cross-tenant root', who: principal('globex', 'root'), what: token('EMAIL', 'acme'), allowed: false, outcome: 'cross_tenant' },
  { name: 'same-tenant root', who: principal('acme', 'root'), what: token('EMAIL', 'acme'), allowed: true, outcome: 'allowed' },
  { name: 'reason required', who: principal('acme', 'support-lead'), what: token('EMAIL'), reason: '  ', allowed: false, outcome: 'reason_required' },
];

describe('unmask authorisation (Cedar)', () => {
  it.each(cases)('$name', ({ who, what, reason, time, allowed, outcome, policies }) => {
    const [decision] = authorizer.authorize({ principal: who, resources: [what], reason: reason ?? 'ticket 1234', ...(time === undefined ? {} : { time }) });
    expect(decision).toMatchObject({ token: what.token, type: what.type, allowed, outcome });
    if (policies !== undefined) expect(decision?.policies).toEqual(policies);
  });

  it('decides each token of a request on its own', () => {
    const decisions = authorizer.authorize({
      principal: principal('acme', 'support-lead'),
      resources: [token('EMAIL'), token('SECRET'), token('PHONE', 'globex')],
      reason: 'ticket',
    });
    expect(decisions.map((decision) => decision.outcome)).toEqual(['allowed', 'denied', 'cross_tenant']);
  });

  it('denies everything when the policy has no unmask policies (built-in default)', () => {
    const empty = new UnmaskAuthorizer(parsePolicy('tenants: [{ id: acme }]\n'));
    const [decision] = empty.authorize({ principal: principal('acme', 'root', 'support-lead'), resources: [token('EMAIL')], reason: 'x' });
    expect(decision).toMatchObject({ allowed: false, outcome: 'denied' });
  });

  it('can be told not to require a reason', () => {
    const noReason = new UnmaskAuthorizer(
      parsePolicy('unmask:\n  require_reason: false\n  policies: permit(principal, action, resource);\n'),
    );
    expect(noReason.authorize({ principal: principal('default'), resources: [token('EMAIL', 'default')], reason: undefined })[0]?.allowed).toBe(true);
  });
});

describe('unmask rate limit', () => {
  it('counts every attempt per key per minute', () => {
    const limiter = new UnmaskRateLimiter(3);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map((i) => limiter.take('k1', t0 + i))).toEqual([true, true, true, false]);
    expect(limiter.take('k2', t0 + 5)).toBe(true);
    expect(limiter.take('k1', t0 + 60_001)).toBe(true);
  });
});
