/**
 * A token scope that lives in memory only: the default for one gateway request without a
 * session. Nothing is written anywhere; the mapping dies with the request.
 * @module
 */
import { tokenKey } from './tokens/placeholder.js';
import type { TokenRequest, TokenScope } from './token-scope.js';

export class MemoryTokenScope implements TokenScope {
  readonly tenant: string;
  readonly session: string | undefined;
  protected readonly byIdentity = new Map<string, string>();
  protected readonly byToken = new Map<string, string>();
  protected readonly counters = new Map<string, number>();
  protected readonly types = new Set<string>();

  constructor(tenant = 'default', session?: string) {
    this.tenant = tenant;
    this.session = session;
  }

  get size(): number {
    return this.byToken.size;
  }

  tokenize(requests: readonly TokenRequest[]): string[] | Promise<string[]> {
    return requests.map((request) => this.tokenFor(request));
  }

  resolve(key: string): string | undefined {
    return this.byToken.get(key.toUpperCase());
  }

  issuedTypes(): ReadonlySet<string> {
    return this.types;
  }

  /** Records a mapping that already exists elsewhere (e.g. loaded from the vault). */
  protected remember(type: string, normalized: string, value: string, key: string, seq: number): void {
    this.byIdentity.set(identity(type, normalized), key);
    if (!this.byToken.has(key)) this.byToken.set(key, value);
    this.types.add(type);
    if ((this.counters.get(type) ?? 0) < seq) this.counters.set(type, seq);
  }

  protected lookup(request: TokenRequest): string | undefined {
    return this.byIdentity.get(identity(request.type, request.normalized));
  }

  private tokenFor(request: TokenRequest): string {
    const existing = this.lookup(request);
    if (existing !== undefined) return existing;
    const seq = (this.counters.get(request.type) ?? 0) + 1;
    const key = tokenKey(request.type, seq);
    this.remember(request.type, request.normalized, request.value, key, seq);
    return key;
  }
}

function identity(type: string, normalized: string): string {
  return `${type}\u0000${normalized}`;
}
