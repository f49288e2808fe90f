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
import { OPAQUE_TOKEN } from '../vault/tokens/opaque.js';
import { badInput, forbidden, notFound, readJsonObject, SECURITY_HEADERS, sendJson } from './http.js';
import type { FeedEntry, RequestFeed } from './request-feed.js';
import { canSeeRow, type Viewer } from './viewer.js';

/**
 * Placeholders (`<<EMAIL_1>>`) and opaque tokens (`VEIL_EMAIL_K…_…`). Format-preserving (fpe)
 * tokens look like ordinary numbers on purpose, so they cannot be told apart and are not marked.
 */
const TOKEN = new RegExp(`<<([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*_\\d+)>>|${OPAQUE_TOKEN.source}`, 'gi');
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

/** The tokens in `text`, by canonical id (upper case), each with its type. */
export function tokensIn(text: string): { token: string; type: string }[] {
  const seen = new Map<string, string>();
  for (const match of text.matchAll(TOKEN)) {
    const placeholder = match[1];
    const key = (placeholder ?? match[0]).toUpperCase();
    if (!seen.has(key)) seen.set(key, placeholder === undefined ? (match[2] as string).toUpperCase() : key.replace(/_\d+$/, ''));
  }
  return [...seen].map(([token, type]) => ({ token, type }));
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
    const { session: _session, body, ...row } = this.entry(viewer, id);
    const saw = body === undefined ? null : providerView(body);
    sendJson(res, 200, {
      row,
      providerSaw: saw,
      tokens: saw === null ? [] : tokensIn(saw),
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
    const tokens = tokensIn(providerView(entry.body)).map((item) => item.token);
    if (tokens.length === 0) {
      sendJson(res, 200, { tokens: [], message: 'No tokens in this request.' });
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
