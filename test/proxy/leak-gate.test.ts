/** The leak gate fails closed whenever a masked value would still leave, whatever put it there. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countLeaks } from '../../src/proxy/leak-gate.js';
import { openaiChatAdapter } from '../../src/proxy/providers/openai/chat-completions.js';
import type { ProviderAdapter } from '../../src/proxy/providers/provider-adapter.js';
import { PII, startGateway, type TestGateway } from './helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from './helpers/mock-upstream.js';

describe('countLeaks', () => {
  it('finds exact, JSON-escaped, digits-only and lower-case forms', () => {
    expect(countLeaks(`{"a":"${PII.email}"}`, [PII.email])).toBe(1);
    expect(countLeaks('{"a":"MARIA.GARCIA@EXAMPLE.COM"}', [PII.email])).toBe(1);
    expect(countLeaks('{"card":"4111111111111111"}', [PII.card])).toBe(1);
    expect(countLeaks('{"n":"Ann \\"Bo\\" Lee"}', ['Ann "Bo" Lee'])).toBe(1);
    expect(countLeaks('{"a":"<<EMAIL_1>> and <<CREDIT_CARD_1>>"}', [PII.email, PII.card])).toBe(0);
  });

  it('needs word boundaries', () => {
    expect(countLeaks('Annual report', ['Ann'])).toBe(0);
    expect(countLeaks('order 94111111111111111113', [PII.card])).toBe(0);
    expect(countLeaks('Dear Ann,', ['Ann'])).toBe(1);
  });
});

describe('the gate in the gateway', () => {
  let mock: MockUpstream;
  let gateway: TestGateway;
  // An adapter bug: it forgets to write the masked texts back.
  const forgetful: ProviderAdapter = {
    ...openaiChatAdapter,
    extract: (body) => {
      const extraction = openaiChatAdapter.extract(body);
      return { texts: extraction.texts, slots: [], finalizers: [], unscanned: 0 };
    },
  };

  beforeAll(async () => {
    mock = await startMockUpstream();
    gateway = await startGateway({ upstreamUrl: mock.url, adapters: { '/v1/completions': forgetful } });
  });

  afterAll(async () => {
    await gateway.close();
    await mock.close();
  });

  async function expectStopped(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(500);
    const payload = (await response.json()) as { error: { code: string; message: string } };
    expect(payload.error.code).toBe('veil_leak_prevented');
    expect(payload.error.message).not.toContain(PII.email);
    expect(mock.recorded).toHaveLength(0);
  }

  it('stops a value repeated in a field that extraction does not read', async () => {
    await expectStopped('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: `Mail ${PII.email}` }],
      metadata: { note: PII.email.toUpperCase() },
    });
  });

  it('stops a card repeated without separators in a tool schema', async () => {
    await expectStopped('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: `Card ${PII.card}` }],
      tools: [{ type: 'function', function: { name: 'pay', description: 'default card 4111111111111111', parameters: {} } }],
    });
  });

  it('stops a simulated adapter bug', async () => {
    await expectStopped('/v1/completions', { model: 'm', messages: [{ role: 'user', content: `Mail ${PII.email}` }] });
  });
});
