import { describe, expect, it } from 'vitest';
import { prepareEvent, type AuditEventInput } from '../../src/audit/event.js';
import type { Principal } from '../../src/policy/authenticate.js';
import { loadPolicyFile, parsePolicy } from '../../src/policy/load.js';
import { UnmaskService } from '../../src/policy/unmask-service.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';

const policy = loadPolicyFile('examples/veil.yaml');
const EMAIL = 'maria.lopez@example.com';
const PHONE = '+1 415 555 0132';
const SECRET = 'sk-proj-Zx8fK2mQ9vL4rT7wY1nB6cH3jD5sA0eGuIoPq';

function setup(service = policy) {
  const sessions = new Map<string, MemoryTokenScope>();
  const open = (tenant: string, session: string): MemoryTokenScope => {
    const key = `${tenant}/${session}`;
    let scope = sessions.get(key);
    if (scope === undefined) {
      scope = new MemoryTokenScope(tenant, session);
      sessions.set(key, scope);
    }
    return scope;
  };
  const issue = (tenant: string, session: string, type: string, value: string): string =>
    (open(tenant, session).tokenize([{ type, value, normalized: normalizeValue(type, value) }]) as string[])[0] as string;
  const events: AuditEventInput[] = [];
  const unmask = new UnmaskService({ policy: staticPolicySource(service), openScope: open, audit: (event) => events.push(event) });
  return { unmask, issue, events };
}

const support: Principal = { tenant: 'acme', keyId: 'acme-support', roles: ['support-lead'], method: 'api_key' };
const app: Principal = { tenant: 'acme', keyId: 'acme-app', roles: ['app'], method: 'api_key' };
const globexLead: Principal = { tenant: 'globex', keyId: 'globex-app', roles: ['app', 'support-lead'], method: 'api_key' };

describe('UnmaskService (POST /v1/veil/unmask)', () => {
  it('resolves allowed tokens in a text, leaves the others, and audits without values', async () => {
    const { unmask, issue, events } = setup();
    expect(issue('acme', 'chat-1', 'EMAIL', EMAIL)).toBe('EMAIL_1');
    expect(issue('acme', 'chat-1', 'SECRET', SECRET)).toBe('SECRET_1');
    const reply = await unmask.handle(support, { session: 'chat-1', reason: 'ticket 77', text: 'Mail <<EMAIL_1>>, key <<SECRET_1>>, gone <<PHONE_9>>' }, 'req-1');
    expect(reply.status).toBe(200);
    expect(reply.body['text']).toBe(`Mail ${EMAIL}, key <<SECRET_1>>, gone <<PHONE_9>>`);
    expect(reply.body['tokens']).toEqual([
      { token: 'EMAIL_1', type: 'EMAIL', allowed: true, outcome: 'allowed' },
      { token: 'SECRET_1', type: 'SECRET', allowed: false, outcome: 'denied' },
    ]);
    expect(events).toHaveLength(1);
    const event = prepareEvent(events[0] as AuditEventInput);
    expect(event).toMatchObject({
      kind: 'unmask',
      tenant: 'acme',
      principal: { key_id: 'acme-support', role: 'support-lead' },
      policy_version: policy.version,
      token_ids: ['EMAIL_1', 'SECRET_1'],
      entities: { EMAIL: { allow: 1 }, SECRET: { block: 1 } },
      outcome: 'ok',
      unmask: { allowed: true, tokens: 2 },
      request_id: 'req-1',
    });
    expect(JSON.stringify(event)).not.toContain('maria');
    expect(JSON.stringify(event)).not.toContain('sk-proj');
  });

  it('answers a token list with values only where allowed', async () => {
    const { unmask, issue } = setup();
    issue('acme', 's', 'EMAIL', EMAIL);
    issue('acme', 's', 'PHONE', PHONE);
    const reply = await unmask.handle(support, { session: 's', reason: 'r', tokens: ['EMAIL_1', '<<PHONE_1>>', 'EMAIL_7'] });
    expect(reply).toEqual({
      status: 200,
      body: {
        tokens: [
          { token: 'EMAIL_1', type: 'EMAIL', allowed: true, outcome: 'allowed', value: EMAIL },
          { token: 'PHONE_1', type: 'PHONE', allowed: true, outcome: 'allowed', value: PHONE },
          { token: 'EMAIL_7', type: 'EMAIL', allowed: false, outcome: 'not_found', value: null },
        ],
      },
    });
  });

  it('refuses roles the policy does not allow with 403, and audits the denial', async () => {
    const { unmask, issue, events } = setup();
    issue('acme', 's', 'EMAIL', EMAIL);
    const reply = await unmask.handle(app, { session: 's', reason: 'curious', tokens: ['EMAIL_1'] });
    expect(reply.status).toBe(403);
    expect(JSON.stringify(reply.body)).not.toContain('maria');
    expect(prepareEvent(events[0] as AuditEventInput)).toMatchObject({ outcome: 'denied', unmask: { allowed: false, tokens: 1 } });
  });

  it('never resolves another tenant\'s tokens, whatever the role', async () => {
    const { unmask, issue } = setup();
    issue('acme', 'shared-id', 'EMAIL', EMAIL);
    // Globex's support lead asks for the same session id: it opens Globex's own (empty) scope.
    const reply = await unmask.handle(globexLead, { session: 'shared-id', reason: 'r', tokens: ['EMAIL_1'] });
    expect(reply.status).toBe(200);
    expect(reply.body['tokens']).toEqual([{ token: 'EMAIL_1', type: 'EMAIL', allowed: false, outcome: 'not_found', value: null }]);
    const asText = await unmask.handle(globexLead, { session: 'shared-id', reason: 'r', text: 'x <<EMAIL_1>>' });
    expect(asText.body['text']).toBe('x <<EMAIL_1>>');
  });

  it('requires a reason', async () => {
    const { unmask, issue } = setup();
    issue('acme', 's', 'EMAIL', EMAIL);
    const reply = await unmask.handle(support, { session: 's', tokens: ['EMAIL_1'] });
    expect(reply.status).toBe(403);
    expect(reply.body['error']).toMatchObject({ message: expect.stringMatching(/reason/) });
  });

  it('validates the body without echoing it', async () => {
    const { unmask } = setup();
    const bad = [null, [], { tokens: ['EMAIL_1'] }, { session: 's' }, { session: 's', text: 'x', tokens: [] }, { session: 's', tokens: ['maria@example.com'] }];
    for (const body of bad) {
      const reply = await unmask.handle(support, body);
      expect(reply.status).toBe(400);
      expect(JSON.stringify(reply.body)).not.toContain('maria');
    }
  });

  it('rate-limits per key, counting every attempt', async () => {
    const limited = parsePolicy('tenants: [{ id: acme }]\nunmask:\n  rate_limit_per_minute: 2\n  policies: permit(principal, action, resource);\n');
    const { unmask } = setup(limited);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await unmask.handle(support, { session: 's', reason: 'r', tokens: ['EMAIL_1'] })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await unmask.handle(app, { session: 's', reason: 'r', tokens: ['EMAIL_1'] })).status).toBe(200);
  });
});
