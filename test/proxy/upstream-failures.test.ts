/**
 * When the upstream misbehaves the client gets a clear, OpenAI-shaped outcome, the gateway
 * keeps serving, and no socket is left hanging.
 */
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PII, startGateway, type TestGateway } from './helpers/gateway.js';
import { chunk, echoTokens, sendJson, startMockUpstream, writeEvents, type MockUpstream } from './helpers/mock-upstream.js';

let mock: MockUpstream;
let gateway: TestGateway;
/** Responses the mock left open on purpose; closed after each test. */
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ upstreamUrl: mock.url });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

afterEach(() => {
  for (const res of hanging.splice(0)) res.destroy();
  mock.handle(echoTokens);
  mock.recorded.length = 0;
});

const streamRequest = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: `Mail ${PII.email}` }] });
const plainRequest = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `Mail ${PII.email}` }] });

function post(body: string, signal?: AbortSignal, base = gateway.url): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...(signal === undefined ? {} : { signal }),
  });
}

function errorEvents(text: string): { code: string; type: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: {"error"'))
    .map((block) => (JSON.parse(block.slice(6)) as { error: { code: string; type: string } }).error);
}

async function stillServes(): Promise<void> {
  const response = await post(plainRequest);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain(PII.email);
}

describe('upstream failures', () => {
  it('malformed SSE ends the stream with an error event after what was already sent', async () => {
    mock.handle((_request, res) =>
      writeEvents(res, [chunk([{ index: 0, delta: { content: 'Hi <<EMAIL_1>>' }, finish_reason: null }]), 'data: {not json\n\n', chunk([{ index: 0, delta: { content: 'never' }, finish_reason: null }])]),
    );
    const response = await post(streamRequest);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain(`Hi ${PII.email}`);
    expect(errorEvents(text)).toEqual([expect.objectContaining({ code: 'upstream_error' })]);
    expect(text).not.toContain('never');
    await stillServes();
  });

  it('the OpenAI SDK raises on the error event', async () => {
    mock.handle((_request, res) => writeEvents(res, [chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null }]), 'data: [oops\n\n']));
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: `Mail ${PII.email}` }] });
    await expect(async () => {
      for await (const part of stream) void part;
    }).rejects.toThrow(/not JSON/);
  });

  it('an upstream reset mid-stream ends the stream with an error event', async () => {
    mock.handle(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk([{ index: 0, delta: { content: 'Dear <<EMAIL_1>>, ' }, finish_reason: null }]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      res.socket?.destroy();
    });
    const response = await post(streamRequest);
    const text = await response.text();
    expect(text).toContain(`Dear ${PII.email}`);
    expect(errorEvents(text)).toEqual([expect.objectContaining({ type: 'upstream_error' })]);
    await stillServes();
  });

  it.each([429, 500])('passes an upstream %i through with its body rehydrated', async (status) => {
    mock.handle((_request, res) =>
      sendJson(res, status, { error: { message: 'Too much for <<EMAIL_1>>', type: 'rate_limit', code: 'x', param: null } }, { 'retry-after': '7' }),
    );
    const response = await post(plainRequest);
    expect(response.status).toBe(status);
    expect(response.headers.get('retry-after')).toBe('7');
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe(`Too much for ${PII.email}`);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'k', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `Mail ${PII.email}` }] })).rejects.toMatchObject({ status });
  });

  it('a client abort aborts the upstream request', async () => {
    const upstreamClosed = new Promise<boolean>((resolve) => {
      mock.handle(async (_request, res) => {
        res.once('close', () => resolve(!res.writableFinished));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk([{ index: 0, delta: { content: 'Hello' }, finish_reason: null }]));
        hanging.push(res);
      });
    });
    const controller = new AbortController();
    const response = await post(streamRequest, controller.signal);
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('Hello');
    controller.abort();
    expect(await upstreamClosed).toBe(true);
    mock.handle(echoTokens);
    await stillServes();
  });

  /** Timeouts are short only on a gateway of their own, so a slow machine cannot trip the other tests. */
  async function withShortTimeouts(test: (url: string) => Promise<void>): Promise<void> {
    const short = await startGateway({ upstreamUrl: mock.url, upstream: { firstByteTimeoutMs: 300, idleTimeoutMs: 300 } });
    try {
      await test(short.url);
    } finally {
      await short.close();
    }
  }

  it('no first byte in time gives 504', async () => {
    mock.handle((_request, res) => {
      hanging.push(res);
    });
    await withShortTimeouts(async (url) => {
      const response = await post(plainRequest, undefined, url);
      expect(response.status).toBe(504);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    });
  });

  it('a stream that goes silent ends with a timeout error event', async () => {
    mock.handle((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk([{ index: 0, delta: { content: 'Hi <<EMAIL_1>>' }, finish_reason: null }]));
      hanging.push(res);
    });
    await withShortTimeouts(async (url) => {
      const text = await (await post(streamRequest, undefined, url)).text();
      expect(text).toContain(`Hi ${PII.email}`);
      expect(errorEvents(text)).toEqual([expect.objectContaining({ code: 'upstream_timeout' })]);
    });
  });
});

describe('unreachable upstream', () => {
  it('gives 502 in the OpenAI error shape', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    // The port is let go only once the gateway listens: its own listen on port 0 could otherwise
    // be given the port just freed (one in some 14,000 runs) and the gateway would call itself.
    const dead = await startGateway({ upstreamUrl: `http://127.0.0.1:${port}/v1` });
    await new Promise((resolve) => probe.close(resolve));
    try {
      const response = await fetch(`${dead.url}/v1/chat/completions`, { method: 'POST', body: plainRequest, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(502);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ type: 'upstream_error', code: 'upstream_error', param: null });
      expect(String(body.error['message'])).toMatch(/could not be reached/);
    } finally {
      await dead.close();
    }
  });
});

describe('shutdown', () => {
  it('closing the gateway ends a stream in flight and releases the upstream', async () => {
    const upstream = await startMockUpstream();
    const upstreamClosed = new Promise<void>((resolve) => {
      upstream.handle((_request, res) => {
        res.once('close', () => resolve());
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null }]));
      });
    });
    const closing = await startGateway({ upstreamUrl: upstream.url });
    try {
      const response = await fetch(`${closing.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamRequest });
      const reader = response.body?.getReader();
      await reader?.read();
      const ready = await fetch(`${closing.url}/readyz`);
      expect(ready.status).toBe(200);
      await closing.close();
      // The client's stream ends (or errors) instead of hanging, and so does the upstream request.
      await expect((async () => { for (;;) if ((await reader?.read())?.done !== false) return 'ended'; })().catch(() => 'ended')).resolves.toBe('ended');
      await upstreamClosed;
    } finally {
      await upstream.close();
    }
  });
});
