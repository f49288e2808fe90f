import { describe, expect, it } from 'vitest';
import { formatEvent, SseParser } from '../../src/proxy/sse.js';

describe('SseParser', () => {
  it('parses named events, multi-line data, comments and ids', () => {
    const parser = new SseParser();
    const events = parser.push(': ping\n\nevent: response.output_text.delta\nid: 7\ndata: {"a":\ndata: 1}\n\ndata: [DONE]\n\n');
    expect(events).toEqual([
      { event: undefined, data: undefined, extra: [': ping'] },
      { event: 'response.output_text.delta', data: '{"a":\n1}', extra: ['id: 7'] },
      { event: undefined, data: '[DONE]', extra: [] },
    ]);
    expect(events.map(formatEvent).join('')).toBe(': ping\n\nevent: response.output_text.delta\nid: 7\ndata: {"a":\ndata: 1}\n\ndata: [DONE]\n\n');
  });

  it('handles CR, CRLF split across chunks and UTF-8 split inside a character', () => {
    const parser = new SseParser();
    const bytes = Buffer.from('data: é😀\r\n\r\ndata: x\r\rdata: y\n\n');
    const events = [];
    for (let index = 0; index < bytes.length; index++) events.push(...parser.push(bytes.subarray(index, index + 1)));
    events.push(...parser.end());
    expect(events.map((event) => event.data)).toEqual(['é😀', 'x', 'y']);
  });

  it('returns an unterminated last event at end', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"x":1}')).toEqual([]);
    expect(parser.end()).toEqual([{ event: undefined, data: '{"x":1}', extra: [] }]);
  });
});
