/**
 * The way back: an upstream answer is either piped through untouched (nothing was masked), read
 * whole and rehydrated (JSON and error bodies), or rewritten event by event (SSE), forwarding
 * each batch of events as soon as it is rehydrated and never buffering the whole reply.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { readAll } from './body.js';
import { errorBody } from './errors.js';
import { streamFraming } from './framing.js';
import { responseHeaders } from './headers.js';
import type { ProviderAdapter, Rehydration } from './providers/provider-adapter.js';
import { dataEvent, type SseEvent } from './sse.js';
import { upstreamError, type UpstreamResponse } from './upstream.js';

/** Upper bound for a non-stream answer read into memory. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** A stream rewritten event by event: SSE, NDJSON (Ollama) or the AWS event stream (Bedrock). */
export function isEventStream(upstream: UpstreamResponse): boolean {
  return streamFraming(upstream.headers['content-type']) !== undefined;
}

/** Resolves when the response can take more data, or when the client went away. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Pipes an answer through as it is. */
export async function pipeThrough(res: ServerResponse, upstream: UpstreamResponse, requestId: string): Promise<void> {
  res.writeHead(upstream.statusCode, responseHeaders(upstream.headers, requestId, true));
  try {
    for await (const chunk of upstream.body) {
      if (!res.write(chunk as Buffer)) await drained(res);
      if (res.destroyed) break;
    }
  } catch {
    // The upstream broke off mid-body; the client sees a short body on a closed connection.
    res.destroy();
    return;
  } finally {
    upstream.body.destroy();
  }
  res.end();
}

/** Reads a whole answer and sends it rehydrated. JSON is rehydrated field by field, other text as a whole. */
export async function sendRehydrated(
  res: ServerResponse,
  upstream: UpstreamResponse,
  adapter: ProviderAdapter,
  rehydration: Rehydration,
  requestId: string,
): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readAll(upstream.body, MAX_RESPONSE_BYTES, () => new VeilError(VeilErrorCode.Upstream, 'The upstream answer is too large.'));
  } catch (error) {
    upstream.body.destroy();
    throw upstreamError(error);
  }
  const text = raw.toString('utf8');
  let payload: string;
  try {
    const body: unknown = JSON.parse(text);
    adapter.rehydrateResponse(body, rehydration);
    payload = JSON.stringify(body);
  } catch {
    payload = rehydration.text(text);
  }
  const headers = responseHeaders(upstream.headers, requestId, false);
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(upstream.statusCode, headers);
  res.end(payload);
}

function errorEvent(error: unknown): SseEvent {
  return dataEvent(JSON.stringify(errorBody(error).body));
}

/**
 * Rewrites an SSE answer. A malformed event or a broken upstream ends the stream with an
 * OpenAI-shaped error event, so SDKs raise instead of hanging.
 */
export async function streamRehydrated(
  res: ServerResponse,
  upstream: UpstreamResponse,
  adapter: ProviderAdapter,
  rehydration: Rehydration,
  requestId: string,
): Promise<void> {
  const headers = responseHeaders(upstream.headers, requestId, false);
  res.writeHead(upstream.statusCode, headers);
  // Small events must not wait for Nagle.
  res.socket?.setNoDelay(true);
  const framing = streamFraming(upstream.headers['content-type']) ?? streamFraming('text/event-stream');
  if (framing === undefined) throw new VeilError(VeilErrorCode.Internal, 'No stream framing.');
  const rewriter = adapter.streamRewriter(rehydration);
  const out: SseEvent[] = [];
  const flush = async (): Promise<void> => {
    if (out.length === 0) return;
    let text = '';
    let binary: Uint8Array[] | undefined;
    for (const event of out) {
      const formatted = framing.format(event);
      if (typeof formatted === 'string' && binary === undefined) {
        text += formatted;
        continue;
      }
      // A binary framing (AWS event stream): keep the order of everything written so far.
      binary ??= text.length > 0 ? [Buffer.from(text)] : [];
      binary.push(typeof formatted === 'string' ? Buffer.from(formatted) : formatted);
    }
    out.length = 0;
    if (!res.write(binary === undefined ? text : Buffer.concat(binary))) await drained(res);
  };
  try {
    for await (const chunk of upstream.body) {
      for (const event of framing.push(chunk as Buffer)) rewriter.event(event, out);
      await flush();
      if (res.destroyed) return;
    }
    for (const event of framing.end()) rewriter.event(event, out);
    rewriter.end(out);
    await flush();
  } catch (error) {
    if (res.destroyed) return;
    // Events rehydrated before the failure, and text held back, still belong to the client.
    try {
      rewriter.end(out);
    } catch {
      out.length = 0;
    }
    const cause = VeilError.isInstance(error) ? error : upstreamError(error);
    out.push(rewriter.errorEvent?.(cause) ?? errorEvent(cause));
    await flush();
  } finally {
    upstream.body.destroy();
  }
  res.end();
}
