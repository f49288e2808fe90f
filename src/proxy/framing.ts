/**
 * Stream framings the gateway rewrites event by event: SSE, NDJSON (Ollama) and the binary AWS
 * event stream (Bedrock ConverseStream). Each turns bytes into `SseEvent`s for the adapter's
 * stream rewriter and writes events back in the same framing, so rewriters never see bytes.
 * @module
 */
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { formatNdjsonLine, NdjsonParser } from './ndjson.js';
import { formatEvent, SseParser, type SseEvent } from './sse.js';

export interface StreamFraming {
  push(chunk: Buffer): SseEvent[];
  end(): SseEvent[];
  format(event: SseEvent): string | Uint8Array;
}

const fromUtf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
const toUtf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

export const EVENT_STREAM_TYPE = 'application/vnd.amazon.eventstream';

/**
 * AWS event stream messages: `event` is the `:event-type` (or `:exception-type`) header, `data`
 * the UTF-8 payload, and `extra[0]` the message's headers as JSON so they are written back as
 * they came. CRCs are checked on the way in and recomputed on the way out.
 */
class EventStreamFraming implements StreamFraming {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SseEvent[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: SseEvent[] = [];
    while (this.buffer.length >= 4) {
      const total = this.buffer.readUInt32BE(0);
      if (total < 16) throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a malformed event stream message.');
      if (this.buffer.length < total) break;
      const message = this.codec.decode(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
      const name = message.headers[':event-type']?.value ?? message.headers[':exception-type']?.value;
      events.push({ event: typeof name === 'string' ? name : undefined, data: Buffer.from(message.body).toString('utf8'), extra: [JSON.stringify(message.headers)] });
    }
    return events;
  }

  end(): SseEvent[] {
    if (this.buffer.length > 0) throw new VeilError(VeilErrorCode.Upstream, 'The upstream event stream ended inside a message.');
    return [];
  }

  format(event: SseEvent): Uint8Array {
    const headers = JSON.parse(event.extra[0] ?? '{}') as MessageHeaders;
    return this.codec.encode({ headers, body: fromUtf8(event.data ?? '') });
  }
}

/** An event-stream event built by a rewriter (flush or error), with the headers AWS sends. */
export function eventStreamEvent(eventType: string, payload: unknown, messageType: 'event' | 'exception' = 'event'): SseEvent {
  const headers: MessageHeaders = {
    ':message-type': { type: 'string', value: messageType },
    [messageType === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: eventType },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  return { event: eventType, data: JSON.stringify(payload), extra: [JSON.stringify(headers)] };
}

function sse(): StreamFraming {
  const parser = new SseParser();
  return { push: (chunk) => parser.push(chunk), end: () => parser.end(), format: formatEvent };
}

function ndjson(): StreamFraming {
  const parser = new NdjsonParser();
  return { push: (chunk) => parser.push(chunk), end: () => parser.end(), format: formatNdjsonLine };
}

/** The framing for an answer's content type, or undefined when it is not a stream. */
export function streamFraming(contentType: unknown): StreamFraming | undefined {
  if (typeof contentType !== 'string') return undefined;
  if (contentType.startsWith('text/event-stream')) return sse();
  if (contentType.startsWith('application/x-ndjson')) return ndjson();
  if (contentType.startsWith(EVENT_STREAM_TYPE)) return new EventStreamFraming();
  return undefined;
}
