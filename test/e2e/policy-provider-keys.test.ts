/**
 * Provider keys through the gateway, against a local upstream that records headers: each
 * provider gets its key in its own header, the client's credential headers never ride along,
 * and the one precedence order holds: caller's allowed x-veil-provider-key > the policy's
 * key_env > the gateway's key (providers.NAME.api_key / the SDK's env variable) > the client's
 * own credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { hashApiKey } from '../../src/policy/keys.js';
import { parsePolicy } from '../../src/policy/load.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { sendJson, startMockUpstream, type MockUpstream } from '../proxy/helpers/mock-upstream.js';

const VEIL_KEY = 'veil_test_acme_keys';
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'];

let mock: MockUpstream;
const gateways: Gateway[] = [];

async function start(policy: string, fileProviders: Record<string, { url: string; api_key?: string }>, env: Record<string, string>): Promise<string> {
  const origin = mock.url.replace(/\/v1$/, '');
  const providers = Object.fromEntries(Object.entries(fileProviders).map(([name, entry]) => [name, { ...entry, url: entry.url.replace('ORIGIN', origin) }]));
  const config = resolveConfig({ flags: { port: 0, upstream: mock.url }, env, file: { providers } });
  const gateway = new Gateway({ veil: new Veil(), config, policy: staticPolicySource(parsePolicy(policy)), env });
  gateways.push(gateway);
  return (await gateway.listen()).url;
}

beforeAll(async () => {
  mock = await startMockUpstream((_request, res) => sendJson(res, 200, { ok: true }));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close(500);
  await mock.close();
});

/** The credential headers the upstream received for one request. */
async function credentialsSeen(base: string, path: string, headers: Record<string, string>): Promise<Record<string, string>> {
  mock.recorded.length = 0;
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'm', messages: [], contents: [] }) });
  expect(response.status).toBe(200);
  const seen = mock.recorded[0]?.headers ?? {};
  return Object.fromEntries(CREDENTIAL_HEADERS.filter((name) => seen[name] !== undefined).map((name) => [name, String(seen[name])]));
}

const CLIENT_CREDENTIALS = { 'x-api-key': 'client-x', 'api-key': 'client-azure', 'x-goog-api-key': 'client-goog' };

describe('policy-held provider keys, each in its provider header', () => {
  let base: string;
  beforeAll(async () => {
    base = await start(
      `
tenants:
  - id: acme
    keys: [{ id: acme-app, hash: '${hashApiKey(VEIL_KEY)}', roles: [app] }]
provider_access:
  openai: { key_env: POLICY_OPENAI }
  anthropic: { key_env: POLICY_ANTHROPIC }
  gemini: { key_env: POLICY_GEMINI }
  azure: { key_env: POLICY_AZURE }
  vllm: { key_env: POLICY_VLLM, allow_caller_key: true }
  lab: {}
`,
      { anthropic: { url: 'ORIGIN' }, gemini: { url: 'ORIGIN' }, azure: { url: 'ORIGIN' }, vllm: { url: mock.url, api_key: 'gateway-vllm' }, lab: { url: mock.url, api_key: 'gateway-lab' } },
      {
        POLICY_OPENAI: 'policy-openai',
        POLICY_ANTHROPIC: 'policy-anthropic',
        POLICY_GEMINI: 'policy-gemini',
        POLICY_AZURE: 'policy-azure',
        POLICY_VLLM: 'policy-vllm',
        // The gateway's own keys: the policy's win over them.
        ANTHROPIC_API_KEY: 'gateway-anthropic',
        OPENAI_API_KEY: 'gateway-openai',
      },
    );
  });

  it('OpenAI: Authorization: Bearer, the Veil key and the client headers gone', async () => {
    expect(await credentialsSeen(base, '/v1/chat/completions', { authorization: `Bearer ${VEIL_KEY}`, ...CLIENT_CREDENTIALS })).toEqual({ authorization: 'Bearer policy-openai' });
  });

  it('Anthropic: x-api-key (the policy key beats the gateway key)', async () => {
    expect(await credentialsSeen(base, '/v1/messages', { 'x-veil-key': VEIL_KEY, authorization: 'Bearer client', ...CLIENT_CREDENTIALS })).toEqual({ 'x-api-key': 'policy-anthropic' });
  });

  it("Gemini: x-goog-api-key, and the client's ?key= is dropped", async () => {
    expect(await credentialsSeen(base, '/v1beta/models/g:generateContent?key=client-query&alt=sse', { 'x-veil-key': VEIL_KEY, ...CLIENT_CREDENTIALS })).toEqual({ 'x-goog-api-key': 'policy-gemini' });
    expect(mock.recorded[0]?.path).toBe('/v1beta/models/g:generateContent?alt=sse');
  });

  it('Azure OpenAI: api-key', async () => {
    expect(await credentialsSeen(base, '/openai/deployments/d/chat/completions?api-version=1', { 'x-veil-key': VEIL_KEY, ...CLIENT_CREDENTIALS })).toEqual({ 'api-key': 'policy-azure' });
  });

  it('an OpenAI-compatible route: the caller key where allowed, else the policy key over the gateway key', async () => {
    expect(await credentialsSeen(base, '/vllm/v1/chat/completions', { authorization: `Bearer ${VEIL_KEY}`, 'x-veil-provider-key': 'caller-vllm' })).toEqual({ authorization: 'Bearer caller-vllm' });
    expect(await credentialsSeen(base, '/vllm/v1/chat/completions', { authorization: `Bearer ${VEIL_KEY}` })).toEqual({ authorization: 'Bearer policy-vllm' });
  });

  it('no policy key: the gateway key; a caller key where not allowed is refused', async () => {
    expect(await credentialsSeen(base, '/lab/v1/chat/completions', { 'x-veil-key': VEIL_KEY, authorization: 'Bearer client' })).toEqual({ authorization: 'Bearer gateway-lab' });
    const refused = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${VEIL_KEY}`, 'x-veil-provider-key': 'caller', 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
    expect(refused.status).toBe(403);
  });
});

describe('auth disabled (the default setup)', () => {
  let base: string;
  beforeAll(async () => {
    base = await start('auth: { mode: disabled }\n', { anthropic: { url: 'ORIGIN' }, gemini: { url: 'ORIGIN', api_key: 'gateway-gemini' } }, {});
  });

  it("the client's own credential passes when nothing is held", async () => {
    expect(await credentialsSeen(base, '/v1/messages', { 'x-api-key': 'client-x' })).toEqual({ 'x-api-key': 'client-x' });
    expect(await credentialsSeen(base, '/v1/chat/completions', { authorization: 'Bearer sk-client' })).toEqual({ authorization: 'Bearer sk-client' });
  });

  it("a gateway key replaces the client's", async () => {
    expect(await credentialsSeen(base, '/v1beta/models/g:generateContent?key=client-query', { 'x-goog-api-key': 'client-goog', authorization: 'Bearer x' })).toEqual({ 'x-goog-api-key': 'gateway-gemini' });
    expect(mock.recorded[0]?.path).toBe('/v1beta/models/g:generateContent');
  });
});

describe('nothing held anywhere', () => {
  it("Gemini's ?key= passes through as the client's own credential", async () => {
    const base = await start('auth: { mode: disabled }\n', { gemini: { url: 'ORIGIN' } }, {});
    expect(await credentialsSeen(base, '/v1beta/models/g:generateContent?key=client-query', {})).toEqual({});
    expect(mock.recorded[0]?.path).toBe('/v1beta/models/g:generateContent?key=client-query');
  });
});
