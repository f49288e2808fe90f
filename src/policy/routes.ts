/**
 * Routing and provider access: which configured route a path belongs to, whether the caller may
 * use it and its provider, and where the provider key comes from (the route's environment
 * variable, the caller's `x-veil-provider-key` where the provider allows it, or, with auth
 * disabled, the client's own `Authorization` passing through as before).
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './authenticate.js';
import type { Policy, Provider, Route } from './policy.js';

/** Provider id used in rule contexts when the file configures no providers. */
export const DEFAULT_PROVIDER_ID = 'default';

export type KeySource = 'env' | 'caller' | 'client' | 'none';

export type RouteResult =
  | {
      readonly ok: true;
      /** Undefined when the file configures no routes. */
      readonly route: Route | undefined;
      /** Undefined when the file configures no providers: the gateway's own upstream applies. */
      readonly provider: Provider | undefined;
      /** For rule contexts and audit. */
      readonly providerId: string;
      readonly routeId: string | undefined;
      /** The provider key to send as `Authorization: Bearer`, when Veil supplies one. */
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
  const { principal } = request;
  let route: Route | undefined;
  let provider: Provider | undefined;
  if (policy.routes.length > 0) {
    route = matchRoute(policy, request.path);
    // With routes configured, an unrouted path would bypass their allow-lists.
    if (route === undefined) return { ok: false, status: 404, message: 'No Veil route is configured for this path.' };
    if (route.tenants !== undefined && !route.tenants.has(principal.tenant)) {
      return { ok: false, status: 403, message: `Tenant may not use route '${route.id}'.` };
    }
    if (route.roles !== undefined && !principal.roles.some((role) => route?.roles?.has(role) === true)) {
      return { ok: false, status: 403, message: `Route '${route.id}' requires one of the roles: ${[...route.roles].join(', ')}.` };
    }
    provider = policy.providers.get(route.provider);
  } else {
    provider = policy.providers.values().next().value;
  }
  if (provider?.tenants !== undefined && !provider.tenants.has(principal.tenant)) {
    return { ok: false, status: 403, message: `Tenant may not use provider '${provider.id}'.` };
  }
  const base = {
    ok: true as const,
    route,
    provider,
    providerId: provider?.id ?? DEFAULT_PROVIDER_ID,
    routeId: route?.id,
  };
  const callerKey = header(request.headers, 'x-veil-provider-key');
  if (callerKey !== undefined) {
    if (provider !== undefined && !provider.allowCallerKey) {
      return { ok: false, status: 403, message: `Provider '${provider.id}' does not accept caller keys (x-veil-provider-key).` };
    }
    return { ...base, providerKey: callerKey, keySource: 'caller' };
  }
  if (provider?.keyEnv !== undefined) {
    const key = request.env[provider.keyEnv];
    if (key === undefined || key === '') {
      return { ok: false, status: 500, message: `Provider '${provider.id}' has no key: environment variable ${provider.keyEnv} is not set.` };
    }
    return { ...base, providerKey: key, keySource: 'env' };
  }
  const clientAuth = !request.authorizationIsVeil && header(request.headers, 'authorization') !== undefined;
  return { ...base, providerKey: undefined, keySource: clientAuth ? 'client' : 'none' };
}
