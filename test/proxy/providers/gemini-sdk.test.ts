/**
 * Google Gemini through the official @google/genai SDK (httpOptions.baseUrl pointed at Veil)
 * against a recording mock of generativelanguage.googleapis.com: contents, system instruction,
 * function calls and responses go out masked; candidates come back with the originals, whole and
 * streamed (`alt=sse`).
 */
import { ApiError, GoogleGenAI, type Content } from '@google/genai';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leakedIn, PII, startGateway, type TestGateway } from '../helpers/gateway.js';
import { sendJson, startMockUpstream, tokensIn, writeEvents, type MockUpstream, type Recorded } from '../helpers/mock-upstream.js';

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
}

function candidateResponse(parts: unknown[], finishReason?: string): Record<string, unknown> {
  return {
    candidates: [{ index: 0, content: { role: 'model', parts }, ...(finishReason === undefined ? {} : { finishReason }) }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 5, totalTokenCount: 10 },
    modelVersion: 'gemini-2.5-flash',
  };
}

/** The mock model: echoes the tokens it saw; calls the first declared function with the first e-mail token. */
async function gemini(request: Recorded, res: ServerResponse): Promise<void> {
  const path = request.path.split('?')[0] ?? '';
  if (path.endsWith(':countTokens')) {
    sendJson(res, 200, { totalTokens: 11 });
    return;
  }
  const body = JSON.parse(request.body) as { tools?: { functionDeclarations?: { name: string }[] }[] };
  const tokens = tokensIn(request.body);
  const fn = body.tools?.[0]?.functionDeclarations?.[0]?.name;
  const text = `Seen: ${tokens.join(' ')}`;
  const call = fn === undefined ? undefined : { functionCall: { name: fn, args: { to: tokens.find((token) => token.startsWith('<<EMAIL')), nested: { phone: tokens.find((token) => token.startsWith('<<PHONE')) } } } };
  if (path.endsWith(':streamGenerateContent')) {
    const events = pieces(text, 6).map((piece) => `data: ${JSON.stringify(candidateResponse([{ text: piece }]))}\r\n\r\n`);
    events.push(`data: ${JSON.stringify(candidateResponse(call === undefined ? [{ text: '' }] : [call], 'STOP'))}\r\n\r\n`);
    await writeEvents(res, events);
    return;
  }
  sendJson(res, 200, candidateResponse(call === undefined ? [{ text }] : [{ text: 'Calling.' }, call], 'STOP'));
}

let mock: MockUpstream;
let gateway: TestGateway;
let ai: GoogleGenAI;

beforeAll(async () => {
  mock = await startMockUpstream(gemini);
  gateway = await startGateway({ config: { providers: { gemini: mock.url.replace(/\/v1$/, '') } }, upstream: { apiKey: 'sk-openai-gateway' } });
  ai = new GoogleGenAI({ apiKey: 'gemini-key-1', httpOptions: { baseUrl: gateway.url, timeout: 15_000 } });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

afterEach(() => {
  for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
  mock.recorded.length = 0;
  mock.handle(gemini);
});

const PROMPT = `Please email ${PII.email}, call ${PII.phone}, charge ${PII.card}, wire to ${PII.iban}.`;

describe('Gemini through @google/genai', () => {
  it('generateContent: contents and systemInstruction masked, the key passes, the answer is rehydrated', async () => {
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config: { systemInstruction: `Customer SSN ${PII.ssn}` } });
    for (const value of Object.values(PII)) expect(response.text).toContain(value);
    const seen = mock.recorded[0];
    expect(seen?.path.startsWith('/v1beta/models/gemini-2.5-flash:generateContent')).toBe(true);
    expect(seen?.headers['x-goog-api-key']).toBe('gemini-key-1');
    expect(seen?.headers['authorization']).toBeUndefined();
  });

  it('generateContentStream (alt=sse) is rehydrated chunk by chunk', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: PROMPT });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    for (const value of [PII.email, PII.phone, PII.card, PII.iban]) expect(text).toContain(value);
    expect(text).not.toMatch(/<<|>>/);
    expect(mock.recorded[0]?.path).toContain(':streamGenerateContent?alt=sse');
  });

  it('function calling round trip: functionCall.args and functionResponse.response masked out, args rehydrated back', async () => {
    const contents: Content[] = [
      { role: 'user', parts: [{ text: 'Find the customer' }] },
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: PII.email, list: [PII.card] } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { phone: PII.phone, iban: PII.iban } } }] },
    ];
    const config = { tools: [{ functionDeclarations: [{ name: 'send_email', description: 'Send an e-mail' }] }] };
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents, config });
    expect(response.functionCalls?.[0]?.args).toEqual({ to: PII.email, nested: { phone: PII.phone } });
    const sent = JSON.parse(mock.recorded[0]?.body ?? '{}') as { contents: { parts: { functionCall?: { args: unknown }; functionResponse?: { response: unknown } }[] }[] };
    expect(sent.contents[1]?.parts[0]?.functionCall?.args).toEqual({ q: '<<EMAIL_1>>', list: ['<<CREDIT_CARD_1>>'] });
    expect(sent.contents[2]?.parts[0]?.functionResponse?.response).toEqual({ phone: '<<PHONE_1>>', iban: '<<IBAN_1>>' });

    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents, config });
    let args: unknown;
    for await (const chunk of stream) args = chunk.functionCalls?.[0]?.args ?? args;
    expect(args).toEqual({ to: PII.email, nested: { phone: PII.phone } });
  });

  it('countTokens goes out masked', async () => {
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: PROMPT });
    expect(count.totalTokens).toBe(11);
    expect(mock.recorded[0]?.body).toContain('<<EMAIL_1>>');
  });

  it('the key in the query passes through', async () => {
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent?key=query-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: PROMPT }] }] }),
    });
    expect(response.status).toBe(200);
    expect(mock.recorded[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent?key=query-key');
  });

  it('gateway errors come in Google\'s error shape', async () => {
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body: JSON.stringify({ contents: 'x' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const error = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 5 as unknown as string }] }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain('contents[0].parts[0].text');
    expect(mock.recorded).toHaveLength(0);
  });
});
