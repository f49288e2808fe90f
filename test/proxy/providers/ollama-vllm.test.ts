/**
 * Self-hosted models: Ollama's native API (NDJSON streams, tool calls with object arguments)
 * and its OpenAI-compatible path, plus a named OpenAI-compatible route (vLLM, llama.cpp) with
 * its own upstream. Clients are plain fetch (Ollama's native API) and the openai SDK.
 */
import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leakedIn, PII, startGateway, type TestGateway } from '../helpers/gateway.js';
import { echoTokens, sendJson, startMockUpstream, tokensIn, type MockUpstream, type Recorded } from '../helpers/mock-upstream.js';

/** Writes NDJSON lines one by one, as Ollama does. */
async function writeLines(res: ServerResponse, lines: readonly unknown[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.flushHeaders();
  for (const line of lines) {
    res.write(`${JSON.stringify(line)}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
}

const base = { model: 'llama3.2', created_at: '2025-01-01T00:00:00Z' };

/** A mock Ollama: echoes the tokens it saw; `/v1/*` is its OpenAI-compatible API. */
async function ollama(request: Recorded, res: ServerResponse): Promise<void> {
  if (request.path.startsWith('/v1/')) {
    await echoTokens(request, res);
    return;
  }
  const body = JSON.parse(request.body) as { stream?: boolean; tools?: unknown[] };
  const text = `Seen: ${tokensIn(request.body).join(' ')}`;
  const stream = body.stream !== false;
  if (request.path === '/api/embed') {
    sendJson(res, 200, { model: 'all-minilm', embeddings: [[0.1, 0.2]] });
    return;
  }
  if (request.path === '/api/generate') {
    if (!stream) sendJson(res, 200, { ...base, response: text, done: true });
    else await writeLines(res, [...pieces(text, 4).map((response) => ({ ...base, response, done: false })), { ...base, response: '', done: true, done_reason: 'stop' }]);
    return;
  }
  const toolCalls = body.tools === undefined ? undefined : [{ function: { name: 'send_email', arguments: { to: tokensIn(request.body).find((token) => token.startsWith('<<EMAIL')) } } }];
  if (!stream) {
    sendJson(res, 200, { ...base, message: { role: 'assistant', content: text, ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }) }, done: true });
    return;
  }
  const lines: unknown[] = pieces(text, 3).map((content) => ({ ...base, message: { role: 'assistant', content }, done: false }));
  if (toolCalls !== undefined) lines.push({ ...base, message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false });
  lines.push({ ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', eval_count: 9 });
  await writeLines(res, lines);
}

let mock: MockUpstream;
let vllm: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  mock = await startMockUpstream(ollama);
  vllm = await startMockUpstream();
  gateway = await startGateway({ config: { providers: { ollama: mock.url.replace(/\/v1$/, ''), vllm: vllm.url } } });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
  await vllm.close();
});

afterEach(() => {
  for (const entry of [...mock.recorded, ...vllm.recorded]) expect(leakedIn(entry.body)).toEqual([]);
  mock.recorded.length = 0;
  vllm.recorded.length = 0;
  mock.handle(ollama);
});

const PROMPT = `Please email ${PII.email}, call ${PII.phone}, charge ${PII.card}.`;

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Parses an NDJSON body, checking that every line is one JSON object. */
function lines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Ollama native API', () => {
  it('/api/chat streams NDJSON by default, rehydrated line by line', async () => {
    const response = await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'system', content: `User ${PII.email}` }, { role: 'user', content: PROMPT }] });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const parsed = lines(await response.text());
    const text = parsed.map((line) => (line['message'] as { content: string }).content).join('');
    for (const value of [PII.email, PII.phone, PII.card]) expect(text).toContain(value);
    expect(text).not.toMatch(/<<|>>/);
    expect(parsed.at(-1)?.['done']).toBe(true);
    expect(parsed.at(-1)?.['eval_count']).toBe(9);
    expect(mock.recorded[0]?.path).toBe('/api/chat');
  });

  it('/api/chat whole, with tool calls both ways (object arguments)', async () => {
    const response = await post('/api/chat', {
      model: 'llama3.2',
      stream: false,
      tools: [{ type: 'function', function: { name: 'send_email', parameters: { type: 'object', properties: { to: { type: 'string' } } } } }],
      messages: [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { card: PII.card, nested: [PII.ssn] } } }] },
        { role: 'tool', content: `IBAN ${PII.iban}` },
      ],
    });
    const body = (await response.json()) as { message: { content: string; tool_calls: { function: { arguments: unknown } }[] } };
    expect(body.message.tool_calls[0]?.function.arguments).toEqual({ to: PII.email });
    expect(body.message.content).toContain(PII.iban);
    const sent = JSON.parse(mock.recorded[0]?.body ?? '{}') as { messages: { tool_calls?: { function: { arguments: unknown } }[] }[] };
    expect(sent.messages[1]?.tool_calls?.[0]?.function.arguments).toEqual({ card: '<<CREDIT_CARD_1>>', nested: ['<<SSN_1>>'] });
  });

  it('/api/chat streamed tool calls are rehydrated', async () => {
    const response = await post('/api/chat', { model: 'llama3.2', tools: [{ type: 'function', function: { name: 'send_email' } }], messages: [{ role: 'user', content: PROMPT }] });
    const parsed = lines(await response.text());
    const call = parsed.map((line) => (line['message'] as { tool_calls?: { function: { arguments: unknown } }[] }).tool_calls).find((calls) => calls !== undefined);
    expect(call?.[0]?.function.arguments).toEqual({ to: PII.email });
  });

  it('/api/generate, streamed and whole', async () => {
    const streamed = lines(await (await post('/api/generate', { model: 'llama3.2', prompt: PROMPT, system: `For ${PII.iban}` })).text());
    const text = streamed.map((line) => String(line['response'])).join('');
    for (const value of [PII.email, PII.phone, PII.card, PII.iban]) expect(text).toContain(value);
    const whole = (await (await post('/api/generate', { model: 'llama3.2', prompt: PROMPT, stream: false })).json()) as { response: string };
    expect(whole.response).toContain(PII.card);
  });

  it('/api/embed goes out masked', async () => {
    const response = await post('/api/embed', { model: 'all-minilm', input: [PROMPT] });
    expect(response.status).toBe(200);
    expect(mock.recorded[0]?.body).toContain('<<EMAIL_1>>');
  });

  it('gateway errors come in Ollama\'s shape', async () => {
    const response = await post('/api/chat', { model: 'llama3.2', messages: 'hi' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: unknown };
    expect(typeof body.error).toBe('string');
    expect(mock.recorded).toHaveLength(0);
  });

  it('its OpenAI-compatible API at /ollama/v1 through the openai SDK', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/ollama/v1`, apiKey: 'ollama', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: PROMPT }] });
    expect(completion.choices[0]?.message.content).toContain(PII.phone);
    expect(mock.recorded[0]?.path).toBe('/v1/chat/completions');
  });
});

describe('named OpenAI-compatible route (vLLM, llama.cpp)', () => {
  it('/vllm/v1 goes to its own upstream, masked, streamed', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/vllm/v1`, apiKey: 'token', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'meta-llama/Llama-3.1-8B-Instruct', stream: true, messages: [{ role: 'user', content: PROMPT }] });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toContain(PII.email);
    expect(vllm.recorded[0]?.path).toBe('/v1/chat/completions');
    expect(mock.recorded).toHaveLength(0);
  });

  it('an unconfigured route name is not served', async () => {
    const response = await post('/other/v1/chat/completions', { model: 'm', messages: [] });
    expect(response.status).toBe(404);
  });
});
