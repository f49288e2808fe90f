/**
 * The Veil engine: detection + token scopes + mask/rehydrate, behind one small object that
 * every surface (gateway, CLI, MCP, UI) shares.
 *
 * @example
 * const veil = await openVeil({ dataDir: '.veil' });
 * const scope = await veil.openScope({ tenant: 'acme', session: 'chat-42' });
 * const { texts } = await veil.mask(['Call Maria at +1 415 555 0132'], { scope });
 * // texts[0] === 'Call Maria at <<PHONE_1>>'
 * veil.rehydrate('I called <<PHONE_1>>.', scope); // 'I called +1 415 555 0132.'
 * @module
 */
import type { DetectContext } from './detect/detector.js';
import type { DetectionEngine } from './detect/engine.js';
import { createDefaultEngine } from './detect/registry.js';
import type { AllowList } from './detect/merge.js';
import type { Span } from './core/span.js';
import { mask, type DecideFn, type MaskResult } from './pipeline/mask.js';
import { rehydrate, StreamRehydrator, type RehydrateOptions } from './pipeline/rehydrate.js';
import { MemoryTokenScope } from './vault/memory-scope.js';
import type { TokenScope } from './vault/token-scope.js';
import type { FormatKeys } from './vault/tokens/format-keys.js';

export interface ScopeRequest {
  readonly tenant?: string;
  /** Session id; without one the scope lives only in memory (one request). */
  readonly session?: string;
  readonly ttlSeconds?: number;
  /**
   * A vault scope that reads nothing until its first `tokenize`, which loads the session in the
   * same database call that stores the request's values. Only for callers that mask before they
   * rehydrate (the gateway); memory scopes ignore it.
   */
  readonly lazy?: boolean;
  /**
   * With `lazy`: a turn whose values the vault already knows for the session makes no store call;
   * the scope may then be partial (`vault/token-scope.ts` `loadableScopeOf`), and the caller
   * checks what it forwards with `needsLoad`. Only for callers that do (the gateway).
   */
  readonly knownTurns?: boolean;
}

/** The part of the vault the engine needs. */
export interface ScopeProvider {
  openScope(request: { tenant: string; session: string; ttlSeconds?: number; lazy?: boolean; knownTurns?: boolean }): Promise<TokenScope>;
  /**
   * The tenant's token-format keys. With it, requests without a session issue the same opaque,
   * fpe and hash tokens as the tenant's sessions (and as every other replica on the same vault).
   */
  formatKeys?(tenant: string): Promise<FormatKeys>;
  close(): Promise<void>;
}

export interface VeilOptions {
  readonly engine?: DetectionEngine;
  readonly allow?: AllowList;
  /** Persistent scopes for sessions. Without it, session scopes are kept in memory. */
  readonly vault?: ScopeProvider;
}

export interface MaskCallOptions {
  readonly scope: TokenScope;
  readonly decide?: DecideFn;
  /** Passed to detection (e.g. to collect per-tier timings). */
  readonly context?: DetectContext;
}

export class Veil {
  readonly detection: DetectionEngine;
  private readonly vault: ScopeProvider | undefined;
  private readonly memorySessions = new Map<string, MemoryTokenScope>();

  constructor(options: VeilOptions = {}) {
    this.detection =
      options.engine ?? createDefaultEngine(options.allow === undefined ? {} : { allow: options.allow });
    this.vault = options.vault;
  }

  /** Spans in `text` (no values). */
  detect(text: string): Span[] | Promise<Span[]> {
    return this.detection.detect(text);
  }

  /** A scope for a request: in memory without a session, in the vault with one. */
  openScope(request: ScopeRequest = {}): TokenScope | Promise<TokenScope> {
    const tenant = request.tenant ?? 'default';
    if (request.session === undefined) {
      const tenantKeys = this.vault?.formatKeys?.bind(this.vault);
      if (tenantKeys === undefined) return new MemoryTokenScope(tenant);
      // Asked for only when a rule picks a keyed format, so the default path never waits on it.
      return new MemoryTokenScope(tenant, undefined, { formatKeys: () => tenantKeys(tenant) });
    }
    if (this.vault !== undefined) {
      return this.vault.openScope({
        tenant,
        session: request.session,
        ...(request.ttlSeconds === undefined ? {} : { ttlSeconds: request.ttlSeconds }),
        ...(request.lazy === true ? { lazy: true } : {}),
        ...(request.knownTurns === true ? { knownTurns: true } : {}),
      });
    }
    const key = `${tenant}\u0000${request.session}`;
    let scope = this.memorySessions.get(key);
    if (scope === undefined) {
      scope = new MemoryTokenScope(tenant, request.session);
      this.memorySessions.set(key, scope);
    }
    return scope;
  }

  mask(texts: readonly string[], options: MaskCallOptions): MaskResult | Promise<MaskResult> {
    return mask(texts, {
      engine: this.detection,
      scope: options.scope,
      ...(options.decide === undefined ? {} : { decide: options.decide }),
      ...(options.context === undefined ? {} : { context: options.context }),
    });
  }

  rehydrate(text: string, scope: TokenScope, options: RehydrateOptions = {}): string {
    return rehydrate(text, scope, options);
  }

  streamRehydrator(scope: TokenScope, options: RehydrateOptions = {}): StreamRehydrator {
    return new StreamRehydrator(scope, options);
  }

  async close(): Promise<void> {
    await this.vault?.close();
  }
}
