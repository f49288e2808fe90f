import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/authenticate.js';
import { parsePolicy } from '../../src/policy/load.js';
import { resolveRoute, type RouteResult } from '../../src/policy/routes.js';

const policy = parsePolicy(`
tenants: [{ id: acme }, { id: globex }]
provider_access:
  openai: { key_env: OPENAI_API_KEY }
  vllm: { allow_caller_key: true, tenants: [acme] }
routes:
  - { id: chat, path: /v1/chat/completions }
  - { id: lab, path: /vllm/* }
  - { id: support-agent, path: /agents/support/*, tenants: [acme], roles: [agent] }
`);

const acme: Principal = { tenant: 'acme', keyId: 'k', roles: ['app'], method: 'api_key' };
const globex: Principal = { tenant: 'globex', keyId: 'g', roles: ['agent'], method: 'api_key' };
const env = { OPENAI_API_KEY: 'sk-from-env' };

function route(path: string, provider: string, principal: Principal, headers: Record<string, string> = {}, environment: Record<string, string> = env): RouteResult {
  return resolveRoute(policy, { path, provider, principal, headers, env: environment, authorizationIsVeil: true });
}

describe('routes and provider access', () => {
  it('admits a listed path and provider with the key from the environment', () => {
    expect(route('/v1/chat/completions', 'openai', acme)).toMatchObject({
      ok: true,
      routeId: 'chat',
      providerId: 'openai',
      providerKey: 'sk-from-env',
      keySource: 'env',
    });
  });

  it('matches prefix routes and refuses unlisted paths with 404', () => {
    expect(route('/vllm/v1/chat/completions', 'vllm', acme)).toMatchObject({ ok: true, routeId: 'lab' });
    expect(route('/vllm', 'vllm', acme)).toMatchObject({ ok: true, routeId: 'lab' });
    expect(route('/vllmx/v1/chat/completions', 'vllmx', acme)).toMatchObject({ ok: false, status: 404 });
    expect(route('/v1/embeddings', 'openai', acme)).toMatchObject({ ok: false, status: 404 });
  });

  it('enforces tenant and role allow-lists of routes and providers', () => {
    expect(route('/vllm/v1/chat/completions', 'vllm', globex)).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/provider 'vllm'/) });
    expect(route('/agents/support/chat', 'openai', globex)).toMatchObject({ ok: false, status: 403 });
    expect(route('/agents/support/chat', 'openai', acme)).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/roles/) });
    expect(route('/agents/support/chat', 'openai', { ...acme, roles: ['agent'] })).toMatchObject({ ok: true, routeId: 'support-agent' });
  });

  it('refuses providers provider_access does not list', () => {
    expect(route('/v1/chat/completions', 'anthropic', acme)).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/not allowed/) });
  });

  it('takes a caller key only where the provider allows it', () => {
    expect(route('/vllm/v1/chat/completions', 'vllm', acme, { 'x-veil-provider-key': 'sk-caller' })).toMatchObject({ ok: true, providerKey: 'sk-caller', keySource: 'caller' });
    expect(route('/v1/chat/completions', 'openai', acme, { 'x-veil-provider-key': 'sk-caller' })).toMatchObject({ ok: false, status: 403 });
  });

  it('says which environment variable is missing, never a key', () => {
    expect(route('/v1/chat/completions', 'openai', acme, {}, {})).toMatchObject({ ok: false, status: 500, message: expect.stringMatching(/OPENAI_API_KEY/) });
  });

  it('without provider_access or routes, every provider is open and a client key passes through', () => {
    const bare = parsePolicy('auth: { mode: disabled }\n');
    const result = resolveRoute(bare, {
      path: '/v1/messages',
      provider: 'anthropic',
      principal: acme,
      headers: { authorization: 'Bearer sk-client' },
      env: {},
      authorizationIsVeil: false,
    });
    expect(result).toMatchObject({ ok: true, providerId: 'anthropic', access: undefined, providerKey: undefined, keySource: 'client' });
  });

  it("bedrock is reached with the gateway's identity: listed under provider_access when auth is required, never with a key", () => {
    const bedrock = (text: string, headers: Record<string, string> = {}): RouteResult =>
      resolveRoute(parsePolicy(text), { path: '/model/m/converse', provider: 'bedrock', principal: acme, headers, env: {}, authorizationIsVeil: false });
    const required = 'tenants: [{ id: acme, keys: [{ id: k, hash: "sha256:' + '0'.repeat(64) + '" }] }]\n';
    expect(bedrock(required)).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/gateway's own identity/) });
    expect(bedrock(`${required}provider_access: { bedrock: {} }\n`, { 'x-veil-provider-key': 'k', authorization: 'AWS4-HMAC-SHA256 Credential=AKIACLIENT/x' })).toMatchObject({
      ok: true,
      providerKey: undefined,
      keySource: 'signed',
    });
    expect(bedrock('auth: { mode: disabled }\n')).toMatchObject({ ok: true, keySource: 'signed' });
  });
});
