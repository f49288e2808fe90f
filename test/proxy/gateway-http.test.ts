/** Routing, request errors, headers and health of the gateway, over real sockets. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PII, startGateway, type TestGateway } from './helpers/gateway.js';
import { sendJson, startMockUpstream, type MockUpstream } from './helpers/mock-upstream.js';

let mock: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ upstreamUrl: mock.url, config: { bodyLimitBytes: 4096, passThrough: ['/v1/files'] } });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${gateway.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const post = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

describe('request errors in the OpenAI shape', () => {
  it('bad JSON is 400 and does not echo the body', async () => {
    const { status, body } = await call('/v1/chat/completions', post(`{"messages": "${PII.email}`));
    expect(status).toBe(400);
    expect(body['error']).toEqual({ message: 'Request body is not valid JSON.', type: 'invalid_request_error', code: 'bad_input', param: null });
    expect(mock.recorded).toHaveLength(0);
  });

  it.each([
    [{ messages: 'hello' }, 'messages'],
    [{ messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
    [{ messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] }, 'messages[0].content[0].text'],
    [{ messages: [{ role: 'user', content: 'x', name: 3 }] }, 'messages[0].name'],
    [{ messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ function: { arguments: {} } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
  ])('wrong field type %j is 400 naming %s', async (payload, field) => {
    const { status, body } = await call('/v1/chat/completions', post(JSON.stringify(payload)));
    expect(status).toBe(400);
    expect(body['error']).toMatchObject({ param: field, code: 'bad_input' });
    expect(String((body['error'] as { message: string }).message)).toContain(field);
  });

  it('a body over the limit is 413, declared or chunked', async () => {
    const big = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const declared = await call('/v1/chat/completions', post(big));
    expect(declared.status).toBe(413);
    expect(declared.body['error']).toMatchObject({ code: 'request_too_large' });
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let index = 0; index < 10; index++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it('unknown routes are 404 and never forwarded', async () => {
    const before = mock.recorded.length;
    const { status, body } = await call('/v1/assistants', post('{}'));
    expect(status).toBe(404);
    expect(body['error']).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
    expect((await call('/v1/chat/completions')).status).toBe(404);
    expect(mock.recorded.length).toBe(before);
  });
});

describe('forwarding', () => {
  it('GET /v1/models and configured pass-through paths are forwarded as they are', async () => {
    mock.handle((request, res) => sendJson(res, 200, { object: 'list', data: [], path: request.path }));
    const models = await call('/v1/models?limit=2');
    expect(models.status).toBe(200);
    expect(models.body['path']).toBe('/v1/models?limit=2');
    const files = await call('/v1/files/abc', post('{"purpose":"x"}'));
    expect(files.body['path']).toBe('/v1/files/abc');
    expect(mock.recorded.at(-1)?.body).toBe('{"purpose":"x"}');
  });

  it('passes credentials, drops hop-by-hop and Veil headers, keeps or creates x-request-id', async () => {
    mock.handle((_request, res) => sendJson(res, 200, { choices: [] }, { connection: 'keep-alive', 'keep-alive': 'timeout=5' }));
    const kept = await call(
      '/v1/chat/completions',
      post(JSON.stringify({ messages: [{ role: 'user', content: `hi ${PII.email}` }] }), {
        authorization: 'Bearer sk-user',
        'x-request-id': 'req-123',
        'x-veil-session': 's1',
        'openai-organization': 'org-1',
      }),
    );
    expect(kept.headers.get('x-request-id')).toBe('req-123');
    expect(kept.headers.get('x-veil-masked')).toBe('1');
    const seen = mock.recorded.at(-1)?.headers ?? {};
    expect(seen['authorization']).toBe('Bearer sk-user');
    expect(seen['x-request-id']).toBe('req-123');
    expect(seen['openai-organization']).toBe('org-1');
    expect(seen['x-veil-session']).toBeUndefined();
    expect(seen['accept-encoding']).toBe('identity');
    // fetch() refuses to send Connection, so this one goes through node:http.
    await new Promise<void>((resolve, reject) => {
      const req = request(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1', 'proxy-authorization': 'p' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ messages: [] }));
    });
    const hop = mock.recorded.at(-1)?.headers ?? {};
    expect(hop['x-secret-hop']).toBeUndefined();
    expect(hop['proxy-authorization']).toBeUndefined();
    const created = await call('/v1/chat/completions', post(JSON.stringify({ messages: [] })));
    expect(created.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // An id that could carry a personal value is not logged, audited or forwarded: it is replaced.
    for (const unsafe of [PII.email, '+1 415 555 0132', 'call me maybe']) {
      const replaced = await call('/v1/chat/completions', post(JSON.stringify({ messages: [] }), { 'x-request-id': unsafe }));
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(mock.recorded.at(-1)?.headers['x-request-id']).toBe(replaced.headers.get('x-request-id'));
    }
  });

  it('a key held by the route replaces the client credentials', async () => {
    const keyed = await startGateway({ upstreamUrl: mock.url, upstream: { apiKey: 'sk-route' } });
    try {
      mock.handle((_request, res) => sendJson(res, 200, { choices: [] }));
      await fetch(`${keyed.url}/v1/chat/completions`, post(JSON.stringify({ messages: [] }), { authorization: 'Bearer sk-user' }));
      expect(mock.recorded.at(-1)?.headers['authorization']).toBe('Bearer sk-route');
    } finally {
      await keyed.close();
    }
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await call('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call('/readyz')).toMatchObject({ status: 200, body: { status: 'ready', upstream: 'http' } });
  });
});
