/**
 * The rule engine: for a request context (tenant, roles, provider, route), the first rule whose
 * `when` matches a span decides its action. The hot path calls the decide function once per
 * span, so the request-level conditions are settled once per context and the per-span work is a
 * map lookup by entity type plus a score comparison.
 * @module
 */
import type { Span } from '../core/span.js';
import { parentType } from '../core/entities.js';
import type { DecideFn, SpanDecision } from '../pipeline/mask.js';
import type { TokenFormatName } from '../vault/tokens/formats.js';
import type { CompiledRule, Policy } from './policy.js';

export interface RuleContext {
  readonly tenant: string;
  /** The caller's roles; a rule's `role` condition matches when any of them is listed. */
  readonly roles?: readonly string[];
  readonly provider?: string;
  readonly route?: string;
}

export interface PolicyDecision extends SpanDecision {
  readonly rule: string;
  /** Token format of the deciding rule, for `mask` (undefined: placeholder `<<TYPE_N>>`). */
  readonly format?: TokenFormatName;
  /** False when the deciding rule forbids putting the value back into answers. */
  readonly rehydrate: boolean;
}

/** A decide function that also says, per entity type, whether its tokens may be rehydrated. */
export interface PolicyDecideFn extends DecideFn {
  (span: Span, textIndex: number): PolicyDecision;
}

type ContextCondition = 'tenant' | 'role' | 'provider' | 'route';

/** The first request-level condition of `rule` that `ctx` fails, or undefined. */
function failedCondition(rule: CompiledRule, ctx: RuleContext): ContextCondition | undefined {
  if (rule.tenants !== undefined && !rule.tenants.has(ctx.tenant)) return 'tenant';
  if (rule.roles !== undefined && !(ctx.roles ?? []).some((role) => rule.roles?.has(role) === true)) return 'role';
  if (rule.providers !== undefined && (ctx.provider === undefined || !rule.providers.has(ctx.provider))) return 'provider';
  if (rule.routes !== undefined && (ctx.route === undefined || !rule.routes.has(ctx.route))) return 'route';
  return undefined;
}

function entityMatches(rule: CompiledRule, type: string): boolean {
  return rule.entities === undefined || rule.entities.has(type) || rule.entities.has(parentType(type));
}

function decisionOf(rule: CompiledRule): PolicyDecision {
  return Object.freeze({
    action: rule.action,
    rule: rule.id,
    rehydrate: rule.rehydrate,
    // `placeholder` is what the scope does anyway; leaving it out keeps that path unchanged.
    ...(rule.format === undefined || rule.format === 'placeholder' ? {} : { format: rule.format }),
  });
}

interface Candidate {
  readonly minScore: number;
  readonly decision: PolicyDecision;
}

/** Candidates for one entity type, in rule order, cut after the first that always matches. */
function candidatesFor(rules: readonly CompiledRule[], type: string): Candidate[] {
  const out: Candidate[] = [];
  for (const rule of rules) {
    if (!entityMatches(rule, type)) continue;
    out.push({ minScore: rule.minScore, decision: decisionOf(rule) });
    if (rule.minScore === 0) break;
  }
  return out;
}

const cache = new WeakMap<Policy, Map<string, PolicyDecideFn>>();
const CACHE_LIMIT = 1024;

function contextKey(ctx: RuleContext): string {
  const roles = ctx.roles === undefined ? '' : [...ctx.roles].sort().join(',');
  return `${ctx.tenant}\u0000${roles}\u0000${ctx.provider ?? ''}\u0000${ctx.route ?? ''}`;
}

/**
 * The decide function for requests in `ctx`. Cached per policy version and context, so calling
 * it per request is cheap; the function itself caches its answer lists per entity type.
 */
export function decideFor(policy: Policy, ctx: RuleContext): PolicyDecideFn {
  let perPolicy = cache.get(policy);
  if (perPolicy === undefined) {
    perPolicy = new Map();
    cache.set(policy, perPolicy);
  }
  const key = contextKey(ctx);
  const cached = perPolicy.get(key);
  if (cached !== undefined) return cached;
  const applicable = policy.rules.filter((rule) => failedCondition(rule, ctx) === undefined);
  const byType = new Map<string, Candidate[]>();
  const decide: PolicyDecideFn = (span) => {
    let candidates = byType.get(span.type);
    if (candidates === undefined) {
      candidates = candidatesFor(applicable, span.type);
      byType.set(span.type, candidates);
    }
    for (const candidate of candidates) if (span.score >= candidate.minScore) return candidate.decision;
    // Unreachable with a compiled policy (it always ends in a catch-all); mask is the safe side.
    return FALLBACK;
  };
  // Contexts come from configured ids, so this stays small; the limit guards against odd callers.
  if (perPolicy.size >= CACHE_LIMIT) perPolicy.clear();
  perPolicy.set(key, decide);
  return decide;
}

const FALLBACK: PolicyDecision = Object.freeze({ action: 'mask', rule: 'builtin.fallback', rehydrate: true });

/** Why a rule did not decide a span. */
export type SkipReason = 'entity' | 'min_score' | ContextCondition;

export interface RuleExplanation {
  readonly decision: PolicyDecision;
  /** Rules before the deciding one, each with the first condition that failed. */
  readonly skipped: readonly { readonly rule: string; readonly reason: SkipReason }[];
}

/** The decision for one span with the reasons each earlier rule did not apply (`veil policy test`). */
export function explainSpan(policy: Policy, ctx: RuleContext, span: Pick<Span, 'type' | 'score'>): RuleExplanation {
  const skipped: { rule: string; reason: SkipReason }[] = [];
  for (const rule of policy.rules) {
    // The entity is named first: "not this type" reads better than "not this role" for a card rule.
    let reason: SkipReason | undefined = entityMatches(rule, span.type) ? failedCondition(rule, ctx) : 'entity';
    if (reason === undefined && span.score < rule.minScore) reason = 'min_score';
    if (reason === undefined) return { decision: decisionOf(rule), skipped };
    skipped.push({ rule: rule.id, reason });
  }
  return { decision: FALLBACK, skipped };
}

/**
 * Entity types whose tokens must not be put back into answers in `ctx`: types for which some
 * applicable rule with `rehydrate: false` could decide. Conservative on purpose: when a score
 * threshold makes it depend on the span, rehydration is withheld for the whole type.
 */
export function nonRehydratedTypes(policy: Policy, ctx: RuleContext, types: Iterable<string>): Set<string> {
  const applicable = policy.rules.filter((rule) => failedCondition(rule, ctx) === undefined);
  const out = new Set<string>();
  for (const type of types) {
    if (candidatesFor(applicable, type).some((candidate) => !candidate.decision.rehydrate && candidate.decision.action === 'mask')) {
      out.add(type);
    }
  }
  return out;
}
