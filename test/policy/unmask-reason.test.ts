/** The reason of every unmask attempt reaches the audit event, redacted and capped. */
import { describe, expect, it } from 'vitest';
import { AUDIT_REASON_MAX, isAuditReason, prepareEvent, type AuditEventInput } from '../../src/audit/event.js';
import { createDefaultEngine } from '../../src/detect/registry.js';
import { auditReason } from '../../src/policy/audit-reason.js';
import type { Principal } from '../../src/policy/authenticate.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { UnmaskService } from '../../src/policy/unmask-service.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';

const policy = loadPolicyFile('examples/veil.yaml');
const EMAIL = 'maria.lopez@example.com';
const support: Principal = { tenant: 'acme', keyId: 'acme-support', roles: ['support-lead'], method: 'api_key' };
const app: Principal = { tenant: 'acme', keyId: 'acme-app', roles: ['app'], method: 'api_key' };

function service(ratePerMinute?: number): { unmask: UnmaskService; events: AuditEventInput[] } {
  const scope = new MemoryTokenScope('acme', 'chat-1');
  scope.tokenize([{ type: 'EMAIL', value: EMAIL, normalized: normalizeValue('EMAIL', EMAIL) }]);
  const events: AuditEventInput[] = [];
  const source = ratePerMinute === undefined ? policy : { ...policy, unmask: { ...policy.unmask, ratePerMinute } };
  const unmask = new UnmaskService({ policy: staticPolicySource(source), openScope: () => scope, audit: (event) => events.push(event) });
  return { unmask, events };
}

const REASON = `Customer ${EMAIL} (+1 415 555 0132, account 8812 3345 99) asked on ticket 77 for her receipt`;

describe('unmask reason in the audit event', () => {
  it('stores the reason of an allowed attempt with the e-mail, phone and account number replaced', async () => {
    const { unmask, events } = service();
    const reply = await unmask.handle(support, { session: 'chat-1', reason: REASON, tokens: ['EMAIL_1'] });
    expect(reply.status).toBe(200);
    // A fixed id and time: prepareEvent would fill in a random UUID and the clock's milliseconds,
    // which hold '555' by chance in about one run in 170.
    const stored = prepareEvent({ ...(events[0] as AuditEventInput), id: '00000000-0000-4000-8000-000000000001' }, () => new Date('2026-01-01T00:00:00.000Z'));
    const reason = stored.unmask?.reason ?? '';
    expect(reason).toBe('Customer [EMAIL] ([PHONE], account [ACCOUNT]) asked on ticket 77 for her receipt');
    expect(JSON.stringify(stored)).not.toContain(EMAIL);
    expect(JSON.stringify(stored)).not.toContain('555');
  });

  it('stores it for denied, malformed and rate-limited attempts too', async () => {
    const denied = service();
    expect((await denied.unmask.handle(app, { session: 'chat-1', reason: `for ${EMAIL}`, tokens: ['EMAIL_1'] })).status).toBe(403);
    expect(prepareEvent(denied.events[0] as AuditEventInput)).toMatchObject({ outcome: 'denied', unmask: { allowed: false, reason: 'for [EMAIL]' } });

    const malformed = service();
    expect((await malformed.unmask.handle(support, { reason: `for ${EMAIL}`, tokens: 'EMAIL_1' })).status).toBe(400);
    expect(prepareEvent(malformed.events[0] as AuditEventInput).unmask?.reason).toBe('for [EMAIL]');

    const limited = service(1);
    await limited.unmask.handle(support, { session: 'chat-1', reason: 'first', tokens: ['EMAIL_1'] });
    expect((await limited.unmask.handle(support, { session: 'chat-1', reason: `again ${EMAIL}`, tokens: ['EMAIL_1'] })).status).toBe(429);
    expect(prepareEvent(limited.events[1] as AuditEventInput).unmask?.reason).toBe('again [EMAIL]');
  });

  it('leaves the field out when no reason was given, so such events hash as before', async () => {
    const { unmask, events } = service();
    await unmask.handle(support, { session: 'chat-1', tokens: ['EMAIL_1'] });
    expect(prepareEvent(events[0] as AuditEventInput).unmask).toEqual({ allowed: false, tokens: 1 });
  });

  it(`caps the stored reason at ${AUDIT_REASON_MAX} characters and makes it one line`, async () => {
    const reason = await auditReason(`line one\nline\ttwo ${'very long reason '.repeat(100)}`, createDefaultEngine());
    expect(reason?.length).toBe(AUDIT_REASON_MAX);
    expect(reason).toMatch(/^line one line two very long/);
    expect(reason?.endsWith('…')).toBe(true);
    expect(isAuditReason(reason ?? '')).toBe(true);
  });

  it('the event refuses a reason that was not redacted', () => {
    const base: AuditEventInput = { kind: 'unmask', tenant: 'acme', unmask: { allowed: false, tokens: 0 } };
    for (const raw of [`mail ${EMAIL}`, 'call 415 555 0132', 'x'.repeat(AUDIT_REASON_MAX + 1), 'two\nlines']) {
      expect(() => prepareEvent({ ...base, unmask: { allowed: false, tokens: 0, reason: raw } })).toThrow(/unmask\.reason/);
    }
    expect(prepareEvent({ ...base, unmask: { allowed: false, tokens: 0, reason: 'ticket 77 for [EMAIL]' } }).unmask?.reason).toBe('ticket 77 for [EMAIL]');
  });
});
