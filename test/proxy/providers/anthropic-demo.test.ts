/** Demo mode (no upstream at all): `/v1/messages` answers from the built-in demo, through @anthropic-ai/sdk. */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PII, startGateway, type TestGateway } from '../helpers/gateway.js';

let gateway: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  gateway = await startGateway();
  client = new Anthropic({ baseURL: gateway.url, apiKey: 'demo', maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
});

const PROMPT = `Email ${PII.email} or call ${PII.phone}`;

describe('demo upstream, Anthropic Messages', () => {
  it('quotes the prompt: the provider saw tokens, the client reads values', async () => {
    const message = await client.messages.create({ model: 'claude-demo', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] });
    const block = message.content[0];
    expect(block?.type === 'text' ? block.text : '').toContain(PII.email);
    const demo = (message as unknown as { veil_demo: { provider_saw: string } }).veil_demo;
    expect(demo.provider_saw).toBe('Email <<EMAIL_1>> or call <<PHONE_1>>');
  });

  it('streams, and calls a tool with the values', async () => {
    const text = await client.messages.stream({ model: 'claude-demo', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }).finalText();
    expect(text).toContain(PII.phone);
    const final = await client.messages
      .stream({ model: 'claude-demo', max_tokens: 50, tools: [{ name: 'send', input_schema: { type: 'object', properties: { to: { type: 'string' } } } }], messages: [{ role: 'user', content: PROMPT }] })
      .finalMessage();
    const call = final.content.find((block) => block.type === 'tool_use');
    expect(call?.type === 'tool_use' ? call.input : undefined).toEqual({ to: PII.email });
  });
});
