/**
 * Values that need escaping (quotes, backslashes, newlines, non-ASCII) must come back intact in
 * tool-call arguments, whole and streamed, in both APIs: the arguments stay valid JSON.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/detect/detector.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { builtinDetectors } from '../../src/detect/registry.js';
import { Veil } from '../../src/engine.js';
import { leakedIn, startGateway, type TestGateway } from '../proxy/helpers/gateway.js';
import { chatCompletion, chunk, sendJson, startMockUpstream, tokensIn, writeEvents, type MockUpstream } from '../proxy/helpers/mock-upstream.js';

const NAME = 'Zoë "Zed" O\'Neil\\Jr\n日本';

const nameDetector: Detector = {
  id: 'test.name',
  tier: 'custom',
  types: ['PERSON'],
  detect(text) {
    const at = text.indexOf(NAME);
    return at === -1 ? [] : [{ start: at, end: at + NAME.length, type: 'PERSON', score: 1, detector: 'test.name' }];
  },
};

let mock: MockUpstream;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream();
  const veil = new Veil({ engine: new DetectionEngine({ detectors: [...builtinDetectors(), nameDetector] }) });
  gateway = await startGateway({ upstreamUrl: mock.url, veil });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'k', maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

function args(request: { body: string }): string {
  const person = tokensIn(request.body).find((token) => token.startsWith('<<PERSON')) ?? 'none';
  return JSON.stringify({ name: person, note: `for ${person}` });
}

describe('JSON escaping of rehydrated values', () => {
  it('chat: whole tool call and content', async () => {
    mock.handle((request, res) =>
      sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: `Hello <<PERSON_1>>`, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args(request) } }] }, finish_reason: 'tool_calls' }])),
    );
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `Customer: ${NAME}` }] });
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe(`Hello ${NAME}`);
    const call = message?.tool_calls?.[0];
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual({ name: NAME, note: `for ${NAME}` });
    expect(leakedIn(mock.recorded.at(-1)?.body ?? '', [NAME])).toEqual([]);
  });

  it('chat: streamed tool-call arguments split every 3 characters', async () => {
    mock.handle(async (request, res) => {
      const text = args(request);
      const events = [chunk([{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] }, finish_reason: null }])];
      for (let at = 0; at < text.length; at += 3) events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: text.slice(at, at + 3) } }] }, finish_reason: null }]));
      events.push(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]), 'data: [DONE]\n\n');
      await writeEvents(res, events);
    });
    const final = await client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: `Customer: ${NAME}` }] }).finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual({ name: NAME, note: `for ${NAME}` });
  });

  it('responses: streamed function-call arguments, deltas equal the done event', async () => {
    mock.handle(async (request, res) => {
      const text = args(request);
      let sequence = 0;
      const event = (type: string, payload: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`;
      const item = { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'c', name: 'f', arguments: text };
      const response = { id: 'r', object: 'response', created_at: 1, status: 'completed', model: 'm', output: [item] };
      const events = [event('response.output_item.added', { output_index: 0, item: { ...item, arguments: '' } })];
      for (let at = 0; at < text.length; at += 4) events.push(event('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 0, delta: text.slice(at, at + 4) }));
      events.push(event('response.function_call_arguments.done', { item_id: 'fc_1', output_index: 0, arguments: text }));
      events.push(event('response.output_item.done', { output_index: 0, item }), event('response.completed', { response }));
      await writeEvents(res, events);
    });
    const stream = await client.responses.create({ model: 'm', input: `Customer: ${NAME}`, stream: true });
    let deltas = '';
    let done = '';
    let itemArgs = '';
    for await (const event of stream) {
      if (event.type === 'response.function_call_arguments.delta') deltas += event.delta;
      if (event.type === 'response.function_call_arguments.done') done = event.arguments;
      if (event.type === 'response.output_item.done' && event.item.type === 'function_call') itemArgs = event.item.arguments;
    }
    expect(deltas).toBe(done);
    expect(JSON.parse(done)).toEqual({ name: NAME, note: `for ${NAME}` });
    expect(JSON.parse(itemArgs)).toEqual({ name: NAME, note: `for ${NAME}` });
  });
});
