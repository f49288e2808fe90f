/**
 * Newline-delimited JSON streams (Ollama's native API): one JSON object per line. The parser
 * takes raw bytes as they arrive (a chunk may end inside a line or a UTF-8 character) and yields
 * each line as an event whose `data` is the line, so stream rewriters work on either framing.
 * @module
 */
import { StringDecoder } from 'node:string_decoder';
import type { SseEvent } from './sse.js';

export class NdjsonParser {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';

  /** Lines completed by this chunk, in order; blank lines are skipped. */
  push(chunk: Buffer | string): SseEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const events: SseEvent[] = [];
    let start = 0;
    for (let newline = this.buffer.indexOf('\n'); newline !== -1; newline = this.buffer.indexOf('\n', start)) {
      this.line(this.buffer.slice(start, newline), events);
      start = newline + 1;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** An unterminated last line, as a last event. */
  end(): SseEvent[] {
    this.buffer += this.decoder.end();
    const events: SseEvent[] = [];
    this.line(this.buffer, events);
    this.buffer = '';
    return events;
  }

  private line(raw: string, events: SseEvent[]): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length > 0) events.push({ event: undefined, data: line, extra: [] });
  }
}

/** One line back on the wire. */
export function formatNdjsonLine(event: SseEvent): string {
  return event.data === undefined ? '' : `${event.data}\n`;
}
