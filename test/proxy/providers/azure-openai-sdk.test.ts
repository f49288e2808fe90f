/**
 * Azure OpenAI through the openai SDK's `AzureOpenAI` client pointed at Veil (deployment paths
 * with `api-version`, the `api-key` header) and the plain client on the v1 `/openai/v1/` paths.
 * The OpenAI adapters serve both; the upstream is a recording mock of the Azure endpoint.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leakedIn, PII, startGateway, type TestGateway } from '../helpers/gateway.js';
import { echoTokens, sendJson, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';

/** The echo model, on Azure's paths (the query carries api-version). */
const azureEcho: MockHandler = (request, res) => echoTokens({ ...request, path: request.path.split('?')[0] ?? '' }, res);

let mock: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  mock = await startMockUpstream(azureEcho);
  gateway = await startGateway({ config: { providers: { azure: mock.url.replace(/\/v1$/, '') } }, upstream: { apiKey: 'sk-openai-gateway' } });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

afterEach(() => {
  for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
  mock.recorded.length = 0;
  mock.handle(azureEcho);
});

const PROMPT = `Please email ${PII.email}, call ${PII.phone}, charge ${PII.card}.`;

describe('Azure OpenAI through AzureOpenAI', () => {
  const azure = (): AzureOpenAI =>
    new AzureOpenAI({ endpoint: gateway.url, apiKey: 'azure-key-1', apiVersion: '2024-10-21', deployment: 'gpt-4o-prod', maxRetries: 0, timeout: 15_000 });

  it('deployment path, api-version and api-key pass; the answer is rehydrated', async () => {
    const completion = await azure().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] });
    const text = completion.choices[0]?.message.content ?? '';
    for (const value of [PII.email, PII.phone, PII.card]) expect(text).toContain(value);
    const seen = mock.recorded[0];
    expect(seen?.path).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    expect(seen?.headers['api-key']).toBe('azure-key-1');
    // The gateway's OpenAI key is not Azure's.
    expect(seen?.headers['authorization']).toBeUndefined();
  });

  it('streams', async () => {
    const stream = await azure().chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: PROMPT }] });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    for (const value of [PII.email, PII.phone, PII.card]) expect(text).toContain(value);
    expect(text).not.toMatch(/<<|>>/);
  });

  it('embeddings go out masked', async () => {
    const result = await azure().embeddings.create({ model: 'text-embedding-3-small', input: [PROMPT] });
    expect(result.data).toHaveLength(1);
    expect(mock.recorded[0]?.path.startsWith('/openai/deployments/gpt-4o-prod/embeddings?')).toBe(true);
  });

  it('upstream errors pass through in the OpenAI shape', async () => {
    mock.handle((_request, res) => sendJson(res, 429, { error: { code: '429', message: 'Rate limit is exceeded.' } }, { 'retry-after': '3' }));
    const error = await azure()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('Azure OpenAI v1 paths (/openai/v1/)', () => {
  it('chat completions through the plain client', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/openai/v1`, apiKey: 'azure-key-2', maxRetries: 0, timeout: 15_000 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: PROMPT }] });
    expect(completion.choices[0]?.message.content).toContain(PII.card);
    expect(mock.recorded[0]?.path).toBe('/openai/v1/chat/completions');
    expect(mock.recorded[0]?.headers['authorization']).toBe('Bearer azure-key-2');
  });

  it('an unknown Azure operation is not forwarded', async () => {
    const response = await fetch(`${gateway.url}/openai/deployments/x/images/generations?api-version=1`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(mock.recorded).toHaveLength(0);
  });
});
