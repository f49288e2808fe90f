/**
 * The token ids `POST /v1/veil/unmask` accepts, in every reversible format a policy can choose:
 * placeholder keys (`EMAIL_1`, `<<EMAIL_1>>`), opaque tokens (`VEIL_EMAIL_K…_…`, either case) and
 * fpe tokens (the digits, with or without the separators the model saw). An id is resolved only
 * in the caller's own session scope, like the placeholders always were.
 * @module
 */
import { createHash } from 'node:crypto';
import { isAuditTokenId } from '../audit/event.js';
import type { TokenScope } from '../vault/token-scope.js';
import { formatLookupOf, rehydrateFormatTokens } from '../vault/tokens/matcher.js';
import { parseOpaqueToken } from '../vault/tokens/opaque.js';
import { typeOfTokenKey } from '../vault/tokens/placeholder.js';

const FPE_TOKEN = /^\+?\(?\d[\d\s\-.()+]*$/;
const FPE_DIGITS = { min: 6, max: 19 };

/** The canonical id of a token as a caller wrote it, or undefined when it is no token shape. */
export function canonicalTokenId(raw: string): string | undefined {
  const bare = raw.trim().replace(/^<<\s*|\s*>>$/g, '');
  const upper = bare.toUpperCase();
  if (typeOfTokenKey(upper) !== undefined || parseOpaqueToken(upper) !== undefined) return upper;
  if (FPE_TOKEN.test(bare)) {
    const digits = bare.replace(/\D/g, '');
    if (digits.length >= FPE_DIGITS.min && digits.length <= FPE_DIGITS.max) return digits;
  }
  return undefined;
}

function isFpeId(id: string): boolean {
  return /^\d+$/.test(id);
}

/** The value behind a canonical id in `scope`, or undefined. */
export function resolveTokenId(scope: TokenScope, id: string): string | undefined {
  if (typeOfTokenKey(id) !== undefined) return scope.resolve(id);
  const lookup = formatLookupOf(scope);
  if (lookup === undefined) return undefined;
  return isFpeId(id) ? lookup.resolveFpeDigits(id) : lookup.resolveOpaque(id);
}

/** The entity type of a canonical id (`MISC` when the scope cannot tell). */
export function typeOfTokenId(scope: TokenScope, id: string): string {
  if (isFpeId(id)) return formatLookupOf(scope)?.fpeTypeOf?.(id) ?? 'MISC';
  return typeOfTokenKey(id) ?? parseOpaqueToken(id)?.type ?? 'MISC';
}

/** Canonical ids of the opaque and fpe tokens of `scope` found in `text`. */
export function formatTokenIdsIn(text: string, scope: TokenScope): string[] {
  const lookup = formatLookupOf(scope);
  if (lookup === undefined) return [];
  const seen = new Set<string>();
  rehydrateFormatTokens(text, {
    hasFormatTokens: () => lookup.hasFormatTokens(),
    resolveOpaque(token) {
      if (lookup.resolveOpaque(token) !== undefined) seen.add(token.toUpperCase());
      return undefined;
    },
    resolveFpeDigits(digits) {
      if (lookup.resolveFpeDigits(digits) !== undefined) seen.add(digits);
      return undefined;
    },
  });
  return [...seen];
}

/**
 * A view of `scope` that resolves only the `allowed` canonical ids, in every format (for putting
 * back the allowed tokens of a text).
 */
export function allowedOnly(scope: TokenScope, allowed: ReadonlySet<string>): TokenScope {
  const lookup = formatLookupOf(scope);
  return {
    tenant: scope.tenant,
    session: scope.session,
    size: scope.size,
    tokenize: () => [],
    issuedTypes: () => scope.issuedTypes(),
    resolve: (key) => (allowed.has(key.toUpperCase()) ? scope.resolve(key) : undefined),
    ...(lookup === undefined
      ? {}
      : {
          hasFormatTokens: () => lookup.hasFormatTokens(),
          resolveOpaque: (token: string) => (allowed.has(token.toUpperCase()) ? lookup.resolveOpaque(token) : undefined),
          resolveFpeDigits: (digits: string) => (allowed.has(digits) ? lookup.resolveFpeDigits(digits) : undefined),
        }),
  };
}

/**
 * How an id appears in `token_ids` of the audit event: as itself when it is a plain identifier
 * (placeholder keys, lookup-mode opaque tokens, fpe digits), else a short hash (long SIV tokens).
 */
export function auditTokenId(id: string): string {
  return isAuditTokenId(id) ? id : `sha256:${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}
