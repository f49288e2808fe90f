/** POST /v1/veil/unmask for tokens in the formats a policy can choose: opaque and fpe, not only placeholders. */
import { describe, expect, it } from 'vitest';
import { prepareEvent, type AuditEventInput } from '../../src/audit/event.js';
import type { Principal } from '../../src/policy/authenticate.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { UnmaskService } from '../../src/policy/unmask-service.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import type { TokenFormatName } from '../../src/vault/tokens/formats.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';

const policy = loadPolicyFile('examples/veil.yaml');
const EMAIL = 'maria.lopez@example.com';
const CARD = '4111 1111 1111 1111';
const support: Principal = { tenant: 'acme', keyId: 'acme-support', roles: ['support-lead'], method: 'api_key' };
const app: Principal = { tenant: 'acme', keyId: 'acme-app', roles: ['app'], method: 'api_key' };

function setup() {
  const sessions = new Map<string, MemoryTokenScope>();
  const open = (tenant: string, session: string): MemoryTokenScope => {
    const key = `${tenant}/${session}`;
    const scope = sessions.get(key) ?? new MemoryTokenScope(tenant, session);
    sessions.set(key, scope);
    return scope;
  };
  const issue = (session: string, type: string, value: string, format: TokenFormatName): string =>
    (open('acme', session).tokenize([{ type, value, normalized: normalizeValue(type, value), format }]) as string[])[0] as string;
  const events: AuditEventInput[] = [];
  const unmask = new UnmaskService({ policy: staticPolicySource(policy), openScope: open, audit: (event) => events.push(event) });
  return { unmask, issue, events };
}

describe('unmask of opaque and fpe tokens', () => {
  it('resolves them by id (any case, any separators) for an allowed role, with their types', async () => {
    const { unmask, issue, events } = setup();
    const email = issue('chat-1', 'EMAIL', EMAIL, 'opaque');
    const card = issue('chat-1', 'CREDIT_CARD', CARD, 'fpe');
    const reply = await unmask.handle(support, { session: 'chat-1', reason: 'ticket 9', tokens: [email.toLowerCase(), card.replace(/ /g, '-')] });
    expect(reply.status).toBe(200);
    expect(reply.body['tokens']).toEqual([
      { token: email, type: 'EMAIL', allowed: true, outcome: 'allowed', value: EMAIL },
      { token: card.replace(/\D/g, ''), type: 'CREDIT_CARD', allowed: true, outcome: 'allowed', value: CARD },
    ]);
    const event = prepareEvent(events[0] as AuditEventInput);
    expect(event.entities).toEqual({ EMAIL: { allow: 1 }, CREDIT_CARD: { allow: 1 } });
    expect(event.token_ids).toEqual([email, card.replace(/\D/g, '')]);
    expect(JSON.stringify(event)).not.toContain(EMAIL);
  });

  it('puts them back in a text only where Cedar allows', async () => {
    const { unmask, issue } = setup();
    const email = issue('chat-2', 'EMAIL', EMAIL, 'opaque');
    const card = issue('chat-2', 'CREDIT_CARD', CARD, 'fpe');
    const text = `Card ${card}, mail ${email}.`;
    const lead = await unmask.handle(support, { session: 'chat-2', reason: 'ticket 9', text });
    expect(lead.body['text']).toBe(`Card ${CARD}, mail ${EMAIL}.`);
    const denied = await unmask.handle(app, { session: 'chat-2', reason: 'curious', text });
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).not.toContain(EMAIL);
  });

  it('resolves nothing from another session, and refuses what is no token', async () => {
    const { unmask, issue } = setup();
    const email = issue('chat-3', 'EMAIL', EMAIL, 'opaque');
    const other = await unmask.handle(support, { session: 'chat-4', reason: 'r', tokens: [email] });
    expect(other.body['tokens']).toEqual([{ token: email, type: 'EMAIL', allowed: false, outcome: 'not_found', value: null }]);
    expect((await unmask.handle(support, { session: 'chat-3', reason: 'r', tokens: ['12345'] })).status).toBe(400);
    expect((await unmask.handle(support, { session: 'chat-3', reason: 'r', tokens: ['maria'] })).status).toBe(400);
  });
});
