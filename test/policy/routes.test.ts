import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/authenticate.js';
import { parsePolicy } from '../../src/policy/load.js';
import { DEFAULT_PROVIDER_ID, resolveRoute, type RouteResult } from '../../src/policy/routes.js';

const policy = parsePolicy(`
tenants: [{ id: acme }, { id: globex }]
providers:
  - { id: openai, url: https://api.openai.com/v1/, key_env: OPENAI_API_KEY }
  - { id: lab, url: http://127.0.0.1:9999/v1, allow_caller_key: true, tenants: [acme] }
routes:
  - { id: chat, path: /v1/chat/completions, provider: openai }
  - { id: lab, path: /lab/*, provider: lab }
  - { id: support-agent, path: /agents/support/*, provider: openai, tenants: [acme], roles: [agent] }
`);

const acme: Principal = { tenant: 'acme', keyId: 'k', roles: ['app'], method: 'api_key' };
const globex: Principal = { tenant: 'globex', keyId: 'g', roles: ['agent'], method: 'api_key' };
const env = { OPENAI_API_KEY: 'sk-from-env' };

function route(path: string, principal: Principal, headers: Record<string, string> = {}, environment: Record<string, string> = env): RouteResult {
  return resolveRoute(policy, { path, principal, headers, env: environment, authorizationIsVeil: true });
}

describe('routes and provider access', () => {
  it('routes a path to its provider with the key from the environment', () => {
    expect(route('/v1/chat/completions', acme)).toMatchObject({
      ok: true,
      routeId: 'chat',
      providerId: 'openai',
      providerKey: 'sk-from-env',
      keySource: 'env',
      provider: { url: 'https://api.openai.com/v1' },
    });
  });

  it('matches prefix routes and refuses unrouted paths with 404', () => {
    expect(route('/lab/v1/chat/completions', acme)).toMatchObject({ ok: true, routeId: 'lab' });
    expect(route('/lab', acme)).toMatchObject({ ok: true, routeId: 'lab' });
    expect(route('/laboratory', acme)).toMatchObject({ ok: false, status: 404 });
    expect(route('/v1/embeddings', acme)).toMatchObject({ ok: false, status: 404 });
  });

  it('enforces tenant and role allow-lists of routes and providers', () => {
    expect(route('/lab/x', globex)).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/provider 'lab'/) });
    expect(route('/agents/support/chat', globex)).toMatchObject({ ok: false, status: 403 });
    expect(route('/agents/support/chat', acme)).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/roles/) });
    expect(route('/agents/support/chat', { ...acme, roles: ['agent'] })).toMatchObject({ ok: true, routeId: 'support-agent' });
  });

  it('takes a caller key only where the provider allows it', () => {
    expect(route('/lab/x', acme, { 'x-veil-provider-key': 'sk-caller' })).toMatchObject({ ok: true, providerKey: 'sk-caller', keySource: 'caller' });
    expect(route('/v1/chat/completions', acme, { 'x-veil-provider-key': 'sk-caller' })).toMatchObject({ ok: false, status: 403 });
  });

  it('says which environment variable is missing, never a key', () => {
    const result = route('/v1/chat/completions', acme, {}, {});
    expect(result).toMatchObject({ ok: false, status: 500, message: expect.stringMatching(/OPENAI_API_KEY/) });
  });

  it('without providers or routes, the gateway default applies and a client key passes through', () => {
    const bare = parsePolicy('auth: { mode: disabled }\n');
    const result = resolveRoute(bare, {
      path: '/v1/chat/completions',
      principal: acme,
      headers: { authorization: 'Bearer sk-client' },
      env: {},
      authorizationIsVeil: false,
    });
    expect(result).toMatchObject({ ok: true, providerId: DEFAULT_PROVIDER_ID, provider: undefined, providerKey: undefined, keySource: 'client' });
  });
});
