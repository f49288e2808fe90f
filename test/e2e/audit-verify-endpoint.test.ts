/** `GET /v1/veil/audit/verify` on the gateway: the chain status, for admins and auditors only. */
import { mkdtemp, rm } from 'node:fs/promises';
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

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(policyText?: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-verify-'));
  const telemetry = await Telemetry.open({ dataDir, env: {} });
  const gateway = new Gateway({
    veil: new Veil(),
    config: resolveConfig({ flags: { port: 0 } }),
    telemetry,
    ...(policyText === undefined ? {} : { policy: staticPolicySource(parsePolicy(policyText)) }),
  });
  const { url } = await gateway.listen();
  cleanups.push(async () => {
    await gateway.close();
    await telemetry.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return url;
}

async function chat(url: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'mail maria@example.com' }] }),
  });
  await response.text();
  return response.status;
}

describe('GET /v1/veil/audit/verify', () => {
  it('reports an intact chain on loopback with auth disabled', async () => {
    const url = await start();
    expect(await chat(url)).toBe(200);
    const response = await fetch(`${url}/v1/veil/audit/verify`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; event_count: number };
    expect(body.ok).toBe(true);
    expect(body.event_count).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(body)).not.toContain('maria@example.com');
  });

  it('needs the admin or auditor role when auth is on', async () => {
    const policy = `
tenants:
  - id: acme
    keys:
      - { id: app, hash: '${hashApiKey('veil_app_key_1')}', roles: [app] }
      - { id: auditor, hash: '${hashApiKey('veil_auditor_key_1')}', roles: [auditor] }
`;
    const url = await start(policy);
    expect((await fetch(`${url}/v1/veil/audit/verify`)).status).toBe(401);
    const app = await fetch(`${url}/v1/veil/audit/verify`, { headers: { authorization: 'Bearer veil_app_key_1' } });
    expect(app.status).toBe(403);
    const auditor = await fetch(`${url}/v1/veil/audit/verify`, { headers: { authorization: 'Bearer veil_auditor_key_1' } });
    expect(auditor.status).toBe(200);
    expect(((await auditor.json()) as { ok: boolean }).ok).toBe(true);
  });
});
