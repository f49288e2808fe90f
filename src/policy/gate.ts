/**
 * What the gateway asks of the policy, in one narrow object: `admit` a request (auth, route,
 * provider key, the rule context and its decide function, the headers to strip), turn blocked
 * spans into the 403 `veil_blocked` error, and give rehydration a scope that withholds what the
 * policy says must not come back. The gateway stays in charge of HTTP; this module never writes
 * a response.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { Detector } from '../detect/detector.js';
import type { DetectionEngine } from '../detect/engine.js';
import { builtinDetectors } from '../detect/registry.js';
import type { TokenScope } from '../vault/token-scope.js';
import { typeOfTokenKey } from '../vault/tokens/placeholder.js';
import { authenticate, type CredentialHeader, type Principal } from './authenticate.js';
import { detectionEngineFor } from './detectors.js';
import { hiddenFormatLookup } from './hidden-formats.js';
import type { Policy, ProviderAccess, Route } from './policy.js';
import { decideFor, nonRehydratedTypes, type PolicyDecideFn, type RuleContext } from './rules.js';
import { resolveRoute, type KeySource } from './routes.js';
import type { RuleHits } from './rule-hits.js';
import type { PolicySource } from './watch.js';

export interface AdmitRequest {
  readonly path: string;
  /** The provider the gateway's route table chose (`openai`, `anthropic`, `azure`, a route name). */
  readonly provider: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
}

export interface Admission {
  /** The policy version in force for this whole request. */
  readonly policy: Policy;
  readonly principal: Principal;
  readonly route: Route | undefined;
  /** The policy's `provider_access` entry, when there is one. */
  readonly access: ProviderAccess | undefined;
  readonly context: RuleContext;
  readonly decide: PolicyDecideFn;
  /** Detection as the policy's `detectors` section configures it (cached per version). */
  readonly engine: DetectionEngine;
  /**
   * Header names to remove before forwarding: the one that held the Veil credential and
   * `x-veil-provider-key`. (`x-veil-*` headers are never forwarded anyway.)
   */
  readonly stripHeaders: readonly string[];
  /**
   * The provider key the policy supplies (the caller's allowed `x-veil-provider-key`, else
   * `key_env`); the gateway sends it in the provider's own header. Never log it.
   */
  readonly providerKey: string | undefined;
  readonly keySource: KeySource;
  /** Default session lifetime of the principal's tenant. */
  readonly sessionTtlSeconds: number | undefined;
}

/** The status the gateway should answer with (a `VeilError` code maps to one by default). */
export function statusOf(error: VeilError): number | undefined {
  const status = error.data?.['status'];
  return typeof status === 'number' ? status : undefined;
}

function refusal(status: 401 | 403 | 404 | 500, message: string): VeilError {
  const code =
    status === 404 ? VeilErrorCode.NotFound : status === 500 ? VeilErrorCode.Config : VeilErrorCode.Unauthorized;
  return new VeilError(code, message, { data: { status } });
}

export interface PolicyGateOptions {
  /** Where provider keys named by `key_env` are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Detectors available to the policy (default: the built-in rule detectors). */
  readonly detectors?: readonly Detector[];
  /** Counts the decisions of each rule (the console's policy page). */
  readonly hits?: RuleHits;
}

export class PolicyGate {
  private readonly source: PolicySource;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly detectors: readonly Detector[];
  private readonly hits: RuleHits | undefined;

  constructor(source: PolicySource, options: PolicyGateOptions = {}) {
    this.source = source;
    this.env = options.env ?? process.env;
    this.detectors = options.detectors ?? builtinDetectors();
    this.hits = options.hits;
  }

  get policy(): Policy {
    return this.source.current;
  }

  /**
   * Authenticates only, for Veil's own endpoints (`/v1/veil/unmask`) that no route governs.
   * Throws like `admit`.
   */
  async identify(request: Omit<AdmitRequest, 'provider'>): Promise<{ readonly policy: Policy; readonly principal: Principal }> {
    const policy = this.source.current;
    const auth = await authenticate(request.headers, request.remoteAddress, policy);
    if (!auth.ok) throw refusal(auth.status, auth.message);
    return { policy, principal: auth.principal };
  }

  /**
   * Authenticates and routes a request. Throws `VeilError` with `data.status` 401 (no or bad
   * credentials), 403 (not allowed: tenant, role, provider, caller key), 404 (no route) or 500
   * (provider key missing from the environment).
   */
  async admit(request: AdmitRequest): Promise<Admission> {
    // Read once: a reload during this request does not change its rules.
    const policy = this.source.current;
    const auth = await authenticate(request.headers, request.remoteAddress, policy);
    if (!auth.ok) throw refusal(auth.status, auth.message);
    const { principal, credentialHeader } = auth;
    const routed = resolveRoute(policy, {
      path: request.path,
      provider: request.provider,
      principal,
      headers: request.headers,
      env: this.env,
      authorizationIsVeil: credentialHeader === 'authorization',
    });
    if (!routed.ok) throw refusal(routed.status, routed.message);
    const context: RuleContext = {
      tenant: principal.tenant,
      roles: principal.roles,
      provider: routed.providerId,
      ...(routed.routeId === undefined ? {} : { route: routed.routeId }),
    };
    const strip: string[] = ['x-veil-provider-key'];
    if (credentialHeader !== undefined) strip.push(credentialHeader satisfies CredentialHeader);
    return {
      policy,
      principal,
      route: routed.route,
      access: routed.access,
      context,
      decide: this.hits === undefined ? decideFor(policy, context) : this.hits.counting(policy, decideFor(policy, context)),
      engine: detectionEngineFor(policy, this.detectors),
      stripHeaders: strip,
      providerKey: routed.providerKey,
      keySource: routed.keySource,
      sessionTtlSeconds: policy.tenants.get(principal.tenant)?.sessionTtlSeconds,
    };
  }
}

/** The 403 `veil_blocked` error for blocked spans: names types and rules, never values. */
export function blockedError(blocked: readonly { readonly type: string; readonly rule: string | undefined }[]): VeilError {
  const types = [...new Set(blocked.map((entity) => entity.type))];
  const rules = [...new Set(blocked.map((entity) => entity.rule).filter((rule): rule is string => rule !== undefined))];
  return new VeilError(
    VeilErrorCode.Blocked,
    `Request blocked by Veil policy: it contains ${types.join(', ')}${rules.length > 0 ? ` (rule ${rules.join(', ')})` : ''}.`,
    { data: { status: 403, types, rules } },
  );
}

/**
 * A view of `scope` for rehydrating answers that hides the tokens the policy says must not come
 * back: every type some applicable `rehydrate: false` rule could decide, and the tokens this
 * request made under such a rule. Redacted values are never in a scope, so they stay redacted.
 */
export function rehydrationScope(
  admission: Pick<Admission, 'policy' | 'context'>,
  scope: TokenScope,
  entities: readonly { readonly token: string | undefined; readonly rule: string | undefined }[] = [],
): TokenScope {
  const { policy } = admission;
  const hiddenTypes = nonRehydratedTypes(policy, admission.context, scope.issuedTypes());
  const oneWayRules = new Set(policy.rules.filter((rule) => !rule.rehydrate).map((rule) => rule.id));
  const hiddenTokens = new Set(
    entities
      .filter((entity) => entity.token !== undefined && entity.rule !== undefined && oneWayRules.has(entity.rule))
      .map((entity) => (entity.token as string).toUpperCase()),
  );
  if (hiddenTypes.size === 0 && hiddenTokens.size === 0) return scope;
  return {
    tenant: scope.tenant,
    session: scope.session,
    get size() {
      return scope.size;
    },
    tokenize: (requests) => scope.tokenize(requests),
    // Opaque and fpe tokens are withheld by the same rules as placeholder keys.
    ...hiddenFormatLookup(scope, hiddenTypes, hiddenTokens),
    resolve(key) {
      const upper = key.toUpperCase();
      const type = typeOfTokenKey(upper);
      if (hiddenTokens.has(upper) || (type !== undefined && hiddenTypes.has(type))) return undefined;
      return scope.resolve(key);
    },
    issuedTypes() {
      const types = new Set(scope.issuedTypes());
      for (const type of hiddenTypes) types.delete(type);
      return types;
    },
  };
}
