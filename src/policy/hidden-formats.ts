/**
 * The opaque/fpe side of `rehydrationScope` (gate.ts): a scope view that withholds the format
 * tokens the policy says must not come back, the same way placeholder keys are withheld. An
 * opaque token names its type; an fpe token is only digits, so its type comes from the scope,
 * and one whose type the scope cannot tell is withheld whenever some type is.
 * @module
 */
import type { TokenScope } from '../vault/token-scope.js';
import { formatLookupOf, type FormatTokenLookup } from '../vault/tokens/matcher.js';
import { parseOpaqueToken } from '../vault/tokens/opaque.js';

const FPE_SHAPE = /^[\d\s\-.()+/]+$/;

/**
 * The `FormatTokenLookup` methods to put on a view of `scope` that hides `hiddenTypes` and the
 * tokens in `hiddenTokens` (upper-case); none when the scope issues no such formats.
 */
export function hiddenFormatLookup(
  scope: TokenScope,
  hiddenTypes: ReadonlySet<string>,
  hiddenTokens: ReadonlySet<string>,
): FormatTokenLookup | Record<string, never> {
  const lookup = formatLookupOf(scope);
  if (lookup === undefined) return {};
  const hiddenDigits = new Set([...hiddenTokens].filter((token) => FPE_SHAPE.test(token)).map((token) => token.replace(/\D/g, '')));
  return {
    hasFormatTokens: () => lookup.hasFormatTokens(),
    resolveOpaque(token) {
      const upper = token.toUpperCase();
      const type = parseOpaqueToken(upper)?.type;
      if (hiddenTokens.has(upper) || (type !== undefined && hiddenTypes.has(type))) return undefined;
      return lookup.resolveOpaque(token);
    },
    resolveFpeDigits(digits) {
      if (hiddenDigits.has(digits)) return undefined;
      if (hiddenTypes.size > 0) {
        const type = lookup.fpeTypeOf?.(digits);
        if (type === undefined || hiddenTypes.has(type)) return undefined;
      }
      return lookup.resolveFpeDigits(digits);
    },
    fpeTypeOf: (digits) => lookup.fpeTypeOf?.(digits),
  };
}
