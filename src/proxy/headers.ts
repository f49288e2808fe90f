/**
 * Headers across the gateway: hop-by-hop headers never cross it (RFC 9110 §7.6.1), Veil's own
 * `x-veil-*` headers never reach a provider, and a provider key Veil holds replaces the
 * client's credential headers, in the header that provider reads (`keyed-upstream.ts`).
 * @module
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { setProviderKey } from './keyed-upstream.js';
import type { HeaderMap } from './upstream.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'http2-settings',
]);

/** Headers the gateway sets itself on the way out. */
const REPLACED_OUT = new Set(['accept-encoding', 'x-request-id']);
/** Headers the gateway recomputes on the way back (the body may change length). */
const REPLACED_BACK = new Set(['content-encoding', 'x-request-id']);

function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  // The usual values name no other header: nothing to split.
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const tokens = joined
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token.length > 0 && token !== 'close' && token !== 'keep-alive');
  return tokens.length === 0 ? undefined : new Set(tokens);
}

export interface OutgoingOptions {
  readonly requestId: string;
  /** Provider key Veil holds for this request (`providerKeyFor`); replaces the client's credentials. */
  readonly apiKey: string | undefined;
  /** The provider the key is for: it decides the header (default `openai`: `Authorization: Bearer`). */
  readonly provider?: string;
  /** Byte length of the body that will be sent, when it is known. */
  readonly contentLength: number | undefined;
}

/** The headers to send upstream for a client request. */
export function upstreamHeaders(incoming: IncomingHttpHeaders, options: OutgoingOptions): Record<string, string> {
  const named = connectionTokens(incoming.connection);
  const out: Record<string, string> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || REPLACED_OUT.has(name) || name.startsWith('x-veil-')) continue;
    if (named?.has(name) === true) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // The answer is rewritten, so it must arrive uncompressed.
  out['accept-encoding'] = 'identity';
  out['x-request-id'] = options.requestId;
  if (options.apiKey !== undefined) setProviderKey(out, options.provider ?? 'openai', options.apiKey);
  if (options.contentLength !== undefined) out['content-length'] = String(options.contentLength);
  return out;
}

/** The upstream's response headers that may go back to the client. */
export function responseHeaders(upstream: HeaderMap, requestId: string, keepLength: boolean): OutgoingHttpHeaders {
  const named = connectionTokens(upstream['connection']);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || REPLACED_BACK.has(name)) continue;
    if (HOP_BY_HOP.has(name) && !(keepLength && name === 'content-length')) continue;
    if (named?.has(name) === true) continue;
    out[name] = value;
  }
  out['x-request-id'] = requestId;
  return out;
}

/** A single header value (first one when repeated), or undefined. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/**
 * A client's `x-request-id` is kept only when it is shaped like an id: it goes into log lines, the
 * audit event and the upstream request, so anything that could carry an e-mail address, a phone
 * number with `+` or free text (spaces) is replaced by a fresh id.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request id Veil uses and returns: the client's, when safe to log, or a new UUID. */
export function requestIdOf(headers: IncomingHttpHeaders, create: () => string): string {
  const supplied = headerValue(headers, 'x-request-id');
  return supplied !== undefined && SAFE_REQUEST_ID.test(supplied) ? supplied : create();
}
