/**
 * The official @anthropic-ai/sdk, pointed at Veil, against a recording mock of the Messages API:
 * the provider never sees a personal value, the SDK gets the originals back, whole or streamed,
 * and tool use works both ways.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leakedIn, PII, startGateway, type TestGateway } from '../helpers/gateway.js';
import { sendJson, startMockUpstream, tokensIn, writeEvents, type MockUpstream, type Recorded } from '../helpers/mock-upstream.js';

let mock: MockUpstream;
let gateway: TestGateway;
let client: Anthropic;

function message(content: unknown[], stop = 'end_turn'): Record<string, unknown> {
  return {
    id: 'msg_mock',
    type: 'message',
    role: 'assistant',
    model: 'claude-mock',
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 5 },
  };
}

function sse(type: string, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

/** A Messages stream as Anthropic frames it: text pieces of 5 characters cut through the tokens. */
function textStream(text: string, toolArgs?: string): string[] {
  const events = [sse('message_start', { message: message([], null as unknown as string) }), sse('ping', {})];
  events.push(sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
  for (let at = 0; at < text.length; at += 5) events.push(sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: text.slice(at, at + 5) } }));
  events.push(sse('content_block_stop', { index: 0 }));
  if (toolArgs !== undefined) {
    events.push(sse('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'send_email', input: {} } }));
    for (let at = 0; at < toolArgs.length; at += 3) events.push(sse('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: toolArgs.slice(at, at + 3) } }));
    events.push(sse('content_block_stop', { index: 1 }));
  }
  events.push(sse('message_delta', { delta: { stop_reason: toolArgs === undefined ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }));
  events.push(sse('message_stop', {}));
  return events;
}

/** The default mock model: repeats every token it saw. */
async function echo(request: Recorded, res: ServerResponse): Promise<void> {
  if (request.path.endsWith('/count_tokens')) {
    sendJson(res, 200, { input_tokens: 42 });
    return;
  }
  const body = JSON.parse(request.body) as { stream?: boolean };
  const text = `Seen: ${tokensIn(request.body).join(' ')}`;
  if (body.stream === true) await writeEvents(res, textStream(text));
  else sendJson(res, 200, message([{ type: 'text', text }]), { 'anthropic-ratelimit-requests-remaining': '99', 'request-id': 'req_mock' });
}

beforeAll(async () => {
  mock = await startMockUpstream(echo);
  // The gateway holds an OpenAI key: it must never reach Anthropic.
  gateway = await startGateway({ config: { providers: { anthropic: mock.url.replace(/\/v1$/, '') } }, upstream: { apiKey: 'sk-openai-gateway' } });
  client = new Anthropic({ baseURL: gateway.url, apiKey: 'sk-ant-client', maxRetries: 0, timeout: 15_000 });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

afterEach(() => {
  for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
  mock.recorded.length = 0;
  mock.handle(echo);
});

const PROMPT = `Please email ${PII.email}, call ${PII.phone}, charge ${PII.card}, wire to ${PII.iban}, SSN ${PII.ssn}.`;

describe('Anthropic Messages through @anthropic-ai/sdk', () => {
  it('masks system, messages and blocks; rehydrates the answer; passes headers both ways', async () => {
    const result = await client.messages.create(
      {
        model: 'claude-mock',
        max_tokens: 100,
        system: [{ type: 'text', text: `You help ${PII.email}.` }],
        metadata: { user_id: PII.email },
        messages: [
          { role: 'user', content: PROMPT },
          { role: 'assistant', content: [{ type: 'text', text: `Noted ${PII.card}` }] },
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: `Contract for ${PII.iban}` }, title: `File of ${PII.ssn}` },
              { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
              { type: 'text', text: 'Summarise.' },
            ],
          },
        ],
      },
      { headers: { 'anthropic-beta': 'test-beta-2025' } },
    );
    const block = result.content[0];
    const text = block?.type === 'text' ? block.text : '';
    for (const value of Object.values(PII)) expect(text).toContain(value);
    const seen = mock.recorded[0];
    expect(seen?.path).toBe('/v1/messages');
    expect(seen?.body).toContain('<<EMAIL_1>>');
    // This SDK version sends the key as a bearer token; older ones as x-api-key. Either passes.
    expect(`${String(seen?.headers['x-api-key'])} ${String(seen?.headers['authorization'])}`).toContain('sk-ant-client');
    expect(seen?.headers['anthropic-version']).toBeDefined();
    expect(seen?.headers['anthropic-beta']).toBe('test-beta-2025');
    const sent = JSON.parse(seen?.body ?? '{}') as { metadata: { user_id: string }; messages: { content: { source?: { data: string } }[] }[] };
    expect(sent.metadata.user_id).toBe('<<EMAIL_1>>');
    expect(sent.messages[2]?.content[0]?.source?.data).toBe('Contract for <<IBAN_1>>');
  });

  it('passes x-api-key through and never adds the gateway OpenAI key', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-raw', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(200);
    expect(mock.recorded[0]?.headers['x-api-key']).toBe('sk-ant-raw');
    expect(mock.recorded[0]?.headers['anthropic-version']).toBe('2023-06-01');
    expect(mock.recorded[0]?.headers['authorization']).toBeUndefined();
  });

  it('passes rate-limit headers back', async () => {
    const response = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] }).withResponse();
    expect(response.response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('99');
  });

  it('rehydrates messages.stream: text events, final message', async () => {
    const stream = client.messages.stream({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: PROMPT }] });
    let deltas = '';
    stream.on('text', (delta) => {
      deltas += delta;
    });
    const final = await stream.finalMessage();
    const block = final.content[0];
    const text = block?.type === 'text' ? block.text : '';
    for (const value of Object.values(PII)) {
      expect(deltas).toContain(value);
      expect(text).toContain(value);
    }
    expect(deltas).toBe(text);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('rehydrates a raw create({stream: true}) event by event', async () => {
    const stream = await client.messages.create({ model: 'm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: PROMPT }] });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).not.toMatch(/<<|>>/);
    for (const value of Object.values(PII)) expect(text).toContain(value);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
  });

  it('tool use round trip: tool_use input and tool_result go out masked, tool calls come back whole and streamed', async () => {
    const toolInput = (request: Recorded): string => {
      const tokens = tokensIn(request.body);
      return JSON.stringify({ to: tokens.find((token) => token.startsWith('<<EMAIL')), note: `call ${tokens.find((token) => token.startsWith('<<PHONE'))}` });
    };
    mock.handle(async (request, res) => {
      const body = JSON.parse(request.body) as { stream?: boolean };
      if (body.stream === true) await writeEvents(res, textStream('Sending now.', toolInput(request)));
      else sendJson(res, 200, message([{ type: 'text', text: 'Sending.' }, { type: 'tool_use', id: 'toolu_1', name: 'send_email', input: JSON.parse(toolInput(request)) as unknown }], 'tool_use'));
    });
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: 'm',
      max_tokens: 100,
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Find the customer' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_0', name: 'lookup', input: { q: PII.email, nested: { card: PII.card, list: [PII.ssn] } } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: [{ type: 'text', text: JSON.stringify({ phone: PII.phone, iban: PII.iban }) }] }] },
      ],
    };
    const whole = await client.messages.create(params);
    const call = whole.content.find((block) => block.type === 'tool_use');
    expect(call?.type === 'tool_use' ? call.input : undefined).toEqual({ to: PII.email, note: `call ${PII.phone}` });
    const sent = JSON.parse(mock.recorded[0]?.body ?? '{}') as { messages: { content: { input?: unknown }[] }[] };
    expect(sent.messages[1]?.content[0]?.input).toEqual({ q: '<<EMAIL_1>>', nested: { card: '<<CREDIT_CARD_1>>', list: ['<<SSN_1>>'] } });

    const final = await client.messages.stream(params).finalMessage();
    const streamed = final.content.find((block) => block.type === 'tool_use');
    expect(streamed?.type === 'tool_use' ? streamed.input : undefined).toEqual({ to: PII.email, note: `call ${PII.phone}` });
    expect(final.stop_reason).toBe('tool_use');
  });

  it('count_tokens goes out masked', async () => {
    const count = await client.messages.countTokens({ model: 'm', messages: [{ role: 'user', content: PROMPT }] });
    expect(count.input_tokens).toBe(42);
    expect(mock.recorded[0]?.path).toBe('/v1/messages/count_tokens');
  });

  it('gateway errors come in the Anthropic error shape', async () => {
    const error = await client.messages.create({ model: 'm', max_tokens: 10, messages: 'nope' as unknown as [] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const body = (error as InstanceType<typeof Anthropic.BadRequestError>).error as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('messages');
    expect(mock.recorded).toHaveLength(0);
  });

  it('upstream errors pass through, rehydrated', async () => {
    mock.handle((request, res) => {
      sendJson(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: `Slow down for ${tokensIn(request.body)[0] ?? ''}` } }, { 'retry-after': '7' });
    });
    const error = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rate = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rate.headers?.get('retry-after')).toBe('7');
    expect(JSON.stringify(rate.error)).toContain(PII.email);
  });

  it('a stream error event is rehydrated and raised by the SDK', async () => {
    mock.handle(async (request, res) => {
      const token = tokensIn(request.body)[0] ?? '';
      await writeEvents(res, [sse('message_start', { message: message([], null as unknown as string) }), sse('error', { error: { type: 'overloaded_error', message: `Overloaded near ${token}` } })]);
    });
    const stream = client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toContain(PII.email);
  });
});
