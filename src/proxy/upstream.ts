/**
 * The way out: one keep-alive undici pool to the configured OpenAI-compatible base URL, with
 * connect, first-byte and idle timeouts. Failures become VeilErrors (502 unreachable, 504
 * timeout) at this boundary, so the server maps them without knowing undici.
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { UpstreamConfig } from './config.js';

export type HeaderMap = Record<string, string | string[] | undefined>;

export interface UpstreamRequest {
  readonly method: string;
  /** Veil's own path and query (`/v1/chat/completions?x=1`); the upstream maps it onto its base. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | Readable | undefined;
  /** Aborts the request: an AbortSignal, or an emitter that emits 'abort' (both are what undici takes). */
  readonly signal: AbortSignal | EventEmitter;
}

export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: HeaderMap;
  readonly body: Readable;
}

/** Where requests go after masking: a real provider, or the built-in demo. */
export interface Upstream {
  readonly kind: 'http' | 'demo';
  /** Human-readable target for the start-up line. */
  readonly describe: string;
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** `/v1/chat/completions` under base `/v1` → `/v1/chat/completions`; under `/openai/v1` → `/openai/v1/chat/completions`. */
export function mapPath(basePath: string, veilPath: string): string {
  const rest = veilPath === '/v1' || veilPath.startsWith('/v1/') || veilPath.startsWith('/v1?') ? veilPath.slice(3) : veilPath;
  return `${basePath}${rest}`;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps a transport failure to the gateway's error (never includes a body). */
export function upstreamError(error: unknown): VeilError {
  if (VeilError.isInstance(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new VeilError(VeilErrorCode.UpstreamTimeout, `The upstream did not answer in time (${code}).`, { cause: error });
  }
  const detail = typeof code === 'string' ? code : 'connection failed';
  return new VeilError(VeilErrorCode.Upstream, `The upstream could not be reached (${detail}).`, { cause: error });
}

export class HttpUpstream implements Upstream {
  readonly kind = 'http' as const;
  readonly describe: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  /** False for providers whose SDKs take the API origin (Anthropic, Azure): Veil's path is appended as is. */
  private readonly openaiBase: boolean;

  constructor(config: UpstreamConfig & { url: string }, openaiBase = true) {
    this.openaiBase = openaiBase;
    const url = new URL(config.url);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.describe = `${url.origin}${this.basePath}`;
    this.pool = new Pool(url.origin, {
      connections: config.connections,
      pipelining: 1,
      connectTimeout: config.connectTimeoutMs,
      headersTimeout: config.firstByteTimeoutMs,
      bodyTimeout: config.idleTimeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      const response = await this.pool.request({
        method: request.method as 'POST',
        path: this.openaiBase ? mapPath(this.basePath, request.path) : `${this.basePath}${request.path}`,
        headers: request.headers,
        body: request.body ?? null,
        signal: request.signal,
      });
      return { statusCode: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw upstreamError(error);
    }
  }

  /** Lets requests in flight finish for `graceMs`, then destroys what is left. */
  async close(graceMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
      timer.unref();
    });
    const outcome = await Promise.race([this.pool.close(), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.pool.destroy();
  }
}
