/**
 * Server-sent events, both ways. The parser takes raw bytes as they arrive (a chunk may end
 * inside a UTF-8 character, a line or a CRLF) and yields whole events; `formatEvent` writes
 * an event back in the canonical framing (`event: …\ndata: …\n\n`).
 * @module
 */
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The `event:` field, when the upstream named the event (Responses API). */
  event: string | undefined;
  /** The `data:` lines joined with `\n`; undefined when the event had none. */
  data: string | undefined;
  /** `id:`, `retry:` and comment lines, kept verbatim in order. */
  readonly extra: string[];
}

export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private current: SseEvent | undefined;

  /** Events completed by this chunk, in order. */
  push(chunk: Buffer | string): SseEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    return this.drain(false);
  }

  /** Whatever the stream left unterminated, as a last event. */
  end(): SseEvent[] {
    this.buffer += this.decoder.end();
    const events = this.drain(true);
    if (this.buffer.length > 0) this.line(this.buffer);
    this.buffer = '';
    const last = this.current;
    this.current = undefined;
    if (last !== undefined) events.push(last);
    return events;
  }

  private drain(final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    const buffer = this.buffer;
    const hasCR = buffer.includes('\r');
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = hasCR ? buffer.indexOf('\r', start) : -1;
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the very end may be the first half of a CRLF that the next chunk completes.
        if (cr === buffer.length - 1 && !final) break;
        end = cr;
        next = buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      if (end === start) {
        const event = this.current;
        this.current = undefined;
        if (event !== undefined) events.push(event);
      } else {
        this.line(buffer.slice(start, end));
      }
      start = next;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  private line(line: string): void {
    const event = (this.current ??= { event: undefined, data: undefined, extra: [] });
    if (line.startsWith('data:')) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      event.data = event.data === undefined ? value : `${event.data}\n${value}`;
    } else if (line.startsWith('event:')) {
      event.event = line.charCodeAt(6) === 32 ? line.slice(7) : line.slice(6);
    } else {
      event.extra.push(line);
    }
  }
}

/** One event in canonical framing, blank line included. */
export function formatEvent(event: SseEvent): string {
  let out = event.event === undefined ? '' : `event: ${event.event}\n`;
  for (const line of event.extra) out += `${line}\n`;
  if (event.data !== undefined) {
    out += event.data.includes('\n') ? `data: ${event.data.split('\n').join('\ndata: ')}\n` : `data: ${event.data}\n`;
  }
  return `${out}\n`;
}

export function dataEvent(data: string, name?: string): SseEvent {
  return { event: name, data, extra: [] };
}
