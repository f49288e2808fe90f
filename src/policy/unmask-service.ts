/**
 * `POST /v1/veil/unmask`, without the HTTP: validates the body, rate-limits per key, opens the
 * caller's own tenant's session scope (so another tenant's tokens cannot even be looked up),
 * asks Cedar per token, and answers with the values Cedar allowed. Every attempt, allowed or
 * not, produces one audit event with principal, entity types, token ids and the reason given
 * (redacted: detected spans become their type), never values.
 *
 * Body: `{ "session": "...", "reason": "...", "text": "..." }` (every token in the text) or
 * `{ "session": "...", "reason": "...", "tokens": ["EMAIL_1", ...] }`. Tokens of every reversible
 * format count: placeholders, opaque `VEIL_…` tokens and fpe numbers (`unmask-tokens.ts`).
 * @module
 */
import type { AuditEventInput } from '../audit/event.js';
import type { Detector } from '../detect/detector.js';
import { builtinDetectors } from '../detect/registry.js';
import { rehydrate } from '../pipeline/rehydrate.js';
import type { TokenScope } from '../vault/token-scope.js';
import { auditReason } from './audit-reason.js';
import type { Principal } from './authenticate.js';
import { detectionEngineFor } from './detectors.js';
import type { Policy } from './policy.js';
import { UnmaskAuthorizer, UnmaskRateLimiter, type UnmaskOutcome } from './unmask.js';
import { allowedOnly, auditTokenId, canonicalTokenId, formatTokenIdsIn, resolveTokenId, typeOfTokenId } from './unmask-tokens.js';
import type { PolicySource } from './watch.js';

export interface UnmaskServiceOptions {
  readonly policy: PolicySource;
  /** The session scope of a tenant (the vault's, or an in-memory one). */
  readonly openScope: (tenant: string, session: string) => TokenScope | Promise<TokenScope>;
  /** Receives one event per attempt. */
  readonly audit?: (event: AuditEventInput) => void;
  readonly now?: () => Date;
  /** Detectors for redacting the audited reason, configured by the policy (default: built-in rules). */
  readonly detectors?: readonly Detector[];
}

export interface UnmaskTokenResult {
  readonly token: string;
  readonly type: string;
  readonly allowed: boolean;
  readonly outcome: UnmaskOutcome | 'not_found';
}

/** An HTTP-ready answer: the gateway writes `status` and `body` as JSON. */
export interface UnmaskReply {
  readonly status: 200 | 400 | 403 | 429;
  readonly body: Record<string, unknown>;
}

const MAX_TOKENS = 1000;
const MAX_TEXT = 1_000_000;
const SESSION = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function error(status: 400 | 403 | 429, message: string, code: string, param: string | null = null): UnmaskReply {
  const type = status === 400 ? 'invalid_request_error' : status === 429 ? 'rate_limit_error' : 'permission_error';
  return { status, body: { error: { message, type, code, param } } };
}

interface ParsedBody {
  readonly session: string;
  readonly reason: string | undefined;
  readonly text: string | undefined;
  readonly tokens: readonly string[] | undefined;
}

function parseBody(body: unknown): ParsedBody | UnmaskReply {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return error(400, 'Body must be a JSON object.', 'bad_input');
  const { session, reason, text, tokens } = body as Record<string, unknown>;
  if (typeof session !== 'string' || !SESSION.test(session)) return error(400, "'session' must be a session id.", 'bad_input', 'session');
  if (reason !== undefined && typeof reason !== 'string') return error(400, "'reason' must be a string.", 'bad_input', 'reason');
  if ((text === undefined) === (tokens === undefined)) return error(400, "Send either 'text' or 'tokens'.", 'bad_input');
  if (text !== undefined && (typeof text !== 'string' || text.length > MAX_TEXT)) {
    return error(400, "'text' must be a string of at most 1,000,000 characters.", 'bad_input', 'text');
  }
  if (tokens !== undefined) {
    if (!Array.isArray(tokens) || tokens.length > MAX_TOKENS) return error(400, "'tokens' must be an array of at most 1000 token ids.", 'bad_input', 'tokens');
    // Tokens are checked by shape only; a malformed one is named by position, not echoed.
    const bad = tokens.findIndex((token) => typeof token !== 'string' || canonicalTokenId(token) === undefined);
    if (bad !== -1) {
      return error(400, `'tokens[${bad}]' is not a token: EMAIL_1, VEIL_EMAIL_…, or the number of an fpe token.`, 'bad_input', `tokens[${bad}]`);
    }
  }
  return {
    session,
    reason: reason as string | undefined,
    text: text as string | undefined,
    tokens: (tokens as string[] | undefined)?.map((token) => canonicalTokenId(token) as string),
  };
}

/** Token ids the rehydrator would resolve in `text` (it forgives mangled forms), in every format. */
function tokensIn(text: string, scope: TokenScope): string[] {
  const seen = new Set<string>();
  rehydrate(text, {
    tenant: scope.tenant,
    session: scope.session,
    size: scope.size,
    tokenize: () => [],
    issuedTypes: () => scope.issuedTypes(),
    resolve(key) {
      const upper = key.toUpperCase();
      if (scope.resolve(upper) !== undefined) seen.add(upper);
      return undefined;
    },
  });
  return [...seen, ...formatTokenIdsIn(text, scope)];
}

export class UnmaskService {
  private readonly options: UnmaskServiceOptions;
  private readonly limiter = new UnmaskRateLimiter(Number.POSITIVE_INFINITY);
  private readonly authorizers = new WeakMap<Policy, UnmaskAuthorizer>();

  private readonly detectors: readonly Detector[];

  constructor(options: UnmaskServiceOptions) {
    this.options = options;
    this.detectors = options.detectors ?? builtinDetectors();
  }

  private authorizer(policy: Policy): UnmaskAuthorizer {
    let authorizer = this.authorizers.get(policy);
    if (authorizer === undefined) {
      authorizer = new UnmaskAuthorizer(policy);
      this.authorizers.set(policy, authorizer);
    }
    return authorizer;
  }

  async handle(principal: Principal, body: unknown, requestId?: string): Promise<UnmaskReply> {
    const policy = this.options.policy.current;
    const now = this.options.now?.() ?? new Date();
    // The reason may itself hold personal data: the event keeps it redacted (audit-reason.ts).
    const given = isObject(body) && typeof body['reason'] === 'string' ? body['reason'] : undefined;
    const reason = given === undefined ? null : await auditReason(given, detectionEngineFor(policy, this.detectors));
    const withReason = reason === null ? {} : { reason };
    const base = {
      kind: 'unmask' as const,
      tenant: principal.tenant,
      principal: { key_id: principal.keyId, role: principal.roles.length === 0 ? null : principal.roles.join('+') },
      policy_version: policy.version,
      ...(requestId === undefined ? {} : { request_id: requestId }),
    };
    if (!this.limiter.take(principal.keyId, now.getTime(), policy.unmask.ratePerMinute)) {
      this.options.audit?.({ ...base, outcome: 'denied', unmask: { allowed: false, tokens: 0, ...withReason } });
      return error(429, 'Too many unmask attempts for this key; try again in a minute.', 'rate_limited');
    }
    const parsed = parseBody(body);
    if ('status' in parsed) {
      this.options.audit?.({ ...base, outcome: 'error', unmask: { allowed: false, tokens: 0, ...withReason } });
      return parsed;
    }
    // Always the caller's own tenant: a session id of another tenant opens an empty scope.
    const scope = await this.options.openScope(principal.tenant, parsed.session);
    const requested = parsed.tokens ?? tokensIn(parsed.text ?? '', scope);
    const unique = [...new Set(requested)];
    const found = unique.filter((token) => resolveTokenId(scope, token) !== undefined);
    const decisions = this.authorizer(policy).authorize({
      principal,
      resources: found.map((token) => ({ tenant: scope.tenant, session: parsed.session, type: typeOfTokenId(scope, token), token })),
      reason: parsed.reason,
      time: now,
    });
    const byToken = new Map(decisions.map((decision) => [decision.token, decision]));
    const results: UnmaskTokenResult[] = unique.map((token) => {
      const decision = byToken.get(token);
      const type = typeOfTokenId(scope, token);
      return decision === undefined
        ? { token, type, allowed: false, outcome: 'not_found' }
        : { token, type, allowed: decision.allowed, outcome: decision.outcome };
    });
    const allowed = new Set(results.filter((result) => result.allowed).map((result) => result.token));
    const entities: Record<string, { allow?: number; block?: number }> = {};
    for (const result of results) {
      const counts = (entities[result.type] ??= {});
      // For unmask events, `allow` counts tokens resolved and `block` tokens refused.
      if (result.allowed) counts.allow = (counts.allow ?? 0) + 1;
      else counts.block = (counts.block ?? 0) + 1;
    }
    this.options.audit?.({
      ...base,
      entities,
      token_ids: unique.map(auditTokenId),
      rule_ids: [...new Set(decisions.flatMap((decision) => decision.policies))],
      outcome: allowed.size > 0 ? 'ok' : 'denied',
      unmask: { allowed: allowed.size > 0, tokens: unique.length, ...withReason },
    });
    const tokenList = results.map((result) => ({ token: result.token, type: result.type, allowed: result.allowed, outcome: result.outcome }));
    if (results.length > 0 && allowed.size === 0 && results.some((result) => result.outcome !== 'not_found')) {
      const reasonRequired = results.some((result) => result.outcome === 'reason_required');
      return {
        status: 403,
        body: {
          error: {
            message: reasonRequired ? "Unmask needs a 'reason'." : 'Veil policy does not allow this key to unmask these tokens.',
            type: 'permission_error',
            code: 'veil_unmask_denied',
            param: null,
          },
          tokens: tokenList,
        },
      };
    }
    if (parsed.text !== undefined) {
      return { status: 200, body: { text: rehydrate(parsed.text, allowedOnly(scope, allowed)), tokens: tokenList } };
    }
    return {
      status: 200,
      body: {
        tokens: results.map((result) => ({
          ...tokenList.find((item) => item.token === result.token),
          value: result.allowed ? (resolveTokenId(scope, result.token) ?? null) : null,
        })),
      },
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
