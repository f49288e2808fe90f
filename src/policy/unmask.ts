/**
 * Who may turn a token back into its value outside the request that created it. The decision is
 * Cedar's (`unmask.policies` in veil.yaml), asked once per token, after two checks that no policy
 * can override: a token of another tenant is never resolved, and (by default) a reason is
 * required.
 *
 * Cedar model (documented in docs/policy.md):
 * - principal `Veil::Key::"<key id>"`, attrs `{ tenant: String, roles: Set<String> }`, member of
 *   `Veil::Tenant::"<tenant>"` and of `Veil::Role::"<role>"` for each role;
 * - action `Veil::Action::"unmask"`;
 * - resource `Veil::Token::"<session>/<TOKEN_KEY>"`, attrs `{ type, parent_type, session, tenant }`;
 * - context `{ reason: String, time: Long (unix seconds), hour_utc: Long, weekday_utc: Long }`.
 * @module
 */
import { checkParsePolicySet, isAuthorized, policySetTextToParts, type EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { parentType } from '../core/entities.js';
import type { Policy } from './policy.js';

export interface CedarIssue {
  readonly message: string;
  /** Offset in the policy text, when Cedar gives one. */
  readonly offset: number | undefined;
}

/** Syntax errors of a Cedar policy set (empty when it parses). */
export function checkCedarPolicies(text: string): CedarIssue[] {
  const answer = checkParsePolicySet({ staticPolicies: text });
  if (answer.type === 'success') return [];
  return answer.errors.map((error) => {
    const location = error.sourceLocations?.[0];
    const detail = location?.label ?? undefined;
    return {
      message: detail === undefined || detail === null ? error.message : `${error.message}: ${detail}`,
      offset: location?.start,
    };
  });
}

export interface UnmaskPrincipal {
  readonly tenant: string;
  readonly keyId: string;
  readonly roles: readonly string[];
}

export interface UnmaskResource {
  /** Tenant that owns the token (the scope it was issued in). */
  readonly tenant: string;
  readonly session: string | undefined;
  /** Entity type, e.g. `EMAIL`. */
  readonly type: string;
  /** Canonical token key, e.g. `EMAIL_1`. */
  readonly token: string;
}

export interface UnmaskRequest {
  readonly principal: UnmaskPrincipal;
  readonly resources: readonly UnmaskResource[];
  readonly reason: string | undefined;
  readonly time?: Date;
}

export type UnmaskOutcome = 'allowed' | 'cross_tenant' | 'reason_required' | 'denied' | 'policy_error';

export interface UnmaskDecision {
  readonly token: string;
  readonly type: string;
  readonly allowed: boolean;
  readonly outcome: UnmaskOutcome;
  /** Ids of the Cedar policies that decided (`policy0`, ... or `@id` annotations). */
  readonly policies: readonly string[];
}

/** Splits a policy set into `{ id: text }`, ids from `@id("...")` or `policy<N>`. */
function namedPolicies(text: string): Record<string, string> {
  if (text.trim() === '') return {};
  const parts = policySetTextToParts(text);
  // Load-time validation already rejected text that does not parse; deny-all is the safe side.
  if (parts.type === 'failure') return {};
  const out: Record<string, string> = {};
  parts.policies.forEach((policy, index) => {
    const annotated = /@id\(\s*"([^"]+)"\s*\)/.exec(policy)?.[1];
    const id = annotated !== undefined && out[annotated] === undefined ? annotated : `policy${index}`;
    out[id] = policy;
  });
  return out;
}

const ACTION = { type: 'Veil::Action', id: 'unmask' } as const;

/** Authorises unmask requests against one policy version. */
export class UnmaskAuthorizer {
  /** Policies by id, so that decisions name `@id("...")` annotations instead of `policy0`. */
  private readonly policies: Record<string, string>;
  private readonly requireReason: boolean;

  constructor(policy: Policy) {
    this.policies = namedPolicies(policy.unmask.policies);
    this.requireReason = policy.unmask.requireReason;
  }

  authorize(request: UnmaskRequest): UnmaskDecision[] {
    const { principal } = request;
    const reason = request.reason?.trim() ?? '';
    const time = request.time ?? new Date();
    const context = {
      reason,
      time: Math.floor(time.getTime() / 1000),
      hour_utc: time.getUTCHours(),
      weekday_utc: time.getUTCDay(),
    };
    const principalUid = { type: 'Veil::Key', id: principal.keyId };
    const baseEntities: EntityJson[] = [
      {
        uid: principalUid,
        attrs: { tenant: principal.tenant, roles: [...principal.roles] },
        parents: [
          { type: 'Veil::Tenant', id: principal.tenant },
          ...principal.roles.map((role) => ({ type: 'Veil::Role', id: role })),
        ],
      },
      { uid: { type: 'Veil::Tenant', id: principal.tenant }, attrs: {}, parents: [] },
      ...principal.roles.map((role) => ({ uid: { type: 'Veil::Role', id: role }, attrs: {}, parents: [] })),
    ];
    return request.resources.map((resource) => {
      const base = { token: resource.token, type: resource.type };
      // Never delegated to Cedar: no policy, however broad, may reach into another tenant.
      if (resource.tenant !== principal.tenant) return { ...base, allowed: false, outcome: 'cross_tenant', policies: [] };
      if (this.requireReason && reason === '') return { ...base, allowed: false, outcome: 'reason_required', policies: [] };
      if (Object.keys(this.policies).length === 0) return { ...base, allowed: false, outcome: 'denied', policies: [] };
      const session = resource.session ?? '';
      const resourceUid = { type: 'Veil::Token', id: `${session}/${resource.token}` };
      const answer = isAuthorized({
        principal: principalUid,
        action: ACTION,
        resource: resourceUid,
        context,
        policies: { staticPolicies: this.policies },
        entities: [
          ...baseEntities,
          {
            uid: resourceUid,
            attrs: { type: resource.type, parent_type: parentType(resource.type), session, tenant: resource.tenant },
            parents: [{ type: 'Veil::Tenant', id: resource.tenant }],
          },
        ],
      });
      if (answer.type === 'failure') return { ...base, allowed: false, outcome: 'policy_error', policies: [] };
      const { decision, diagnostics } = answer.response;
      // A policy that errors during evaluation is skipped by Cedar; denial is still the safe side.
      return {
        ...base,
        allowed: decision === 'allow',
        outcome: decision === 'allow' ? 'allowed' : 'denied',
        policies: diagnostics.reason,
      };
    });
  }
}

/** Fixed one-minute windows per key: every attempt counts, allowed or not. */
export class UnmaskRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  /** True when `keyId` may make another attempt now. `limit` overrides the constructor's (policy reloads). */
  take(keyId: string, now = Date.now(), limit = this.perMinute): boolean {
    const window = this.windows.get(keyId);
    if (window === undefined || now - window.start >= 60_000) {
      if (this.windows.size > 10_000) this.prune(now);
      this.windows.set(keyId, { start: now, count: 1 });
      return limit >= 1;
    }
    window.count++;
    return window.count <= limit;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= 60_000) this.windows.delete(key);
  }
}
