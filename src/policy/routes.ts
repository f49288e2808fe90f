/**
 * Route and provider access. Which provider serves a path, and where that provider is, is the
 * gateway's route table (`src/proxy/routes.ts`, `providers:` in veil.yaml); the policy says who
 * may use a path (`routes`) and a provider (`provider_access`), and where the provider key comes
 * from: the caller's `x-veil-provider-key` where allowed, else the provider's environment
 * variable; with neither, the gateway's own key or the client's own credential applies
 * (the whole order: `proxy/keyed-upstream.ts`).
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './authenticate.js';
import type { Policy, ProviderAccess, Route } from './policy.js';

/** Provider name used in rule contexts when the caller does not know one (CLI without --provider). */
export const DEFAULT_PROVIDER_ID = 'openai';

/**
 * Where the provider credential comes from: the policy's environment variable, the caller's
 * `x-veil-provider-key`, the client's own credential header passing through, none from the
 * policy (the gateway's own key may still apply), or the gateway's own identity (`signed`).
 */
export type KeySource = 'env' | 'caller' | 'client' | 'none' | 'signed';

/**
 * Providers Veil reaches with its own identity whatever the caller sends: Bedrock requests are
 * re-signed with the gateway's AWS credentials. With auth required, such a provider is open only
 * when `provider_access` lists it: an unlisted one would lend the gateway's identity to every
 * authenticated caller.
 */
export const GATEWAY_IDENTITY_PROVIDERS: ReadonlySet<string> = new Set(['bedrock']);

export type RouteResult =
  | {
      readonly ok: true;
      /** Undefined when the file configures no routes. */
      readonly route: Route | undefined;
      /** Undefined when `provider_access` does not list the provider (and lists none). */
      readonly access: ProviderAccess | undefined;
      readonly providerId: string;
      readonly routeId: string | undefined;
      /** The provider key Veil sends (in the provider's own header), when the policy supplies one. */
      readonly providerKey: string | undefined;
      readonly keySource: KeySource;
    }
  | { readonly ok: false; readonly status: 403 | 404 | 500; readonly message: string };

export function matchRoute(policy: Policy, path: string): Route | undefined {
  for (const route of policy.routes) {
    if (route.prefix ? path === route.path || path.startsWith(`${route.path}/`) : path === route.path) return route;
  }
  return undefined;
}

export interface RouteRequest {
  readonly path: string;
  /** The provider the gateway's route table chose for the path. */
  readonly provider: string;
  readonly principal: Principal;
  readonly headers: IncomingHttpHeaders;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether `Authorization` held the Veil credential (then it must not pass through). */
  readonly authorizationIsVeil: boolean;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

export function resolveRoute(policy: Policy, request: RouteRequest): RouteResult {
  const { principal, provider } = request;
  let route: Route | undefined;
  if (policy.routes.length > 0) {
    route = matchRoute(policy, request.path);
    // With routes configured, an unlisted path would walk around their allow-lists.
    if (route === undefined) return { ok: false, status: 404, message: 'No Veil route is configured for this path.' };
    if (route.tenants !== undefined && !route.tenants.has(principal.tenant)) {
      return { ok: false, status: 403, message: `Tenant may not use route '${route.id}'.` };
    }
    if (route.roles !== undefined && !principal.roles.some((role) => route?.roles?.has(role) === true)) {
      return { ok: false, status: 403, message: `Route '${route.id}' requires one of the roles: ${[...route.roles].join(', ')}.` };
    }
  }
  const access = policy.providers.get(provider);
  // Listing providers makes the list an allow-list: an unlisted one is not used at all.
  if (access === undefined && policy.providers.size > 0) {
    return { ok: false, status: 403, message: `Provider '${provider}' is not allowed by the Veil policy.` };
  }
  if (access?.tenants !== undefined && !access.tenants.has(principal.tenant)) {
    return { ok: false, status: 403, message: `Tenant may not use provider '${provider}'.` };
  }
  const base = { ok: true as const, route, access, providerId: provider, routeId: route?.id };
  if (GATEWAY_IDENTITY_PROVIDERS.has(provider)) {
    if (access === undefined && policy.auth.mode === 'required') {
      return { ok: false, status: 403, message: `Provider '${provider}' is reached with the gateway's own identity; the Veil policy must list it under provider_access.` };
    }
    // No key of anyone's: the request is signed again by the gateway, the client's signature dropped.
    return { ...base, providerKey: undefined, keySource: 'signed' };
  }
  const callerKey = header(request.headers, 'x-veil-provider-key');
  if (callerKey !== undefined) {
    if (access !== undefined && !access.allowCallerKey) {
      return { ok: false, status: 403, message: `Provider '${provider}' does not accept caller keys (x-veil-provider-key).` };
    }
    return { ...base, providerKey: callerKey, keySource: 'caller' };
  }
  if (access?.keyEnv !== undefined) {
    const key = request.env[access.keyEnv];
    if (key === undefined || key === '') {
      return { ok: false, status: 500, message: `Provider '${provider}' has no key: environment variable ${access.keyEnv} is not set.` };
    }
    return { ...base, providerKey: key, keySource: 'env' };
  }
  const clientAuth = !request.authorizationIsVeil && header(request.headers, 'authorization') !== undefined;
  return { ...base, providerKey: undefined, keySource: clientAuth ? 'client' : 'none' };
}
