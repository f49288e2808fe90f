/**
 * "Log in with your identity provider" for the console: the OpenID Connect authorization code
 * flow with PKCE. The browser goes to the provider's authorization endpoint and comes back to
 * `/ui/login` with a code; the gateway exchanges the code at the token endpoint (server to
 * server, so the provider needs no CORS and the page's Content-Security-Policy stays
 * `connect-src 'self'`) and hands back the token that the policy's own JWT settings accept. From
 * then on the token is a credential like an API key: the gate validates it on every call.
 *
 * The issuer is the policy's `auth.jwt.issuer`; the client is configured in the `ui` section of
 * veil.yaml:
 *
 *   ui:
 *     oidc:
 *       client_id: veil-console
 *       scope: openid profile          # default: openid
 *       client_secret_env: VEIL_UI_OIDC_CLIENT_SECRET   # only for confidential clients
 * @module
 */
import { z } from 'zod';
import { VeilError, VeilErrorCode } from '../core/errors.js';

const consoleSectionSchema = z
  .object({
    /** `false` turns the console (and its request feed) off. */
    enabled: z.boolean().default(true),
    oidc: z
      .object({
        client_id: z.string().min(1),
        scope: z.string().min(1).default('openid'),
        client_secret_env: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface OidcClient {
  readonly clientId: string;
  readonly scope: string;
  /** For confidential clients; read from the environment, never from the file. */
  readonly clientSecret?: string;
}

/**
 * The `ui` section of veil.yaml (undefined: no section): `false` when the console is switched
 * off, else its OIDC client if any. Throws a config `VeilError`.
 */
export function parseConsoleSection(section: unknown, env: Readonly<Record<string, string | undefined>>): false | { oidc?: OidcClient } {
  if (section === undefined || section === null) return {};
  const parsed = consoleSectionSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VeilError(VeilErrorCode.Config, `ui: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  if (!parsed.data.enabled) return false;
  const oidc = parsed.data.oidc;
  if (oidc === undefined) return {};
  const secret = oidc.client_secret_env === undefined ? undefined : env[oidc.client_secret_env];
  if (oidc.client_secret_env !== undefined && (secret === undefined || secret === '')) {
    throw new VeilError(VeilErrorCode.Config, `ui.oidc.client_secret_env: ${oidc.client_secret_env} is not set`);
  }
  return { oidc: { clientId: oidc.client_id, scope: oidc.scope, ...(secret === undefined ? {} : { clientSecret: secret }) } };
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

const DISCOVERY_TTL_MS = 10 * 60_000;

function failure(message: string): VeilError {
  return new VeilError(VeilErrorCode.Upstream, message);
}

export class OidcLogin {
  private readonly client: OidcClient;
  private readonly fetch: typeof globalThis.fetch;
  private cached: { issuer: string; discovery: Discovery; until: number } | undefined;

  constructor(client: OidcClient, fetchImpl: typeof globalThis.fetch = globalThis.fetch) {
    this.client = client;
    this.fetch = fetchImpl;
  }

  private async discover(issuer: string): Promise<Discovery> {
    if (this.cached !== undefined && this.cached.issuer === issuer && this.cached.until > Date.now()) return this.cached.discovery;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let response: Response;
    try {
      response = await this.fetch(url, { signal: AbortSignal.timeout(5_000) });
    } catch {
      throw failure('The identity provider could not be reached.');
    }
    const body = (await response.json().catch(() => undefined)) as Partial<Discovery> | undefined;
    if (!response.ok || typeof body?.authorization_endpoint !== 'string' || typeof body.token_endpoint !== 'string') {
      throw failure('The identity provider has no usable OpenID configuration.');
    }
    const discovery = { authorization_endpoint: body.authorization_endpoint, token_endpoint: body.token_endpoint };
    this.cached = { issuer, discovery, until: Date.now() + DISCOVERY_TTL_MS };
    return discovery;
  }

  /** What the login page needs to send the browser to the provider. */
  async options(issuer: string): Promise<{ issuer: string; authorizationEndpoint: string; clientId: string; scope: string }> {
    const discovery = await this.discover(issuer);
    return { issuer, authorizationEndpoint: discovery.authorization_endpoint, clientId: this.client.clientId, scope: this.client.scope };
  }

  /** Exchanges a code (with its PKCE verifier) for the provider's tokens; JWT-shaped ones only. */
  async exchange(issuer: string, input: { code: string; codeVerifier: string; redirectUri: string }): Promise<string[]> {
    const discovery = await this.discover(issuer);
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      client_id: this.client.clientId,
      code_verifier: input.codeVerifier,
      ...(this.client.clientSecret === undefined ? {} : { client_secret: this.client.clientSecret }),
    });
    let response: Response;
    try {
      response = await this.fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw failure('The identity provider could not be reached.');
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    // The provider's error code is safe to show (e.g. invalid_grant); its description may not be.
    if (!response.ok || body === undefined) {
      const code = typeof body?.['error'] === 'string' && /^[a-z_]{1,64}$/.test(body['error']) ? body['error'] : `status ${response.status}`;
      throw new VeilError(VeilErrorCode.Unauthorized, `The identity provider refused the login (${code}).`, { data: { status: 401 } });
    }
    // The access token is meant for APIs like this one; the ID token is tried second.
    return [body['access_token'], body['id_token']].filter((token): token is string => typeof token === 'string' && token.split('.').length === 3);
  }
}
