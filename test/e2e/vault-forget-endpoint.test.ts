/**
 * `POST /v1/veil/vault/forget` through the gateway: an erased session's tokens no longer
 * rehydrate, a whole tenant's data key is shredded, other sessions and tenants are untouched,
 * only admins may call it, and the audit record holds counts and ids, never values.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { hashApiKey } from '../../src/policy/keys.js';
import { parsePolicy } from '../../src/policy/load.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { Vault } from '../../src/vault/vault.js';
import { chatCompletion, sendJson, startMockUpstream } from '../proxy/helpers/mock-upstream.js';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const EMAIL_A = 'maria.garcia@example.com';
const EMAIL_B = 'jonathan.whitfield@corp.example';
const KEYS = { acmeAdmin: 'veil_acme_admin_key_1', acmeApp: 'veil_acme_app_key_1', globexApp: 'veil_globex_app_key_1' };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly url: string;
  readonly vault: Vault;
  readonly auditText: () => Promise<string>;
}

async function start(policyText?: string): Promise<Setup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-forget-'));
  // A model that always answers with the first e-mail token, whatever the request held: after
  // an erasure the token comes back as it is, because nothing can resolve it any more.
  const upstream = await startMockUpstream();
  upstream.handle((_request, res) => sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: 'About <<EMAIL_1>>.' }, finish_reason: 'stop' }])));
  const vault = await Vault.open({ dataDir, masterKey: MASTER_KEY, env: {} });
  const telemetry = await Telemetry.open({ dataDir, env: {} });
  const gateway = new Gateway({
    veil: new Veil({ vault }),
    vault,
    config: resolveConfig({ flags: { port: 0, upstream: upstream.url } }),
    telemetry,
    ...(policyText === undefined ? {} : { policy: staticPolicySource(parsePolicy(policyText)) }),
  });
  const { url } = await gateway.listen();
  cleanups.push(async () => {
    await gateway.close();
    await telemetry.close();
    await vault.close();
    await upstream.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const auditText = async (): Promise<string> => {
    await telemetry.audit.flush();
    const dir = join(dataDir, 'audit');
    const names = (await readdir(dir)).filter((name) => name.endsWith('.jsonl'));
    return (await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')))).join('\n');
  };
  return { url, vault, auditText };
}

async function chat(url: string, session: string, content: string, key?: string): Promise<{ status: number; answer: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-veil-session': session, ...(key === undefined ? {} : { 'x-veil-key': key }) },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
  });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, answer: text };
  const body = JSON.parse(text) as { choices: { message: { content: string } }[] };
  return { status: 200, answer: body.choices[0]?.message.content ?? '' };
}

async function forget(url: string, body: unknown, key?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/v1/veil/vault/forget`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /v1/veil/vault/forget', () => {
  it('erases one session: its tokens stop rehydrating, another session keeps its own', async () => {
    const { url, vault, auditText } = await start();
    expect(await chat(url, 'chat-1', `Write to ${EMAIL_A}`)).toEqual({ status: 200, answer: `About ${EMAIL_A}.` });
    expect(await chat(url, 'chat-2', `Write to ${EMAIL_B}`)).toEqual({ status: 200, answer: `About ${EMAIL_B}.` });

    const erased = await forget(url, { tenant: 'default', session: 'chat-1' });
    expect(erased).toEqual({
      status: 200,
      body: { object: 'veil.vault.forget', tenant: 'default', session: 'chat-1', deleted_entries: 1, data_key_deleted: false },
    });
    // The next turn of the erased session: the model's token has nothing behind it any more.
    expect((await chat(url, 'chat-1', 'And again?')).answer).toBe('About <<EMAIL_1>>.');
    expect((await chat(url, 'chat-2', 'And again?')).answer).toBe(`About ${EMAIL_B}.`);
    expect((await vault.openScope({ tenant: 'default', session: 'chat-1' })).resolve('EMAIL_1')).toBeUndefined();

    const audit = await auditText();
    const events = audit.split('\n').filter((line) => line.includes('"kind":"vault"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tenant: 'default',
      route: '/v1/veil/vault/forget',
      principal: { key_id: 'anonymous' },
      outcome: 'ok',
      vault: { operation: 'forget_session', session: 'chat-1', entries: 1, data_key: false },
    });
    for (const value of [EMAIL_A, EMAIL_B, 'maria.garcia', 'whitfield']) expect(audit).not.toContain(value);
  });

  it('erases a whole tenant and shreds its data key; admins only, own tenant only; other tenants untouched', async () => {
    const { url, vault, auditText } = await start(`
tenants:
  - id: acme
    keys:
      - { id: acme-admin, hash: '${hashApiKey(KEYS.acmeAdmin)}', roles: [admin] }
      - { id: acme-app, hash: '${hashApiKey(KEYS.acmeApp)}', roles: [app] }
  - id: globex
    keys:
      - { id: globex-app, hash: '${hashApiKey(KEYS.globexApp)}', roles: [app] }
`);
    expect((await chat(url, 's1', `Write to ${EMAIL_A}`, KEYS.acmeApp)).answer).toBe(`About ${EMAIL_A}.`);
    expect((await chat(url, 's2', `Cc ${EMAIL_B}`, KEYS.acmeApp)).answer).toBe(`About ${EMAIL_B}.`);
    expect((await chat(url, 's1', `Write to ${EMAIL_B}`, KEYS.globexApp)).answer).toBe(`About ${EMAIL_B}.`);
    const acmeKey = await vault.store.getDataKey('acme');
    expect(acmeKey).toBeDefined();

    // No credentials, the wrong role, another tenant: refused in the OpenAI error shape.
    const anonymous = await forget(url, { tenant: 'acme' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { type: 'authentication_error' } });
    const app = await forget(url, { tenant: 'acme' }, KEYS.acmeApp);
    expect(app.status).toBe(403);
    expect(app.body).toMatchObject({ error: { type: 'permission_error', code: 'unauthorized' } });
    expect((await forget(url, { tenant: 'globex' }, KEYS.acmeAdmin)).status).toBe(403);
    const bad = await forget(url, { tenant: 'acme', session: 42 }, KEYS.acmeAdmin);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { type: 'invalid_request_error', param: 'session' } });
    expect((await forget(url, 'not json', KEYS.acmeAdmin)).status).toBe(400);
    expect((await chat(url, 's1', 'still there?', KEYS.acmeApp)).answer).toBe(`About ${EMAIL_A}.`);

    const erased = await forget(url, { tenant: 'acme' }, KEYS.acmeAdmin);
    expect(erased).toEqual({
      status: 200,
      body: { object: 'veil.vault.forget', tenant: 'acme', session: null, deleted_entries: 2, data_key_deleted: true },
    });
    expect(await vault.store.getDataKey('acme')).toBeUndefined();
    expect((await chat(url, 's1', 'And again?', KEYS.acmeApp)).answer).toBe('About <<EMAIL_1>>.');
    expect((await chat(url, 's2', 'And again?', KEYS.acmeApp)).answer).toBe('About <<EMAIL_1>>.');
    // globex: same session name, its own data key, untouched.
    expect((await chat(url, 's1', 'And again?', KEYS.globexApp)).answer).toBe(`About ${EMAIL_B}.`);
    expect(await vault.store.getDataKey('globex')).toBeDefined();

    const audit = await auditText();
    const lines = audit.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    const vaultEvents = lines.filter((event) => event['kind'] === 'vault');
    // Two refusals after authentication (app role, other tenant) and the erasure.
    expect(vaultEvents.map((event) => event['outcome'])).toEqual(['denied', 'denied', 'ok']);
    expect(vaultEvents[2]).toMatchObject({
      tenant: 'acme',
      principal: { key_id: 'acme-admin', role: 'admin' },
      vault: { operation: 'forget_tenant', session: null, entries: 2, data_key: true },
    });
    const shred = lines.find((event) => event['kind'] === 'key');
    expect(shred).toMatchObject({ tenant: 'acme', key: { operation: 'shred', key_id: acmeKey?.keyId }, principal: { key_id: 'acme-admin' } });
    for (const value of [EMAIL_A, EMAIL_B, 'maria.garcia', 'whitfield']) expect(audit).not.toContain(value);
  });
});
