/**
 * A stand-in OpenID Connect provider for the console's login tests: discovery, an authorization
 * endpoint that consents at once and redirects back with a code, and a token endpoint that checks
 * the PKCE verifier and returns an access token (audience: the gateway) and an ID token
 * (audience: the client), both signed with a key published as a local JWKS.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const CLIENT_ID = 'veil-console';
export const API_AUDIENCE = 'veil-gateway';

export interface FakeIdp {
  readonly url: string;
  readonly jwks: { keys: Record<string, unknown>[] };
  /** Authorization requests seen (to check PKCE was used). */
  readonly authorizations: URLSearchParams[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeIdp(claims: { tenant: string; roles: string[]; sub: string }): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const authorizations: URLSearchParams[] = [];
  let url = '';
  const sign = (audience: string): Promise<string> =>
    new SignJWT({ tenant: claims.tenant, roles: claims.roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setIssuer(url)
      .setAudience(audience)
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  const server = createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (requestUrl.pathname === '/.well-known/openid-configuration') {
      json(200, { issuer: url, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, jwks_uri: `${url}/jwks` });
    } else if (requestUrl.pathname === '/authorize') {
      const params = requestUrl.searchParams;
      authorizations.push(params);
      const code = randomUUID();
      codes.set(code, { challenge: params.get('code_challenge') ?? '', redirectUri: params.get('redirect_uri') ?? '' });
      const back = new URL(params.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      res.end();
    } else if (requestUrl.pathname === '/token' && req.method === 'POST') {
      void body(req).then(async (text) => {
        const form = new URLSearchParams(text);
        const pending = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (pending === undefined || form.get('client_id') !== CLIENT_ID || form.get('redirect_uri') !== pending.redirectUri || challenge !== pending.challenge) {
          json(400, { error: 'invalid_grant' });
          return;
        }
        codes.delete(form.get('code') ?? '');
        json(200, { access_token: await sign(API_AUDIENCE), id_token: await sign(CLIENT_ID), token_type: 'Bearer', expires_in: 600 });
      });
    } else {
      json(404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwks: { keys: [jwk] },
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
