/**
 * The official openai SDK, pointed at Veil, against a recording mock provider: whatever the
 * API shape, the provider never sees a personal value and the SDK result holds the originals.
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletion, chunk, echoTokens, sendJson, startMockUpstream, tokensIn, writeEvents, type MockUpstream } from '../proxy/helpers/mock-upstream.js';
import { leakedIn, PII, startGateway, type TestGateway } from '../proxy/helpers/gateway.js';

let mock: MockUpstream;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ upstreamUrl: mock.url });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-client', maxRetries: 0, timeout: 15_000 });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

afterEach(() => {
  for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
  mock.recorded.length = 0;
  mock.handle(echoTokens);
});

const PROMPT = `Please email ${PII.email}, call ${PII.phone}, charge ${PII.card}, wire to ${PII.iban}, SSN ${PII.ssn}.`;

describe('chat completions through the OpenAI SDK', () => {
  it('masks the request and rehydrates a whole answer', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `You help ${PII.email}.` },
        { role: 'developer', content: [{ type: 'text', text: `Card on file ${PII.card}` }] },
        { role: 'user', name: 'maria', content: [{ type: 'text', text: PROMPT }, { type: 'image_url', image_url: { url: 'https://example.com/x.png' } }] },
      ],
      prediction: { type: 'content', content: `Draft for ${PII.iban}` },
      user: PII.email,
    });
    const text = completion.choices[0]?.message.content ?? '';
    for (const value of Object.values(PII)) expect(text).toContain(value);
    expect(mock.recorded).toHaveLength(1);
    expect(mock.recorded[0]?.body).toContain('<<EMAIL_1>>');
    expect(mock.recorded[0]?.headers['authorization']).toBe('Bearer sk-client');
  });

  it('rehydrates a stream', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: PROMPT }],
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? '';
      finish = part.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('stop');
    for (const value of Object.values(PII)) expect(text).toContain(value);
    expect(text).not.toMatch(/<<|>>/);
  });

  it('rehydrates every choice when n = 2, whole and streamed', async () => {
    const whole = await client.chat.completions.create({ model: 'm', n: 2, messages: [{ role: 'user', content: PROMPT }] });
    expect(whole.choices).toHaveLength(2);
    for (const choice of whole.choices) expect(choice.message.content).toContain(PII.card);
    const stream = await client.chat.completions.create({ model: 'm', n: 2, stream: true, messages: [{ role: 'user', content: PROMPT }] });
    const texts = ['', ''];
    for await (const part of stream) for (const choice of part.choices) texts[choice.index] += choice.delta.content ?? '';
    for (const text of texts) {
      expect(text).toContain(PII.iban);
      expect(text).toContain(PII.email);
    }
  });

  it('masks tool-call arguments and tool results going out, and rehydrates tool calls coming back', async () => {
    mock.handle((request, res) => {
      const tokens = tokensIn(request.body);
      const args = JSON.stringify({ to: tokens.find((token) => token.startsWith('<<EMAIL')), note: `call ${tokens.find((token) => token.startsWith('<<PHONE'))}` });
      sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_email', arguments: args } }] }, finish_reason: 'tool_calls' }]));
    });
    const completion = await client.chat.completions.create({
      model: 'm',
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
      messages: [
        { role: 'user', content: 'Find the customer' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ q: PII.email, nested: { card: PII.card, list: [PII.ssn] } }) } }] },
        { role: 'tool', tool_call_id: 'call_0', content: JSON.stringify({ phone: PII.phone, iban: PII.iban }) },
      ],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '{}') as { to: string; note: string };
    expect(args).toEqual({ to: PII.email, note: `call ${PII.phone}` });
    const sent = JSON.parse(mock.recorded[0]?.body ?? '{}') as { messages: { tool_calls?: { function: { arguments: string } }[] }[] };
    // Arguments stay a JSON document with masked leaves.
    expect(JSON.parse(sent.messages[1]?.tool_calls?.[0]?.function.arguments ?? '')).toEqual({ q: '<<EMAIL_1>>', nested: { card: '<<CREDIT_CARD_1>>', list: ['<<SSN_1>>'] } });
  });

  it('rehydrates streamed tool-call arguments with JSON escaping', async () => {
    mock.handle(async (request, res) => {
      const email = tokensIn(request.body).find((token) => token.startsWith('<<EMAIL')) ?? '';
      const args = JSON.stringify({ to: email, cc: email.toLowerCase().replace(/[<>]/g, '') });
      const events = [chunk([{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } }] }, finish_reason: null }])];
      for (let at = 0; at < args.length; at += 4) events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + 4) } }] }, finish_reason: null }]));
      events.push(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]), 'data: [DONE]\n\n');
      await writeEvents(res, events);
    });
    const runner = client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: `Write to ${PII.email}` }] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '{}') as Record<string, string>;
    expect(args).toEqual({ to: PII.email, cc: PII.email });
  });

  it('masks a surname that a later message uses alone, after an earlier one named the person in full', async () => {
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'user', content: 'The account holder is Rose Baker.' },
        { role: 'assistant', content: 'Thanks, what would you like to change?' },
        { role: 'user', content: 'Baker approved it.' },
      ],
    });
    const sent = mock.recorded[0]?.body ?? '';
    expect(leakedIn(sent, ['Rose Baker', 'Baker'])).toEqual([]);
    expect(sent).toContain('<<PERSON_2>> approved it.');
    // The provider quotes the tokens it saw; the client reads the names.
    expect(completion.choices[0]?.message.content).toContain('Baker');
    expect(completion.choices[0]?.message.content).not.toContain('<<PERSON_');
  });

  it('resolves tokens from an earlier turn through the session scope', async () => {
    const session = { headers: { 'x-veil-session': 'e2e-session-1' } };
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }, session);
    // An agent that stored the masked transcript sends the token back.
    const again = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Remind <<EMAIL_1>> please' }] }, session);
    expect(again.choices[0]?.message.content).toContain(PII.email);
    expect(mock.recorded[1]?.headers['x-veil-session']).toBeUndefined();
  });
});

describe('Responses API through the OpenAI SDK', () => {
  const responseBody = (text: string, args: string): Record<string, unknown> => ({
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status: 'completed',
    model: 'mock',
    output: [
      { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] },
      { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'send', arguments: args },
    ],
  });

  it('masks instructions and input items and rehydrates output', async () => {
    mock.handle((request, res) => {
      const tokens = tokensIn(request.body);
      // Like the real API, the response echoes the (masked) instructions.
      const { instructions } = JSON.parse(request.body) as { instructions: string };
      sendJson(res, 200, { ...responseBody(`Seen ${tokens.join(' ')}`, JSON.stringify({ to: tokens[0] })), instructions });
    });
    const response = await client.responses.create({
      model: 'm',
      instructions: `Customer ${PII.email}`,
      input: [
        { role: 'user', content: [{ type: 'input_text', text: `Card ${PII.card}, phone ${PII.phone}` }] },
        { type: 'function_call', call_id: 'c0', name: 'lookup', arguments: JSON.stringify({ iban: PII.iban }) },
        { type: 'function_call_output', call_id: 'c0', output: `SSN ${PII.ssn}` },
      ],
    });
    expect(response.output_text).toContain(PII.card);
    expect(response.output_text).toContain(PII.ssn);
    expect(response.instructions).toBe(`Customer ${PII.email}`);
    const call = response.output.find((item) => item.type === 'function_call');
    expect(JSON.parse(call?.type === 'function_call' ? call.arguments : '{}')).toEqual({ to: PII.email });
  });

  it('rehydrates a Responses stream: deltas, done events and response.completed', async () => {
    mock.handle(async (request, res) => {
      // Ends on a token, so the held-back tail must be flushed before the done event.
      const text = `Seen ${tokensIn(request.body).join(' ')}`;
      let sequence = 0;
      const event = (type: string, payload: Record<string, unknown>): string =>
        `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`;
      const events = [event('response.created', { response: { ...responseBody('', '{}'), status: 'in_progress', output: [] } })];
      for (let at = 0; at < text.length; at += 6) events.push(event('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: text.slice(at, at + 6) }));
      events.push(event('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }));
      events.push(event('response.completed', { response: responseBody(text, '{}') }));
      await writeEvents(res, events);
    });
    const stream = await client.responses.create({ model: 'm', input: PROMPT, stream: true });
    let deltas = '';
    let done = '';
    let completed = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.output_text.done') done = event.text;
      if (event.type === 'response.completed') {
        for (const item of event.response.output) {
          if (item.type === 'message') for (const part of item.content) if (part.type === 'output_text') completed += part.text;
        }
      }
    }
    for (const value of Object.values(PII)) {
      expect(deltas).toContain(value);
      expect(done).toContain(value);
      expect(completed).toContain(value);
    }
    expect(deltas).toBe(done);
  });
});

describe('embeddings through the OpenAI SDK', () => {
  it('masks every input', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: [PROMPT, `Mail ${PII.email}`] });
    expect(result.data[0]?.embedding).toHaveLength(2);
    const sent = JSON.parse(mock.recorded[0]?.body ?? '{}') as { input: string[] };
    expect(sent.input[1]).toBe('Mail <<EMAIL_1>>');
  });
});

describe('legacy completions through the OpenAI SDK', () => {
  it('masks the prompt and rehydrates text, whole and streamed', async () => {
    mock.handle(async (request, res) => {
      const text = `Seen ${tokensIn(request.body).join(' ')}`;
      const body = JSON.parse(request.body) as { stream?: boolean };
      const base = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm' };
      if (body.stream !== true) {
        sendJson(res, 200, { ...base, choices: [{ index: 0, text, finish_reason: 'stop', logprobs: null }] });
        return;
      }
      const events: string[] = [];
      for (let at = 0; at < text.length; at += 4) events.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, text: text.slice(at, at + 4), finish_reason: null, logprobs: null }] })}\n\n`);
      events.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, text: '', finish_reason: 'stop', logprobs: null }] })}\n\n`, 'data: [DONE]\n\n');
      await writeEvents(res, events);
    });
    const whole = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: PROMPT });
    for (const value of Object.values(PII)) expect(whole.choices[0]?.text).toContain(value);
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: [PROMPT], stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.text ?? '';
    for (const value of Object.values(PII)) expect(text).toContain(value);
  });
});
