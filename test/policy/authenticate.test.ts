import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, isLoopback, type AuthResult } from '../../src/policy/authenticate.js';
import { hashApiKey, newApiKey } from '../../src/policy/keys.js';
import { loadPolicyFile, parsePolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/policy.js';

const APP_KEY = newApiKey();
const SUPPORT_KEY = newApiKey();
const GLOBEX_KEY = newApiKey();

function keysPolicy(mode: 'required' | 'disabled'): Policy {
  return parsePolicy(`
tenants:
  - id: acme
    keys:
      - { id: acme-app, hash: '${hashApiKey(APP_KEY)}', roles: [app] }
      - { id: acme-support, hash: '${hashApiKey(SUPPORT_KEY)}', roles: [support-lead, app] }
  - id: globex
    keys:
      - { id: globex-app, hash: '${hashApiKey(GLOBEX_KEY)}' }
auth:
  mode: ${mode}
  anonymous: { tenant: acme, roles: [local] }
`);
}

function failed(result: AuthResult): { status: number; message: string } {
  if (result.ok) throw new Error('expected refusal');
  return result;
}

describe('API keys', () => {
  const policy = keysPolicy('required');

  it('accepts a key in Authorization: Bearer and says which header held it', async () => {
    const result = await authenticate({ authorization: `Bearer ${APP_KEY}` }, '10.0.0.5', policy);
    expect(result).toEqual({
      ok: true,
      principal: { tenant: 'acme', keyId: 'acme-app', roles: ['app'], method: 'api_key' },
      credentialHeader: 'authorization',
    });
  });

  it('accepts a key in x-veil-key, leaving Authorization to the provider', async () => {
    const result = await authenticate({ 'x-veil-key': SUPPORT_KEY, authorization: 'Bearer sk-provider' }, '10.0.0.5', policy);
    expect(result).toMatchObject({ ok: true, principal: { tenant: 'acme', keyId: 'acme-support' }, credentialHeader: 'x-veil-key' });
  });

  it('maps each key to its own tenant', async () => {
    const result = await authenticate({ authorization: `bearer ${GLOBEX_KEY}` }, '10.0.0.5', policy);
    expect(result).toMatchObject({ ok: true, principal: { tenant: 'globex', keyId: 'globex-app', roles: [] } });
  });

  it('refuses an unknown key with 401 and never echoes it', async () => {
    const wrong = newApiKey();
    const result = failed(await authenticate({ authorization: `Bearer ${wrong}` }, '127.0.0.1', policy));
    expect(result.status).toBe(401);
    expect(result.message).not.toContain(wrong);
    expect(result.message).not.toContain(wrong.slice(5, 15));
  });

  it('refuses missing credentials, and a provider key is not a Veil credential', async () => {
    expect(failed(await authenticate({}, '127.0.0.1', policy)).status).toBe(401);
    const providerOnly = failed(await authenticate({ authorization: 'Bearer sk-proj-abc' }, '127.0.0.1', policy));
    expect(providerOnly.status).toBe(401);
    expect(providerOnly.message).toMatch(/veil_/);
  });

  it('ignores keys marked disabled', async () => {
    const disabled = parsePolicy(`tenants: [{ id: acme, keys: [{ id: k, hash: '${hashApiKey(APP_KEY)}', disabled: true }] }]\n`);
    expect(failed(await authenticate({ authorization: `Bearer ${APP_KEY}` }, '127.0.0.1', disabled)).status).toBe(401);
  });
});

describe('auth disabled', () => {
  const policy = keysPolicy('disabled');

  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.4.5.6'])('serves loopback client %s as the anonymous tenant', async (address) => {
    const result = await authenticate({}, address, policy);
    expect(result).toEqual({
      ok: true,
      principal: { tenant: 'acme', keyId: 'anonymous', roles: ['local'], method: 'anonymous' },
      credentialHeader: undefined,
    });
  });

  it.each(['10.0.0.5', '192.168.1.2', '::ffff:10.1.1.1', '2001:db8::1', undefined])('refuses non-loopback client %s with 403', async (address) => {
    expect(failed(await authenticate({}, address, policy)).status).toBe(403);
  });

  it('lets a provider key in Authorization pass through (not a Veil credential)', async () => {
    const result = await authenticate({ authorization: 'Bearer sk-provider' }, '127.0.0.1', policy);
    expect(result).toMatchObject({ ok: true, principal: { keyId: 'anonymous' }, credentialHeader: undefined });
  });

  it('still identifies a caller who sends a valid key, and refuses a wrong one', async () => {
    expect(await authenticate({ 'x-veil-key': GLOBEX_KEY }, '10.0.0.9', policy)).toMatchObject({ ok: true, principal: { tenant: 'globex' } });
    expect(failed(await authenticate({ 'x-veil-key': newApiKey() }, '127.0.0.1', policy)).status).toBe(401);
  });

  it('recognises loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('::2')).toBe(false);
  });
});

describe('JWT', () => {
  const ISSUER = 'https://idp.acme.example/';
  let policy: Policy;
  let sign: (claims: Record<string, unknown>, options?: { issuer?: string; audience?: string; expires?: string | number; alg?: string }) => Promise<string>;
  let signWithOtherKey: (claims: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const dir = mkdtempSync(join(tmpdir(), 'veil-jwt-'));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    writeFileSync(
      join(dir, 'veil.yaml'),
      `tenants: [{ id: acme }, { id: globex }]
auth:
  jwt:
    issuer: ${ISSUER}
    audience: veil
    jwks_file: jwks.json
    algorithms: [ES256]
    tenant_claim: org.id
    roles_claim: scope
`,
    );
    policy = loadPolicyFile(join(dir, 'veil.yaml'));
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? 'veil')
        .setSubject('maria@example.com')
        .setIssuedAt()
        .setExpirationTime(options.expires ?? '5m')
        .sign(privateKey);
    signWithOtherKey = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience('veil')
        .setExpirationTime('5m')
        .sign(other.privateKey);
  });

  it('accepts a valid token: tenant and roles from the mapped claims, subject hashed', async () => {
    const token = await sign({ org: { id: 'acme' }, scope: 'support-lead app' });
    const result = await authenticate({ authorization: `Bearer ${token}` }, '10.0.0.5', policy);
    expect(result).toMatchObject({
      ok: true,
      principal: { tenant: 'acme', roles: ['support-lead', 'app'], method: 'jwt' },
      credentialHeader: 'authorization',
    });
    if (!result.ok) return;
    expect(result.principal.keyId).toMatch(/^jwt:[0-9a-f]{16}$/);
    expect(result.principal.keyId).not.toContain('maria');
  });

  it('accepts a token in x-veil-key', async () => {
    const token = await sign({ org: { id: 'globex' }, scope: ['app'] });
    expect(await authenticate({ 'x-veil-key': token }, '10.0.0.5', policy)).toMatchObject({ ok: true, principal: { tenant: 'globex', roles: ['app'] }, credentialHeader: 'x-veil-key' });
  });

  const refusals: { name: string; make: () => Promise<string>; message: RegExp }[] = [
    { name: 'wrong issuer', make: () => sign({ org: { id: 'acme' } }, { issuer: 'https://evil.example/' }), message: /'iss'/ },
    { name: 'wrong audience', make: () => sign({ org: { id: 'acme' } }, { audience: 'other' }), message: /'aud'/ },
    { name: 'expired', make: () => sign({ org: { id: 'acme' } }, { expires: Math.floor(Date.now() / 1000) - 60 }), message: /expired/ },
    {
      name: 'alg none',
      make: async () => {
        const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: ISSUER, aud: 'veil', exp: now + 300, org: { id: 'acme' } })}.`;
      },
      message: /algorithm|malformed/,
    },
    {
      name: 'HS256 with a guessed secret',
      make: () =>
        new SignJWT({ org: { id: 'acme' } })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience('veil')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(32))),
      message: /algorithm/,
    },
    { name: 'signed by another key', make: () => signWithOtherKey({ org: { id: 'acme' } }), message: /signature/ },
  ];

  it.each(refusals)('refuses $name with 401', async ({ make, message }) => {
    const token = await make();
    const result = failed(await authenticate({ authorization: `Bearer ${token}` }, '127.0.0.1', policy));
    expect(result.status).toBe(401);
    expect(result.message).toMatch(message);
    expect(result.message).not.toContain(token.slice(0, 20));
  });

  it('refuses a token without a tenant (401) and one for an unknown tenant (403)', async () => {
    expect(failed(await authenticate({ authorization: `Bearer ${await sign({ scope: 'app' })}` }, '127.0.0.1', policy)).status).toBe(401);
    expect(failed(await authenticate({ authorization: `Bearer ${await sign({ org: { id: 'initech' } })}` }, '127.0.0.1', policy)).status).toBe(403);
  });
});
