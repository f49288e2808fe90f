/** Provider keys held by the gateway replace the client's credential, in the header each provider reads. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/proxy/config.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { sendJson, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

let mock: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  mock = await startMockUpstream((_request, res) => sendJson(res, 200, { ok: true }));
  const origin = mock.url.replace(/\/v1$/, '');
  const config = resolveConfig({
    env: { ANTHROPIC_API_KEY: 'sk-ant-held', GEMINI_API_KEY: 'gem-held', OPENAI_API_KEY: 'sk-openai-held' },
    file: { providers: { anthropic: { url: origin }, gemini: { url: origin }, azure: { url: origin }, vllm: { url: mock.url, api_key: 'vllm-held' } } },
  });
  gateway = await startGateway({ config: { providers: config.providers ?? {}, providerKeys: config.providerKeys ?? {} } });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

async function post(path: string, body: unknown, headers: Record<string, string>): Promise<Record<string, unknown>> {
  mock.recorded.length = 0;
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return mock.recorded[0]?.headers ?? {};
}

describe('provider keys held by the gateway', () => {
  it('Anthropic: x-api-key replaces the client key; the OpenAI key never goes there', async () => {
    const headers = await post('/v1/messages', { model: 'm', max_tokens: 1, messages: [] }, { 'x-api-key': 'client', authorization: 'Bearer client' });
    expect(headers['x-api-key']).toBe('sk-ant-held');
    expect(headers['authorization']).toBeUndefined();
  });

  it('Gemini: x-goog-api-key', async () => {
    const headers = await post('/v1beta/models/g:generateContent', { contents: [] }, { 'x-goog-api-key': 'client' });
    expect(headers['x-goog-api-key']).toBe('gem-held');
  });

  it('an OpenAI-compatible route: bearer token from veil.yaml', async () => {
    const headers = await post('/vllm/v1/chat/completions', { model: 'm', messages: [] }, { authorization: 'Bearer client' });
    expect(headers['authorization']).toBe('Bearer vllm-held');
  });

  it('without a held key the client credential passes (Azure)', async () => {
    const headers = await post('/openai/deployments/d/chat/completions?api-version=1', { messages: [] }, { 'api-key': 'client-azure' });
    expect(headers['api-key']).toBe('client-azure');
    expect(headers['authorization']).toBeUndefined();
  });
});
