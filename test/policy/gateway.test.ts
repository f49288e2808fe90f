import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEvent, type AuditEventInput } from '../../src/audit/event.js';
import { Veil } from '../../src/engine.js';
import { hashApiKey } from '../../src/policy/keys.js';
import { PolicyWatcher } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { startMockUpstream, type MockUpstream } from '../proxy/helpers/mock-upstream.js';

// The policy wired into the gateway: auth, routes and provider keys, rules, unmask, hot reload.
const KEYS = {
  app: 'veil_test_acme_app',
  pay: 'veil_test_acme_payments',
  lead: 'veil_test_acme_lead',
  globexLead: 'veil_test_globex_lead',
};
const EMAIL = 'maria.garcia@example.com';
const CARD = '4111 1111 1111 1111';
const SSN = '123-45-6789';

function policyText(emailAction = 'mask'): string {
  return `
tenants:
  - id: acme
    session_ttl: 1h
    keys:
      - { id: acme-app, hash: '${hashApiKey(KEYS.app)}', roles: [app] }
      - { id: acme-pay, hash: '${hashApiKey(KEYS.pay)}', roles: [app, payments] }
      - { id: acme-lead, hash: '${hashApiKey(KEYS.lead)}', roles: [support-lead] }
  - id: globex
    keys:
      - { id: globex-lead, hash: '${hashApiKey(KEYS.globexLead)}', roles: [support-lead] }
provider_access:
  openai: { key_env: TEST_PROVIDER_KEY }
  byok: { allow_caller_key: true, tenants: [acme] }
routes:
  - { id: chat, path: /v1/chat/completions }
  - { id: models, path: /v1/models }
  - { id: byok, path: /byok/* }
rules:
  - { id: cards-payments, when: { entity: CREDIT_CARD, role: payments }, action: mask, rehydrate: false }
  - { id: cards-block, when: { entity: CREDIT_CARD }, action: block }
  - { id: ssn-redact, when: { entity: SSN }, action: redact }
  - { id: emails, when: { entity: EMAIL }, action: ${emailAction} }
unmask:
  policies: |
    permit (principal in Veil::Role::"support-lead", action, resource);
`;
}

let upstream: MockUpstream;
let gateway: Gateway;
let base: string;
let file: string;
let watcher: PolicyWatcher;
const audited: AuditEventInput[] = [];

beforeAll(async () => {
  upstream = await startMockUpstream();
  file = join(mkdtempSync(join(tmpdir(), 'veil-gw-policy-')), 'veil.yaml');
  writeFileSync(file, policyText());
  watcher = new PolicyWatcher(file, { debounceMs: 10 }).start();
  // The gateway's own settings: OpenAI upstream and a named OpenAI-compatible provider `byok`.
  const config = resolveConfig({ flags: { port: 0, upstream: upstream.url, providers: { byok: upstream.url } } });
  gateway = new Gateway({
    veil: new Veil(),
    config,
    policy: watcher,
    env: { TEST_PROVIDER_KEY: 'sk-from-env' },
    audit: (event) => audited.push(event),
  });
  base = (await gateway.listen()).url;
});

afterAll(async () => {
  watcher.close();
  await gateway.close(200);
  await upstream.close();
});

async function chat(content: string, headers: Record<string, string>, path = '/v1/chat/completions') {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: Record<string, unknown>; choices?: { message: { content: string } }[] } };
}

function answer(body: { choices?: { message: { content: string } }[] }): string {
  return body.choices?.[0]?.message.content ?? '';
}

describe('gateway with a policy', () => {
  it('refuses a request without a Veil key with 401 in the OpenAI error shape; nothing reaches the provider', async () => {
    const before = upstream.recorded.length;
    const result = await chat(`mail ${EMAIL}`, { authorization: 'Bearer sk-some-provider-key' });
    expect(result.status).toBe(401);
    expect(result.body.error).toMatchObject({ type: 'authentication_error', code: 'unauthorized', param: null });
    expect(upstream.recorded.length).toBe(before);
  });

  it('authenticates, masks, sends the provider key from the environment and never forwards the Veil key', async () => {
    const result = await chat(`mail ${EMAIL}`, { authorization: `Bearer ${KEYS.app}` });
    expect(result.status).toBe(200);
    expect(answer(result.body)).toBe(`0: Seen: ${EMAIL}`);
    const sent = upstream.recorded.at(-1);
    expect(sent?.body).not.toContain(EMAIL);
    expect(sent?.body).toContain('<<EMAIL_1>>');
    expect(sent?.headers['authorization']).toBe('Bearer sk-from-env');
    expect(JSON.stringify(sent?.headers)).not.toContain(KEYS.app);
  });

  it('blocks a card with 403 veil_blocked naming the type, never the value', async () => {
    const before = upstream.recorded.length;
    const result = await chat(`card ${CARD}`, { 'x-veil-key': KEYS.app });
    expect(result.status).toBe(403);
    expect(result.body.error).toMatchObject({ code: 'veil_blocked' });
    expect(String(result.body.error?.['message'])).toMatch(/CREDIT_CARD/);
    expect(JSON.stringify(result.body)).not.toContain('4111');
    expect(upstream.recorded.length).toBe(before);
  });

  it('lets the payments role send a card as a token that does not come back; redacts SSNs', async () => {
    const result = await chat(`card ${CARD}, mail ${EMAIL}, ssn ${SSN}`, { 'x-veil-key': KEYS.pay });
    expect(result.status).toBe(200);
    const sent = upstream.recorded.at(-1)?.body ?? '';
    expect(sent).toContain('<<CREDIT_CARD_1>>');
    expect(sent).toContain('[SSN]');
    expect(sent).not.toContain('4111');
    expect(sent).not.toContain(SSN);
    expect(answer(result.body)).toBe(`0: Seen: <<CREDIT_CARD_1>> ${EMAIL}`);
  });

  it('enforces provider allow-lists and caller keys', async () => {
    const globex = await chat('hello', { 'x-veil-key': KEYS.globexLead }, '/byok/v1/chat/completions');
    expect(globex.status).toBe(403);
    expect(globex.body.error).toMatchObject({ type: 'permission_error' });
    const own = await chat('hello', { 'x-veil-key': KEYS.app, 'x-veil-provider-key': 'sk-caller' }, '/byok/v1/chat/completions');
    expect(own.status).toBe(200);
    const sent = upstream.recorded.at(-1);
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers['authorization']).toBe('Bearer sk-caller');
    expect(sent?.headers['x-veil-provider-key']).toBeUndefined();
    const refused = await chat('hello', { 'x-veil-key': KEYS.app, 'x-veil-provider-key': 'sk-caller' });
    expect(refused.status).toBe(403);
  });

  it("refuses an unlisted path of another provider before anything is sent, in that provider's error shape", async () => {
    const before = upstream.recorded.length;
    const response = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant', 'x-veil-key': KEYS.app },
      body: JSON.stringify({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: `mail ${EMAIL}` }] }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(upstream.recorded.length).toBe(before);
  });

  it('answers 404 for a path no route serves', async () => {
    const response = await fetch(`${base}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-veil-key': KEYS.app },
      body: JSON.stringify({ model: 'm', input: 'x' }),
    });
    expect(response.status).toBe(404);
  });

  it('POST /v1/veil/unmask: support lead of the tenant only', async () => {
    const first = await chat(`mail ${EMAIL}`, { 'x-veil-key': KEYS.app, 'x-veil-session': 'case-9' });
    expect(first.status).toBe(200);
    const unmask = async (key: string, body: unknown) => {
      const response = await fetch(`${base}/v1/veil/unmask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-veil-key': key },
        body: JSON.stringify(body),
      });
      if (response.status !== 401) expect(response.headers.get('cache-control')).toBe('no-store');
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const lead = await unmask(KEYS.lead, { session: 'case-9', reason: 'ticket 9', text: 'Reply to <<EMAIL_1>>' });
    expect(lead).toEqual({ status: 200, body: { text: `Reply to ${EMAIL}`, tokens: [{ token: 'EMAIL_1', type: 'EMAIL', allowed: true, outcome: 'allowed' }] } });
    const app = await unmask(KEYS.app, { session: 'case-9', reason: `curious about ${EMAIL}`, tokens: ['EMAIL_1'] });
    expect(app.status).toBe(403);
    expect(JSON.stringify(app.body)).not.toContain(EMAIL);
    const otherTenant = await unmask(KEYS.globexLead, { session: 'case-9', reason: 'r', tokens: ['EMAIL_1'] });
    expect(otherTenant.body['tokens']).toEqual([{ token: 'EMAIL_1', type: 'EMAIL', allowed: false, outcome: 'not_found', value: null }]);
    expect((await unmask('veil_nope', { session: 'case-9', tokens: ['EMAIL_1'] })).status).toBe(401);
    // One audit event per authenticated attempt, allowed or not, with no value in it.
    expect(audited.map((event) => [event.principal?.key_id, event.outcome])).toEqual([
      ['acme-lead', 'ok'],
      ['acme-app', 'denied'],
      ['globex-lead', 'denied'],
    ]);
    for (const event of audited) expect(JSON.stringify(prepareEvent(event))).not.toContain('maria');
    // The reason is kept, redacted: the e-mail in the denied attempt's reason is not.
    expect(audited.map((event) => event.unmask?.reason)).toEqual(['ticket 9', 'curious about [EMAIL]', 'r']);
  });

  it('reloads under load: a client loop runs while the file changes and breaks, no request fails', async () => {
    let running = true;
    const statuses: number[] = [];
    const seen = new Set<string>();
    const client = (async () => {
      while (running) {
        const result = await chat(`mail ${EMAIL}`, { 'x-veil-key': KEYS.app });
        statuses.push(result.status);
        const sent = upstream.recorded.at(-1)?.body ?? '';
        seen.add(sent.includes('[EMAIL]') ? 'redact' : sent.includes('<<EMAIL_1>>') ? 'mask' : 'other');
      }
    })();
    const versions = [policyText('redact'), 'rules: [ {', policyText('mask'), policyText('redact')];
    for (const text of versions) {
      writeFileSync(file, text);
      // Long enough for a few requests under each version, even on a busy machine.
      const until = Date.now() + 400;
      const count = statuses.length;
      while (Date.now() < until || statuses.length < count + 2) await sleep(20);
    }
    running = false;
    await client;
    expect(statuses.length).toBeGreaterThanOrEqual(8);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect([...seen].sort()).toEqual(['mask', 'redact']);
    expect(watcher.current.rules.find((rule) => rule.id === 'emails')?.action).toBe('redact');
  });
});
