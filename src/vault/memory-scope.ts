/**
 * A token scope that lives in memory only: the default for one gateway request without a
 * session. Nothing is written anywhere; the mapping dies with the request.
 *
 * Formats: a request's `format` (chosen per span by policy) decides the token. Placeholders are
 * numbered per scope; `opaque`, `opaque-siv` and `fpe` tokens are computed from the value with
 * the tenant's format keys, so the same value gets the same token in every request; `redact`
 * and `hash` tokens are computed and never kept (rehydration cannot put them back). `fpe` on a
 * value with too few digits falls back to a placeholder. The scope is a `FormatTokenLookup`,
 * so rehydration puts opaque and fpe tokens back.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { TokenRequest, TokenScope } from './token-scope.js';
import { ephemeralFormatKeys, type FormatKeys } from './tokens/format-keys.js';
import { fpeApplies, fpeEncrypt } from './tokens/fpe.js';
import { hashToken } from './tokens/hash.js';
import type { FormatTokenLookup } from './tokens/matcher.js';
import { openSivToken, opaqueToken, sivToken } from './tokens/opaque.js';
import { tokenKey } from './tokens/placeholder.js';
import { redactToken } from './tokens/redact.js';

export interface MemoryScopeOptions {
  /**
   * Keys of the opaque, fpe and hash formats, asked for once, on the first such token. Default:
   * `ephemeralFormatKeys(tenant)`, stable for the life of the process. A vault-backed engine can
   * pass the tenant's own (`() => vault.formatKeys(tenant)`), so that requests without a session
   * get the same tokens as the tenant's sessions; `tokenize` then answers with a promise once,
   * while the keys load.
   */
  readonly formatKeys?: () => FormatKeys | Promise<FormatKeys>;
}

export class MemoryTokenScope implements TokenScope, FormatTokenLookup {
  readonly tenant: string;
  readonly session: string | undefined;
  /** Type -> normalised value -> token. Two levels: no key string is built per lookup. */
  protected readonly byIdentity = new Map<string, Map<string, string>>();
  protected readonly byToken = new Map<string, string>();
  protected readonly counters = new Map<string, number>();
  protected readonly types = new Set<string>();
  /** Digits of an fpe token → its token (the model may rewrite the separators) and type. */
  readonly #fpeByDigits = new Map<string, { readonly token: string; readonly type: string }>();
  #formatTokens = 0;
  readonly #keySource: () => FormatKeys | Promise<FormatKeys>;
  #keys: FormatKeys | undefined;

  constructor(tenant = 'default', session?: string, options: MemoryScopeOptions = {}) {
    this.tenant = tenant;
    this.session = session;
    this.#keySource = options.formatKeys ?? (() => ephemeralFormatKeys(tenant));
  }

  get size(): number {
    return this.byToken.size;
  }

  tokenize(requests: readonly TokenRequest[]): string[] | Promise<string[]> {
    if (this.#keys === undefined && requests.some(needsKeys)) {
      const keys = this.#keySource();
      if (keys instanceof Promise) {
        return keys.then((loaded) => {
          this.#keys ??= loaded;
          return requests.map((request) => this.tokenFor(request));
        });
      }
      this.#keys = keys;
    }
    return requests.map((request) => this.tokenFor(request));
  }

  resolve(key: string): string | undefined {
    return this.byToken.get(key.toUpperCase());
  }

  issuedTypes(): ReadonlySet<string> {
    return this.types;
  }

  hasFormatTokens(): boolean {
    return this.#formatTokens > 0;
  }

  resolveOpaque(token: string): string | undefined {
    const upper = token.toUpperCase();
    const value = this.byToken.get(upper);
    if (value !== undefined) return value;
    // A SIV token opens with the key alone; only tokens of this tenant's key set do.
    return this.#keys === undefined ? undefined : openSivToken(this.#keys, token);
  }

  resolveFpeDigits(digits: string): string | undefined {
    const fpe = this.#fpeByDigits.get(digits);
    return fpe === undefined ? undefined : this.byToken.get(fpe.token);
  }

  fpeTypeOf(digits: string): string | undefined {
    return this.#fpeByDigits.get(digits)?.type;
  }

  /** Records a mapping that already exists elsewhere (e.g. loaded from the vault). */
  protected remember(type: string, normalized: string, value: string, key: string, seq: number): void {
    this.#identities(type).set(normalized, key);
    if (!this.byToken.has(key)) this.byToken.set(key, value);
    this.types.add(type);
    if ((this.counters.get(type) ?? 0) < seq) this.counters.set(type, seq);
  }

  protected lookup(request: TokenRequest): string | undefined {
    return this.byIdentity.get(request.type)?.get(request.normalized);
  }

  #identities(type: string): Map<string, string> {
    let byValue = this.byIdentity.get(type);
    if (byValue === undefined) {
      byValue = new Map();
      this.byIdentity.set(type, byValue);
    }
    return byValue;
  }

  private tokenFor(request: TokenRequest): string {
    const format = request.format;
    // One-way formats: computed every time, never kept, so nothing can put them back.
    if (format === 'redact') return redactToken(request.type);
    if (format === 'hash') return hashToken(this.#formatKeys(), request.type, request.normalized);
    // A value keeps the token it first got in this scope, whatever a later span's format says.
    const existing = this.lookup(request);
    if (existing !== undefined) return existing;
    const computed = format === undefined || format === 'placeholder' ? undefined : this.#computed(format, request);
    if (computed !== undefined) return this.#rememberFormatToken(request, computed);
    const seq = (this.counters.get(request.type) ?? 0) + 1;
    const key = tokenKey(request.type, seq);
    this.remember(request.type, request.normalized, request.value, key, seq);
    return key;
  }

  #computed(format: 'opaque' | 'opaque-siv' | 'fpe', request: TokenRequest): string | undefined {
    if (format === 'opaque') return opaqueToken(this.#formatKeys(), request.type, request.normalized);
    if (format === 'opaque-siv') return sivToken(this.#formatKeys(), request.type, request.value);
    return fpeApplies(request.value) ? fpeEncrypt(this.#formatKeys(), request.type, request.value) : undefined;
  }

  #rememberFormatToken(request: TokenRequest, token: string): string {
    const upper = token.toUpperCase();
    this.#identities(request.type).set(request.normalized, token);
    if (!this.byToken.has(upper)) {
      this.byToken.set(upper, request.value);
      this.#formatTokens += 1;
      if (FPE_SHAPE.test(token)) this.#fpeByDigits.set(token.replace(/\D/g, ''), { token: upper, type: request.type });
    }
    this.types.add(request.type);
    return token;
  }

  /** Loaded by `tokenize` before any request that needs them. */
  #formatKeys(): FormatKeys {
    if (this.#keys === undefined) throw new VeilError(VeilErrorCode.Internal, 'format keys used before they were loaded');
    return this.#keys;
  }
}

/** Formats whose tokens are computed with the tenant's format keys. */
function needsKeys(request: TokenRequest): boolean {
  return request.format !== undefined && request.format !== 'placeholder' && request.format !== 'redact';
}

/** What an fpe token looks like: digits and the separators they were written with. */
const FPE_SHAPE = /^[\d\s\-.()+/]+$/;

