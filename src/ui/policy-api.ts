/**
 * `GET /ui/api/policy`: the policy in force as the policy page shows it. Key hashes, provider
 * keys and JWKS material are never included: keys appear by id and roles only.
 * @module
 */
import type { Policy } from '../policy/policy.js';
import { formatIssue, PolicyError } from '../policy/load.js';
import type { RuleHits } from '../policy/rule-hits.js';
import type { PolicySource } from '../policy/watch.js';

/** A policy source that may also say when it loaded and what it last refused (`PolicyWatcher`). */
interface WatchedSource extends PolicySource {
  readonly loadedAt?: Date;
  readonly lastRejection?: { readonly error: Error; readonly at: Date } | undefined;
}

function list(set: ReadonlySet<string> | undefined): string[] | null {
  return set === undefined ? null : [...set];
}

/** Every message of a rejected file, one per issue. */
function rejectionMessages(error: Error): string[] {
  if (error instanceof PolicyError) return error.issues.map((issue) => formatIssue(error.file, issue));
  return [error.message];
}

export function describePolicy(source: WatchedSource, hits: RuleHits, startedAt: Date): Record<string, unknown> {
  const policy: Policy = source.current;
  const counts = hits.of(policy);
  const loadedAt = source.loadedAt ?? startedAt;
  const rejection = source.lastRejection;
  return {
    version: policy.version,
    source: policy.source ?? null,
    builtin: policy.builtin,
    loadedAt: loadedAt.toISOString(),
    auth: {
      mode: policy.auth.mode,
      anonymous: policy.auth.anonymous,
      jwt: policy.auth.jwt === undefined ? null : { issuer: policy.auth.jwt.issuer, audience: policy.auth.jwt.audience, rolesClaim: policy.auth.jwt.rolesClaim, tenantClaim: policy.auth.jwt.tenantClaim },
    },
    tenants: [...policy.tenants.values()].map((tenant) => ({
      id: tenant.id,
      name: tenant.name,
      sessionTtlSeconds: tenant.sessionTtlSeconds ?? null,
      keys: [...policy.keysByHash.values()].filter((key) => key.tenant === tenant.id).map((key) => ({ id: key.id, roles: key.roles })),
    })),
    providers: [...policy.providers.values()].map((provider) => ({
      name: provider.name,
      keyEnv: provider.keyEnv ?? null,
      allowCallerKey: provider.allowCallerKey,
      tenants: list(provider.tenants),
    })),
    routes: policy.routes.map((route) => ({ id: route.id, path: route.prefix ? `${route.path}/*` : route.path, tenants: list(route.tenants), roles: list(route.roles) })),
    rules: policy.rules.map((rule) => ({
      id: rule.id,
      index: rule.index,
      action: rule.action,
      rehydrate: rule.rehydrate,
      format: rule.format ?? null,
      implicit: rule.implicit,
      when: {
        entities: list(rule.entities),
        providers: list(rule.providers),
        routes: list(rule.routes),
        tenants: list(rule.tenants),
        roles: list(rule.roles),
        minScore: rule.minScore,
      },
      hits: counts.get(rule.id) ?? 0,
    })),
    unmask: { requireReason: policy.unmask.requireReason, ratePerMinute: policy.unmask.ratePerMinute, cedar: policy.unmask.policies },
    warnings: policy.warnings,
    lastRejection:
      rejection === undefined
        ? null
        : { at: rejection.at.toISOString(), messages: rejectionMessages(rejection.error), current: rejection.at.getTime() >= loadedAt.getTime() },
  };
}
