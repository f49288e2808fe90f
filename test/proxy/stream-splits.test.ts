/**
 * Streaming rehydration must not depend on where the network cuts the stream: the upstream's
 * SSE bytes are split at every offset (inside tokens, inside multi-byte characters, inside
 * CRLFs) and the client must always get exactly the rehydrated text, with exact SSE framing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { openaiChatAdapter } from '../../src/proxy/providers/openai/chat-completions.js';
import type { Rehydration } from '../../src/proxy/providers/provider-adapter.js';
import { formatEvent, SseParser, type SseEvent } from '../../src/proxy/sse.js';
import { leakedIn, PII, startGateway, type TestGateway } from './helpers/gateway.js';
import { chunk, startMockUpstream, type MockUpstream } from './helpers/mock-upstream.js';

const PIECES = ['Grüße 😀 an <<EMA', 'IL_1>> und [PHONE_1', '] — 日本 <<CREDIT_CARD_1>>!', ' Ende <<email_1', '>>'];
const EXPECTED = `Grüße 😀 an ${PII.email} und ${PII.phone} — 日本 ${PII.card}! Ende ${PII.email}`;
const PROMPT = `Mail ${PII.email}, phone ${PII.phone}, card ${PII.card}`;

function upstreamBytes(lineEnd = '\n'): Buffer {
  const events = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    ...PIECES.map((piece) => chunk([{ index: 0, delta: { content: piece }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } }),
    'data: [DONE]\n\n',
  ];
  return Buffer.from(events.join('').replaceAll('\n', lineEnd));
}

/** Parses what the client received; checks the framing on the way. */
function clientText(body: string): { text: string; done: boolean; usage: boolean } {
  expect(body.endsWith('\n\n')).toBe(true);
  let text = '';
  let done = false;
  let usage = false;
  for (const block of body.split('\n\n').slice(0, -1)) {
    expect(block.startsWith('data: ')).toBe(true);
    const data = block.slice(6);
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const parsed = JSON.parse(data) as { choices: { delta: { content?: string } }[]; usage?: unknown };
    text += parsed.choices[0]?.delta.content ?? '';
    if (parsed.usage !== undefined) usage = true;
  }
  return { text, done, usage };
}

async function scopeWithTokens(veil: Veil): Promise<Rehydration> {
  const scope = await veil.openScope();
  const masked = await veil.mask([PROMPT], { scope });
  expect(masked.texts[0]).toBe('Mail <<EMAIL_1>>, phone <<PHONE_1>>, card <<CREDIT_CARD_1>>');
  return {
    text: (value) => veil.rehydrate(value, scope),
    json: (value) => veil.rehydrate(value, scope, { escape: 'json' }),
    stream: (json) => veil.streamRehydrator(scope, json ? { escape: 'json' } : {}),
  };
}

function rewrite(parts: readonly Buffer[], rehydration: Rehydration): string {
  const parser = new SseParser();
  const rewriter = openaiChatAdapter.streamRewriter(rehydration);
  const out: SseEvent[] = [];
  for (const part of parts) for (const event of parser.push(part)) rewriter.event(event, out);
  for (const event of parser.end()) rewriter.event(event, out);
  rewriter.end(out);
  return out.map(formatEvent).join('');
}

describe('stream rewriting at every split', () => {
  const veil = new Veil();

  it.each([['LF', '\n'], ['CRLF', '\r\n']])('two parts, every byte offset (%s)', async (_name, lineEnd) => {
    const rehydration = await scopeWithTokens(veil);
    const bytes = upstreamBytes(lineEnd);
    for (let at = 0; at <= bytes.length; at++) {
      const result = clientText(rewrite([bytes.subarray(0, at), bytes.subarray(at)], rehydration));
      expect(result.text, `split at ${at}`).toBe(EXPECTED);
      expect(result.done && result.usage).toBe(true);
    }
  });

  it('one byte per part', async () => {
    const rehydration = await scopeWithTokens(veil);
    const bytes = upstreamBytes();
    const parts = Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1));
    expect(clientText(rewrite(parts, rehydration)).text).toBe(EXPECTED);
  });

  it('any set of split points (property)', async () => {
    const rehydration = await scopeWithTokens(veil);
    const bytes = upstreamBytes();
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        const sorted = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const parts = sorted.slice(1).map((end, index) => bytes.subarray(sorted[index], end));
        return clientText(rewrite(parts, rehydration)).text === EXPECTED;
      }),
      { numRuns: 300 },
    );
  });
});

describe('through real sockets', () => {
  let mock: MockUpstream;
  let gateway: TestGateway;
  const bytes = upstreamBytes();

  beforeAll(async () => {
    // Each request names its split offset, so requests can run side by side.
    mock = await startMockUpstream(async (request, res) => {
      const split = Number(request.headers['x-test-split']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      res.write(bytes.subarray(0, split));
      await new Promise((resolve) => setImmediate(resolve));
      res.end(bytes.subarray(split));
    });
    gateway = await startGateway({ upstreamUrl: mock.url });
  });

  afterAll(async () => {
    await gateway.close();
    await mock.close();
  });

  async function viaGateway(split: number): Promise<void> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-split': String(split) },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const result = clientText(await response.text());
    expect(result.text, `split at ${split}`).toBe(EXPECTED);
    expect(result.done).toBe(true);
  }

  it('the client gets exactly the rehydrated text for every upstream split offset', { timeout: 180_000 }, async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next <= bytes.length) await viaGateway(next++);
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(mock.recorded).toHaveLength(bytes.length + 1);
    for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
  });
});
