/**
 * AWS Bedrock Converse and ConverseStream through @aws-sdk/client-bedrock-runtime pointed at Veil.
 * The local upstream checks the SigV4 signature with the gateway's credentials (the body was
 * masked, so the request must be re-signed) and answers in JSON or the binary event stream.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type Message } from '@aws-sdk/client-bedrock-runtime';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/proxy/config.js';
import { leakedIn, PII, startGateway, type TestGateway } from '../helpers/gateway.js';
import { sendJson, startMockUpstream, tokensIn, type MockUpstream, type Recorded } from '../helpers/mock-upstream.js';

const GATEWAY_CREDENTIALS = { accessKeyId: 'AKIAGATEWAY', secretAccessKey: 'gateway-secret' };
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** Recomputes the request's SigV4 signature with the gateway's credentials. */
async function signatureValid(request: Recorded): Promise<boolean> {
  const authorization = String(request.headers['authorization'] ?? '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  if (!authorization.includes(`Credential=${GATEWAY_CREDENTIALS.accessKeyId}/`) || signature === undefined) return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
  const [path = '', query = ''] = request.path.split('?');
  const date = String(request.headers['x-amz-date']);
  const signer = new SignatureV4({ credentials: GATEWAY_CREDENTIALS, region: 'us-east-1', service: 'bedrock', sha256: Sha256 });
  const [host, port] = (headers['host'] ?? '').split(':');
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: host ?? '', ...(port === undefined ? {} : { port: Number(port) }), path, query: Object.fromEntries(new URLSearchParams(query)), headers, body: request.body },
    { signingDate: new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`) },
  );
  return String(signed.headers['authorization']).endsWith(`Signature=${signature}`);
}

function streamMessage(eventType: string, payload: unknown): Buffer {
  return Buffer.from(
    codec.encode({
      headers: { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: eventType }, ':content-type': { type: 'string', value: 'application/json' } },
      body: new Uint8Array(Buffer.from(JSON.stringify(payload))),
    }),
  );
}

async function bedrock(request: Recorded, res: ServerResponse): Promise<void> {
  if (!(await signatureValid(request))) {
    sendJson(res, 403, { message: 'The request signature we calculated does not match the signature you provided.' }, { 'x-amzn-errortype': 'InvalidSignatureException' });
    return;
  }
  const tokens = tokensIn(request.body);
  const text = `Seen: ${tokens.join(' ')}`;
  const input = { to: tokens.find((token) => token.startsWith('<<EMAIL')), phone: tokens.find((token) => token.startsWith('<<PHONE')) };
  if (request.path.endsWith('/converse-stream')) {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    const messages = [streamMessage('messageStart', { role: 'assistant' })];
    for (let at = 0; at < text.length; at += 5) messages.push(streamMessage('contentBlockDelta', { contentBlockIndex: 0, delta: { text: text.slice(at, at + 5) } }));
    messages.push(streamMessage('contentBlockStop', { contentBlockIndex: 0 }));
    messages.push(streamMessage('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'send' } } }));
    const args = JSON.stringify(input);
    for (let at = 0; at < args.length; at += 4) messages.push(streamMessage('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: args.slice(at, at + 4) } } }));
    messages.push(streamMessage('contentBlockStop', { contentBlockIndex: 1 }), streamMessage('messageStop', { stopReason: 'tool_use' }));
    messages.push(streamMessage('metadata', { usage: { inputTokens: 5, outputTokens: 5, totalTokens: 10 }, metrics: { latencyMs: 100 } }));
    // Written in odd-sized pieces: messages are split across network chunks.
    const all = Buffer.concat(messages);
    for (let at = 0; at < all.length; at += 37) {
      res.write(all.subarray(at, at + 37));
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
    return;
  }
  sendJson(res, 200, {
    output: { message: { role: 'assistant', content: [{ text }, { toolUse: { toolUseId: 'tooluse_1', name: 'send', input } }] } },
    stopReason: 'tool_use',
    usage: { inputTokens: 5, outputTokens: 5, totalTokens: 10 },
    metrics: { latencyMs: 100 },
  });
}

let mock: MockUpstream;
let gateway: TestGateway;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  mock = await startMockUpstream(bedrock);
  const base = mock.url.replace(/\/v1$/, '');
  const config = resolveConfig({ env: { AWS_ACCESS_KEY_ID: GATEWAY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: GATEWAY_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' } });
  gateway = await startGateway({ config: { providers: { bedrock: base }, ...(config.aws === undefined ? {} : { aws: config.aws }) } });
  client = new BedrockRuntimeClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIACLIENT', secretAccessKey: 'client-secret' }, maxAttempts: 1,
    // Veil serves HTTP/1.1; this client defaults to HTTP/2 (for its bidirectional stream operation).
    requestHandler: new NodeHttpHandler(),
  });
});

afterAll(async () => {
  client.destroy();
  await gateway.close();
  await mock.close();
});

afterEach(() => {
  for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
  mock.recorded.length = 0;
});

const PROMPT = `Please email ${PII.email}, call ${PII.phone}, charge ${PII.card}.`;
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

const messages: Message[] = [
  { role: 'user', content: [{ text: PROMPT }] },
  { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_0', name: 'lookup', input: { iban: PII.iban, list: [PII.ssn] } } }] },
  { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_0', content: [{ text: `found ${PII.email}` }, { json: { card: PII.card } }] } }] },
];

describe('Bedrock Converse through @aws-sdk/client-bedrock-runtime', () => {
  it('converse: masked, re-signed with the gateway credentials, rehydrated', async () => {
    const result = await client.send(new ConverseCommand({ modelId: MODEL, system: [{ text: `Customer ${PII.email}` }], messages }));
    const content = result.output?.message?.content ?? [];
    expect(content[0]?.text).toContain(PII.email);
    expect(content[0]?.text).toContain(PII.iban);
    expect(content[1]?.toolUse?.input).toEqual({ to: PII.email, phone: PII.phone });
    const seen = mock.recorded[0];
    expect(seen?.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(String(seen?.headers['authorization'])).toContain('Credential=AKIAGATEWAY/');
    const sent = JSON.parse(seen?.body ?? '{}') as { messages: { content: { toolUse?: { input: unknown } }[] }[] };
    expect(sent.messages[1]?.content[0]?.toolUse?.input).toEqual({ iban: '<<IBAN_1>>', list: ['<<SSN_1>>'] });
  });

  it('converseStream: the event stream is decoded, rehydrated per block and re-encoded', async () => {
    const result = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages }));
    let text = '';
    let input = '';
    let stop: string | undefined;
    for await (const event of result.stream ?? []) {
      text += event.contentBlockDelta?.delta?.text ?? '';
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? '';
      stop = event.messageStop?.stopReason ?? stop;
    }
    expect(text).toContain(PII.email);
    expect(text).toContain(PII.card);
    expect(text).not.toMatch(/<<|>>/);
    expect(JSON.parse(input)).toEqual({ to: PII.email, phone: PII.phone });
    expect(stop).toBe('tool_use');
  });

  it('gateway errors come in the AWS error shape', async () => {
    const error = await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: 'x' as unknown as [] }] })).catch((caught: unknown) => caught);
    expect((error as { name?: string }).name).toBe('ValidationException');
    expect(mock.recorded).toHaveLength(0);
  });
});
