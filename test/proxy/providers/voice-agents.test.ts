/**
 * Per-agent routes for voice platforms: each platform's recorded request shape
 * (`test/fixtures/providers/voice-*.json`) sent to `/agents/{id}/chat/completions`. The model
 * provider sees no personal value and none of the platform's own fields (caller number,
 * telephony credentials); the call id becomes the token session, so a later turn of the same
 * call resolves tokens from an earlier one; the platform gets a rehydrated stream.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/proxy/config.js';
import { leakedIn, PII, startGateway, type TestGateway } from '../helpers/gateway.js';
import { echoTokens, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

interface VoiceFixture {
  readonly platform: string;
  readonly request: Record<string, unknown>;
  readonly values: string[];
}

function fixture(platform: string): VoiceFixture {
  return JSON.parse(readFileSync(new URL(`../../fixtures/providers/voice-${platform}.json`, import.meta.url), 'utf8')) as VoiceFixture;
}

let openai: MockUpstream;
let vllm: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  openai = await startMockUpstream();
  vllm = await startMockUpstream();
  const config = resolveConfig({
    file: {
      providers: { vllm: { url: vllm.url } },
      agents: {
        'vapi-booking': { platform: 'vapi' },
        'eleven-support': { platform: 'elevenlabs', provider: 'vllm' },
        'bolna-sales': { platform: 'bolna' },
      },
    },
  });
  gateway = await startGateway({ upstreamUrl: openai.url, config: { providers: config.providers ?? {}, ...(config.agents === undefined ? {} : { agents: config.agents }) } });
});

afterAll(async () => {
  await gateway.close();
  await openai.close();
  await vllm.close();
});

afterEach(() => {
  for (const entry of [...openai.recorded, ...vllm.recorded]) expect(leakedIn(entry.body)).toEqual([]);
  openai.recorded.length = 0;
  vllm.recorded.length = 0;
  openai.handle(echoTokens);
});

async function streamText(path: string, body: unknown): Promise<string> {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-platform' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  let text = '';
  for (const block of (await response.text()).split('\n\n')) {
    if (!block.startsWith('data: {')) continue;
    const chunk = JSON.parse(block.slice(6)) as { choices: { delta: { content?: string } }[] };
    text += chunk.choices[0]?.delta.content ?? '';
  }
  return text;
}

describe('voice platform agents', () => {
  it('Vapi: call id is the session, call/customer/phoneNumber never leave', async () => {
    const { request } = fixture('vapi');
    const text = await streamText('/agents/vapi-booking/chat/completions', request);
    expect(text).toContain(PII.email);
    expect(text).toContain(PII.phone);
    const sent = JSON.parse(openai.recorded[0]?.body ?? '{}') as Record<string, unknown>;
    expect(sent['call']).toBeUndefined();
    expect(sent['customer']).toBeUndefined();
    expect(sent['phoneNumber']).toBeUndefined();
    expect(openai.recorded[0]?.body).not.toContain('test-token-not-real');
    expect(openai.recorded[0]?.path).toBe('/v1/chat/completions');
    // A later turn of the same call: the model's earlier token resolves through the call's session.
    const later = { ...request, messages: [{ role: 'user', content: 'Send the summary to <<EMAIL_1>>' }] };
    expect(await streamText('/agents/vapi-booking/chat/completions', later)).toContain(PII.email);
    // Another call does not see that session.
    const other = { ...later, call: { id: 'another-call' } };
    expect(await streamText('/agents/vapi-booking/chat/completions', other)).not.toContain(PII.email);
  });

  it('ElevenLabs: conversation id from elevenlabs_extra_body, routed to its own upstream', async () => {
    const { request } = fixture('elevenlabs');
    const text = await streamText('/agents/eleven-support/v1/chat/completions', request);
    expect(text).toContain(PII.email);
    expect(vllm.recorded).toHaveLength(1);
    expect(openai.recorded).toHaveLength(0);
    expect(JSON.parse(vllm.recorded[0]?.body ?? '{}')).not.toHaveProperty('elevenlabs_extra_body');
    const later = { ...request, messages: [{ role: 'user', content: 'Call me back on <<PHONE_1>>' }] };
    expect(await streamText('/agents/eleven-support/v1/chat/completions', later)).toContain(PII.phone);
  });

  it('Bolna: plain chat completions, one scope per request', async () => {
    const { request } = fixture('bolna');
    const text = await streamText('/agents/bolna-sales/chat/completions', request);
    expect(text).toContain(PII.email);
    expect(openai.recorded[0]?.headers['authorization']).toBe('Bearer sk-platform');
  });

  it('an unknown agent is not served', async () => {
    const response = await fetch(`${gateway.url}/agents/nobody/chat/completions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('config: an agent on an unconfigured provider is an error', () => {
    expect(() => resolveConfig({ file: { agents: { a: { provider: 'vllm' } } } })).toThrow(/agents\.a\.provider/);
  });
});
