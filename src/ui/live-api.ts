/**
 * `/ui/api/requests*`: the live view's rows, their stream (server-sent events), one request's
 * detail, and "reveal": turning the masked body back into what the client sent, for viewers the
 * policy's Cedar unmask rules allow. Reveal is the only way originals reach the console, goes
 * through the same `UnmaskService` as `POST /v1/veil/unmask` (so it is rate-limited and audited
 * as an unmask event), and nothing it returns is kept.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UnmaskService } from '../policy/unmask-service.js';
import { redactionMarker } from '../pipeline/mask.js';
import { canonicalTokenId } from '../policy/unmask-tokens.js';
import { renderToken } from '../vault/tokens/formats.js';
import { HASH_TOKEN } from '../vault/tokens/hash.js';
import { parseOpaqueToken } from '../vault/tokens/opaque.js';
import { badInput, forbidden, notFound, readJsonObject, SECURITY_HEADERS, sendJson } from './http.js';
import type { FeedEntry, FeedToken, RequestFeed } from './request-feed.js';
import { canSeeRow, type Viewer } from './viewer.js';

const HEARTBEAT_MS = 15_000;

export interface LiveApiOptions {
  readonly feed: RequestFeed;
  readonly unmask: UnmaskService;
}

/** The body as the provider saw it, indented when it is JSON. */
export function providerView(body: string | Buffer): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The formats of `vault/tokens/formats.ts`; `other` for a shape this console does not know (marked, not revealed). */
export type TokenFormat = 'placeholder' | 'opaque' | 'opaque-siv' | 'fpe' | 'hash' | 'redact' | 'other';

/** A token of the masked body as the page marks it. */
export interface MarkedToken {
  /** Exactly as it stands in the body. */
  readonly text: string;
  readonly type: string;
  readonly format: TokenFormat;
  /** The id the unmask service resolves; null for one-way formats (hash, redact) and `other`. */
  readonly id: string | null;
}

const WHOLE_HASH = new RegExp(`^${HASH_TOKEN.source}$`);

/**
 * What a token the gateway issued is, read from its shape (`text` as it stands in the masked
 * text). Only tokens masking issued come here, so a number is an fpe token and not just any
 * number in the body.
 */
export function markToken(text: string, type: string): MarkedToken {
  if (WHOLE_HASH.test(text)) return { text, type, format: 'hash', id: null };
  if (text.startsWith('[') && text.endsWith(']')) return { text, type, format: 'redact', id: null };
  const id = canonicalTokenId(text);
  if (id === undefined) return { text, type, format: 'other', id: null };
  if (text.startsWith('<<')) return { text, type, format: 'placeholder', id };
  const opaque = parseOpaqueToken(text);
  if (opaque !== undefined) return { text, type, format: opaque.siv ? 'opaque-siv' : 'opaque', id };
  return { text, type, format: 'fpe', id };
}

/** The distinct tokens masking issued, as they stand in the masked text (a redaction as `[TYPE]`). */
export function issuedTokens(tokens: readonly FeedToken[]): MarkedToken[] {
  const seen = new Map<string, string>();
  for (const { token, type } of tokens) seen.set(token === undefined ? redactionMarker(type) : renderToken(token), type);
  return [...seen].map(([text, type]) => markToken(text, type));
}

export class LiveApi {
  private readonly feed: RequestFeed;
  private readonly unmask: UnmaskService;
  private readonly streams = new Set<ServerResponse>();

  constructor(options: LiveApiOptions) {
    this.feed = options.feed;
    this.unmask = options.unmask;
  }

  list(viewer: Viewer, res: ServerResponse): void {
    sendJson(res, 200, { rows: this.feed.rows((row) => canSeeRow(viewer, row)) });
  }

  /** Server-sent events: one `row` event per finished request the viewer may see. */
  stream(viewer: Viewer, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write(': veil console live feed\n\n');
    const unsubscribe = this.feed.subscribe((row) => {
      if (canSeeRow(viewer, row)) res.write(`event: row\ndata: ${JSON.stringify(row)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    this.streams.add(res);
    const stop = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(res);
    };
    // Not the request's 'close': that fires as soon as its (empty) body has been read.
    res.once('close', stop);
  }

  private entry(viewer: Viewer, id: string): FeedEntry {
    const entry = this.feed.get(id);
    // A row of another tenant reads as absent, not as forbidden: its existence is not disclosed.
    if (entry === undefined || !canSeeRow(viewer, entry)) throw notFound('No such request in the live view (it may have rolled out of the buffer).');
    return entry;
  }

  detail(viewer: Viewer, id: string, res: ServerResponse): void {
    const entry = this.entry(viewer, id);
    const { session: _session, body, tokens: _tokens, ...row } = entry;
    const saw = body === undefined ? null : providerView(body);
    sendJson(res, 200, {
      row,
      providerSaw: saw,
      tokens: saw === null ? [] : issuedTokens(entry.tokens),
      // Reveal needs the session the tokens live in, in the viewer's own tenant.
      revealable: row.hasSession && saw !== null && row.tenant === viewer.principal.tenant,
    });
  }

  /** `POST .../reveal {reason}`: the unmask service decides per token; values go to this viewer only. */
  async reveal(viewer: Viewer, id: string, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const entry = this.entry(viewer, id);
    const input = await readJsonObject(req, 16 * 1024);
    const reason = typeof input['reason'] === 'string' ? input['reason'].slice(0, 500) : undefined;
    if (entry.body === undefined) throw badInput('The masked body of this request is not kept, so there is nothing to reveal.');
    if (entry.session === undefined) {
      throw forbidden('This request had no x-veil-session: its tokens lived only for that request and can no longer be unmasked by anyone.');
    }
    // The tokens masking issued, in every reversible format; hash and redact tokens hold no value.
    const tokens = [...new Set(issuedTokens(entry.tokens).flatMap((token) => (token.id === null ? [] : [token.id])))];
    if (tokens.length === 0) {
      sendJson(res, 200, { tokens: [], message: 'No revealable tokens in this request (hash and redact tokens are one-way).' });
      return;
    }
    const reply = await this.unmask.handle(viewer.principal, { session: entry.session, tokens, ...(reason === undefined ? {} : { reason }) }, requestId);
    const body = reply.body;
    const error = body['error'] as { message?: string } | undefined;
    sendJson(res, reply.status, {
      tokens: Array.isArray(body['tokens']) ? body['tokens'] : [],
      ...(error?.message === undefined ? {} : { message: error.message }),
    });
  }

  /** Ends open streams so the gateway can close without waiting for them. */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}
