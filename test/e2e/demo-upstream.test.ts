/**
 * The demo upstream: with no provider configured, the gateway answers from what a provider
 * would have seen. The answer comes back rehydrated; `veil_demo.provider_saw` shows the tokens.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PII, startGateway, type TestGateway } from '../proxy/helpers/gateway.js';

let gateway: TestGateway;
let client: OpenAI;
const PROMPT = `Email ${PII.email} or call ${PII.phone}.`;

beforeAll(async () => {
  gateway = await startGateway();
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
});

interface DemoField {
  veil_demo: { provider_saw: string };
}

describe('demo upstream', () => {
  it('is used only when no upstream is configured', async () => {
    expect(gateway.gateway.upstream.kind).toBe('demo');
    const configured = await startGateway({ upstreamUrl: 'http://127.0.0.1:9/v1' });
    expect(configured.gateway.upstream.kind).toBe('http');
    await configured.close();
  });

  it('quotes the prompt: rehydrated in the answer, masked in provider_saw', async () => {
    const completion = await client.chat.completions.create({ model: 'any', messages: [{ role: 'user', content: PROMPT }] });
    const content = completion.choices[0]?.message.content ?? '';
    expect(content).toContain(PII.email);
    expect(content).toContain(PII.phone);
    const saw = (completion as unknown as DemoField).veil_demo.provider_saw;
    expect(saw).toBe('Email <<EMAIL_1>> or call <<PHONE_1>>.');
  });

  it('streams', async () => {
    const stream = await client.chat.completions.create({ model: 'any', stream: true, messages: [{ role: 'user', content: PROMPT }] });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toContain(`You wrote: "${PROMPT}"`);
  });

  it('calls a tool with the tokens it saw, rehydrated for the client', async () => {
    const completion = await client.chat.completions.create({
      model: 'any',
      messages: [{ role: 'user', content: PROMPT }],
      tools: [{ type: 'function', function: { name: 'contact', parameters: { type: 'object', properties: { email: { type: 'string' }, phone: { type: 'string' } } } } }],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '{}') as unknown;
    expect(args).toEqual({ email: PII.email, phone: PII.phone });
  });

  it('answers the Responses API, whole and streamed, and embeddings', async () => {
    const response = await client.responses.create({ model: 'any', input: PROMPT });
    expect(response.output_text).toContain(PII.email);
    const stream = client.responses.stream({ model: 'any', input: PROMPT });
    const final = await stream.finalResponse();
    expect(final.output_text).toContain(PII.phone);
    const embeddings = await client.embeddings.create({ model: 'any', input: PROMPT, encoding_format: 'float' });
    expect(embeddings.data[0]?.embedding).toHaveLength(8);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['veil-demo']);
  });
});
