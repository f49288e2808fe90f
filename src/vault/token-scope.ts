/**
 * A token scope is where "same value, same token" holds: a tenant, optionally narrowed to a
 * session. The pipeline asks a scope for tokens and for the values behind tokens; it does not
 * know whether the scope lives only in memory (one request) or in the vault (a session).
 * @module
 */
import type { TokenFormatName } from './tokens/formats.js';

export interface TokenRequest {
  readonly type: string;
  /** The value exactly as it appeared (what rehydration gives back). */
  readonly value: string;
  /** The normalised form that decides identity (see `normalizeValue`). */
  readonly normalized: string;
  /**
   * The token format policy chose for this span (`tokens/formats.ts`); undefined: the scope's
   * own default (placeholder unless the scope was opened with a per-type chooser).
   */
  readonly format?: TokenFormatName;
}

export interface TokenScope {
  readonly tenant: string;
  readonly session: string | undefined;
  /**
   * Tokens (canonical keys such as `PERSON_1`) for each request, in order; new values get the
   * next number of their type. Persistent scopes write every new value in one batch.
   */
  tokenize(requests: readonly TokenRequest[]): string[] | Promise<string[]>;
  /** The original value of an issued token key (`PERSON_1`, matched upper-case). */
  resolve(tokenKey: string): string | undefined;
  /** Entity types that have at least one issued token (lets the rehydrator skip work). */
  issuedTypes(): ReadonlySet<string>;
  /** Number of tokens issued in this scope. */
  readonly size: number;
}

/**
 * A session scope that may have answered a known turn from process memory (`partial`; see
 * `PersistentTokenScope`): before forwarding, a caller that opened it with `knownTurns` awaits
 * `loadSession()` when `needsLoad(forwarded text)` says the text shows a token it cannot resolve.
 */
export interface LoadableScope {
  readonly partial: boolean;
  needsLoad(text: string): boolean;
  loadSession(): Promise<void>;
}

/** The scope as a `LoadableScope`, or undefined when it always knows its whole session. */
export function loadableScopeOf(scope: object): LoadableScope | undefined {
  const candidate = scope as Partial<LoadableScope>;
  return typeof candidate.needsLoad === 'function' && typeof candidate.loadSession === 'function'
    ? (candidate as LoadableScope)
    : undefined;
}
