/**
 * The auth step of the hot path: a request's Veil credential (gateway API key or JWT) becomes a
 * principal (tenant, key id, roles). SDKs let users set only a base URL, an API key and extra
 * headers, so a gateway key is recognised by its `veil_` prefix in `Authorization: Bearer` or
 * `x-veil-key`; anything else in `Authorization` is taken for a provider key and left alone.
 * The result names the header that held the Veil credential so the gateway can strip it: a Veil
 * credential is never forwarded upstream. Messages never contain a key, token or claim value.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { hashApiKeyHex, looksLikeVeilKey } from './keys.js';
import type { JwtSettings, Policy } from './policy.js';

export interface Principal {
  readonly tenant: string;
  /** Key id from the policy, `jwt:<hash of issuer and subject>` for JWTs, `anonymous` without auth. */
  readonly keyId: string;
  readonly roles: readonly string[];
  readonly method: 'api_key' | 'jwt' | 'anonymous';
}

/** Header that carried the Veil credential; the gateway removes it before forwarding. */
export type CredentialHeader = 'authorization' | 'x-veil-key';

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal; readonly credentialHeader: CredentialHeader | undefined }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** True for addresses of this machine (IPv4 127/8, IPv6 ::1, and IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || plain === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

interface Credential {
  readonly kind: 'key' | 'jwt';
  readonly value: string;
  readonly header: CredentialHeader;
}

/** The Veil credential in the headers, if any. A non-Veil bearer is a provider key: not ours. */
export function findCredential(headers: IncomingHttpHeaders, jwtEnabled: boolean): Credential | undefined {
  const veilHeader = single(headers, 'x-veil-key');
  if (veilHeader !== undefined) {
    const bare = veilHeader.replace(/^Bearer\s+/i, '');
    return { kind: looksLikeVeilKey(bare) ? 'key' : 'jwt', value: bare, header: 'x-veil-key' };
  }
  const authorization = single(headers, 'authorization');
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization);
  const bearer = match?.[1];
  if (bearer === undefined) return undefined;
  if (looksLikeVeilKey(bearer)) return { kind: 'key', value: bearer, header: 'authorization' };
  if (jwtEnabled && JWT_SHAPE.test(bearer)) return { kind: 'jwt', value: bearer, header: 'authorization' };
  return undefined;
}

const ZERO_HASH = Buffer.alloc(32);

function checkKey(key: string, policy: Policy): Principal | undefined {
  const hex = hashApiKeyHex(key);
  const entry = policy.keysByHash.get(hex);
  // The map lookup is keyed by a hash of a random key, which tells an attacker nothing useful;
  // the explicit comparison keeps the final check constant-time all the same.
  const presented = Buffer.from(hex, 'hex');
  const equal = timingSafeEqual(presented, entry?.hash ?? ZERO_HASH);
  if (entry === undefined || !equal) return undefined;
  return { tenant: entry.tenant, keyId: entry.id, roles: entry.roles, method: 'api_key' };
}

const keyGetters = new WeakMap<JwtSettings, JWTVerifyGetKey>();

function keyGetter(settings: JwtSettings): JWTVerifyGetKey {
  let getter = keyGetters.get(settings);
  if (getter === undefined) {
    getter =
      settings.jwks !== undefined
        ? createLocalJWKSet(settings.jwks as Parameters<typeof createLocalJWKSet>[0])
        : createRemoteJWKSet(new URL(settings.jwksUrl ?? 'invalid:'));
    keyGetters.set(settings, getter);
  }
  return getter;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Why a JWT was refused, in words that quote nothing from the token. */
function jwtFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim '${error.claim}' is not accepted (${error.reason})`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'token was not signed by a key of the configured issuer';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC') {
    return 'token keys could not be fetched';
  }
  return 'token is malformed or not accepted';
}

async function checkJwt(token: string, settings: JwtSettings): Promise<{ payload: JWTPayload } | { failure: string }> {
  try {
    const { payload } = await jwtVerify(token, keyGetter(settings), {
      issuer: settings.issuer,
      audience: [...settings.audience],
      algorithms: [...settings.algorithms],
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['exp'],
    });
    return { payload };
  } catch (error: unknown) {
    return { failure: jwtFailure(error) };
  }
}

function jwtPrincipal(payload: JWTPayload, settings: JwtSettings, policy: Policy): AuthResult {
  const tenant = claimAt(payload, settings.tenantClaim);
  if (typeof tenant !== 'string' || tenant === '') {
    return { ok: false, status: 401, message: `token has no '${settings.tenantClaim}' claim naming a tenant` };
  }
  if (!policy.tenants.has(tenant)) return { ok: false, status: 403, message: "token's tenant is not configured in this gateway" };
  const rawRoles = claimAt(payload, settings.rolesClaim);
  const roles =
    typeof rawRoles === 'string'
      ? rawRoles.split(/\s+/).filter((role) => role !== '')
      : Array.isArray(rawRoles)
        ? rawRoles.filter((role): role is string => typeof role === 'string')
        : [];
  // The subject may be an e-mail address; the principal carries only a hash of it.
  const subject = createHash('sha256').update(`${payload.iss ?? ''}\u0000${payload.sub ?? ''}`).digest('hex').slice(0, 16);
  return {
    ok: true,
    principal: { tenant, keyId: `jwt:${subject}`, roles, method: 'jwt' },
    credentialHeader: undefined,
  };
}

const MISSING =
  'Missing Veil credentials: send your Veil key as "Authorization: Bearer veil_..." or in the x-veil-key header.';

/**
 * Authenticates one request. API keys are checked synchronously; a JWT needs the issuer's keys,
 * so the result is always a promise.
 */
export async function authenticate(
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
  policy: Policy,
): Promise<AuthResult> {
  const jwt = policy.auth.jwt;
  const credential = findCredential(headers, jwt !== undefined);
  if (credential === undefined) {
    if (policy.auth.mode === 'required') return { ok: false, status: 401, message: MISSING };
    if (!isLoopback(remoteAddress)) {
      return { ok: false, status: 403, message: 'Veil auth is disabled, so only clients on this machine are served.' };
    }
    const { tenant, roles } = policy.auth.anonymous;
    return { ok: true, principal: { tenant, keyId: 'anonymous', roles, method: 'anonymous' }, credentialHeader: undefined };
  }
  if (credential.kind === 'key') {
    const principal = checkKey(credential.value, policy);
    if (principal === undefined) return { ok: false, status: 401, message: 'Invalid Veil API key.' };
    return { ok: true, principal, credentialHeader: credential.header };
  }
  if (jwt === undefined) return { ok: false, status: 401, message: 'Invalid Veil API key.' };
  const verified = await checkJwt(credential.value, jwt);
  if ('failure' in verified) return { ok: false, status: 401, message: `Invalid Veil token: ${verified.failure}.` };
  const result = jwtPrincipal(verified.payload, jwt, policy);
  return result.ok ? { ...result, credentialHeader: credential.header } : result;
}
