/**
 * Token formats chosen by policy, end to end through the gateway with the openai SDK: the card
 * leaves as an FF1 format-preserving number, the e-mail as an opaque VEIL_ token, the provider
 * sees neither original, and the SDK gets both back, whole, streamed and in tool arguments.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { openVeil } from '../../src/open-veil.js';
import { parsePolicy } from '../../src/policy/load.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { luhnValid } from '../../src/vault/tokens/fpe.js';
import { leakedIn, PII } from '../proxy/helpers/gateway.js';
import { chatCompletion, chunk, sendJson, startMockUpstream, writeEvents, type MockUpstream, type Recorded } from '../proxy/helpers/mock-upstream.js';

const POLICY = `
rules:
  - { id: cards-fpe, when: { entity: CREDIT_CARD }, action: mask, format: fpe }
  - { id: emails-opaque, when: { entity: EMAIL }, action: mask, format: opaque }
  - { id: everything-else, action: mask }
`;

const OPAQUE = /VEIL_[A-Z_]+_K[A-Z2-7]{5}_[A-Z2-7]{26}/g;
const CARD_SHAPE = /\b\d{4} \d{4} \d{4} \d{4}\b/g;

/** What the provider saw: the format tokens in the last user message. */
function formatTokens(request: Recorded): { card: string; email: string } {
  const body = JSON.parse(request.body) as { messages: { content: string }[] };
  const last = body.messages[body.messages.length - 1]?.content ?? '';
  return { card: last.match(CARD_SHAPE)?.[0] ?? '', email: last.match(OPAQUE)?.[0] ?? '' };
}

/** A model that repeats the tokens, rewriting them the way models do (dashes, lower case). */
async function answer(request: Recorded, res: ServerResponse): Promise<void> {
  const { card, email } = formatTokens(request);
  const text = `Charged ${card.replace(/ /g, '-')}; receipt to ${email.toLowerCase()}.`;
  const args = JSON.stringify({ card, to: email });
  if ((JSON.parse(request.body) as { stream?: boolean }).stream === true) {
    const events: string[] = [];
    for (let at = 0; at < text.length; at += 3) events.push(chunk([{ index: 0, delta: { content: text.slice(at, at + 3) }, finish_reason: null }]));
    events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'pay', arguments: '' } }] }, finish_reason: null }]));
    for (let at = 0; at < args.length; at += 4) {
      events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + 4) } }] }, finish_reason: null }]));
    }
    events.push(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]), 'data: [DONE]\n\n');
    await writeEvents(res, events);
    return;
  }
  sendJson(
    res,
    200,
    chatCompletion([
      {
        index: 0,
        message: { role: 'assistant', content: text, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'pay', arguments: args } }] },
        finish_reason: 'tool_calls',
      },
    ]),
  );
}

let mock: MockUpstream;
let gateway: Gateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream(answer);
  gateway = new Gateway({
    veil: new Veil(),
    config: resolveConfig({ flags: { port: 0, upstream: mock.url } }),
    policy: staticPolicySource(parsePolicy(POLICY)),
    env: {},
  });
  const { url } = await gateway.listen();
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-client', maxRetries: 0, timeout: 15_000 });
});

afterAll(async () => {
  await gateway.close(500);
  await mock.close();
});

afterEach(() => {
  for (const entry of mock.recorded) expect(leakedIn(entry.body, [PII.card, PII.email])).toEqual([]);
});

const PROMPT = `Charge ${PII.card} and send the receipt to ${PII.email}.`;
const EXPECTED = `Charged ${PII.card}; receipt to ${PII.email}.`;

describe('per-rule token formats through the gateway (openai SDK)', () => {
  it('sends an fpe card and an opaque e-mail, and rehydrates a whole answer and its tool arguments', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] });
    const seen = formatTokens(mock.recorded[mock.recorded.length - 1] as Recorded);
    expect(seen.card).not.toBe(PII.card);
    expect(luhnValid([...seen.card.replace(/\D/g, '')].map(Number))).toBe(true);
    expect(seen.email).toMatch(/^VEIL_EMAIL_/);
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe(EXPECTED);
    const call = message?.tool_calls?.[0];
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({ card: PII.card, to: PII.email });
  });

  it('rehydrates a streamed answer and streamed tool arguments', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: PROMPT }] });
    let text = '';
    let args = '';
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? '';
      args += part.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    }
    expect(text).toBe(EXPECTED);
    expect(JSON.parse(args)).toEqual({ card: PII.card, to: PII.email });
  });

  it('gives the same value the same token in every request and session', async () => {
    mock.recorded.length = 0;
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: PROMPT }] });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }, { headers: { 'x-veil-session': 'chat-7' } });
    const [first, second] = mock.recorded.map(formatTokens);
    expect(first?.card).toMatch(CARD_SHAPE);
    expect(second).toEqual(first);
  });

  it('with the vault: sessions use the tenant key (same tokens in every session), rehydrated from a later request', async () => {
    const veil = await openVeil({ dataDir: mkdtempSync(join(tmpdir(), 'veil-policy-formats-')), env: { VEIL_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') } });
    const vaulted = new Gateway({ veil, config: resolveConfig({ flags: { port: 0, upstream: mock.url } }), policy: staticPolicySource(parsePolicy(POLICY)), env: {} });
    const sdk = new OpenAI({ baseURL: `${(await vaulted.listen()).url}/v1`, apiKey: 'sk-client', maxRetries: 0, timeout: 15_000 });
    try {
      mock.recorded.length = 0;
      const one = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }, { headers: { 'x-veil-session': 's-1' } });
      await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }, { headers: { 'x-veil-session': 's-2' } });
      expect(one.choices[0]?.message.content).toBe(EXPECTED);
      const [first, second] = mock.recorded.map(formatTokens);
      expect(first?.email).toMatch(/^VEIL_EMAIL_/);
      expect(second).toEqual(first);
      // A later request of session s-1 that only carries the tokens gets the originals back.
      mock.handle(async (_request, res) => sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: `${first?.card ?? ''} ${first?.email ?? ''}` }, finish_reason: 'stop' }])));
      const later = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'What did I send?' }] }, { headers: { 'x-veil-session': 's-1' } });
      expect(later.choices[0]?.message.content).toBe(`${PII.card} ${PII.email}`);
    } finally {
      mock.handle(answer);
      await vaulted.close(500);
      await veil.close();
    }
  });

  it('the same through another adapter: Anthropic Messages, whole and streamed (@anthropic-ai/sdk)', async () => {
    const messages = new Gateway({
      veil: new Veil(),
      config: resolveConfig({ flags: { port: 0, providers: { anthropic: mock.url.replace(/\/v1$/, '') } } }),
      policy: staticPolicySource(parsePolicy(POLICY)),
      env: {},
    });
    const sdk = new Anthropic({ baseURL: (await messages.listen()).url, apiKey: 'sk-ant-client', maxRetries: 0, timeout: 15_000 });
    const reply = (request: Recorded): string => {
      const body = JSON.parse(request.body) as { messages: { content: string }[] };
      const last = body.messages[body.messages.length - 1]?.content ?? '';
      return `Charged ${(last.match(CARD_SHAPE)?.[0] ?? '').replace(/ /g, '.')}; receipt to ${last.match(OPAQUE)?.[0] ?? ''}.`;
    };
    const sse = (type: string, payload: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
    const base = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
    mock.handle(async (request, res) => {
      const text = reply(request);
      if ((JSON.parse(request.body) as { stream?: boolean }).stream !== true) {
        sendJson(res, 200, { ...base, content: [{ type: 'text', text }], stop_reason: 'end_turn' });
        return;
      }
      const events = [sse('message_start', { message: { ...base, content: [], stop_reason: null } }), sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })];
      for (let at = 0; at < text.length; at += 4) events.push(sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: text.slice(at, at + 4) } }));
      events.push(sse('content_block_stop', { index: 0 }), sse('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }), sse('message_stop', {}));
      await writeEvents(res, events);
    });
    const expected = `Charged ${PII.card}; receipt to ${PII.email}.`;
    try {
      const whole = await sdk.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] });
      expect(whole.content[0]?.type === 'text' ? whole.content[0].text : '').toBe(expected);
      const stream = sdk.messages.stream({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] });
      expect(await stream.finalText()).toBe(expected);
    } finally {
      mock.handle(answer);
      await messages.close(500);
    }
  });
});
