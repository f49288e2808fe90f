/**
 * Bedrock routes lend the gateway's AWS identity (requests are re-signed with its credentials),
 * so only admitted callers may use them: with auth required, a valid Veil credential and a
 * policy that lists `bedrock` under provider_access; with auth disabled, loopback clients only.
 * The client's own SigV4 signature is never forwarded. Driven with
 * @aws-sdk/client-bedrock-runtime against a local upstream that checks the signature.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Sha256 } from '@aws-crypto/sha256-js';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { networkInterfaces } from 'node:os';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { hashApiKey } from '../../src/policy/keys.js';
import { parsePolicy } from '../../src/policy/load.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { sendJson, startMockUpstream, tokensIn, type MockUpstream, type Recorded } from '../proxy/helpers/mock-upstream.js';

const GATEWAY_AWS = { accessKeyId: 'AKIAGATEWAY', secretAccessKey: 'gateway-secret' };
const CLIENT_AWS = { accessKeyId: 'AKIACLIENT', secretAccessKey: 'client-secret' };
const VEIL_KEY = 'veil_test_acme_bedrock';
const EMAIL = 'maria.garcia@example.com';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

/** Recomputes the SigV4 signature of a recorded request with the gateway's credentials. */
async function signedByGateway(request: Recorded): Promise<boolean> {
  const authorization = String(request.headers['authorization'] ?? '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  if (!authorization.includes(`Credential=${GATEWAY_AWS.accessKeyId}/`) || signature === undefined) return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
  const date = String(request.headers['x-amz-date']);
  const [host = '', port] = (headers['host'] ?? '').split(':');
  const signer = new SignatureV4({ credentials: GATEWAY_AWS, region: 'us-east-1', service: 'bedrock', sha256: Sha256 });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: host, ...(port === undefined ? {} : { port: Number(port) }), path: request.path, headers, body: request.body },
    { signingDate: new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`) },
  );
  return String(signed.headers['authorization']).endsWith(`Signature=${signature}`);
}

async function converse(request: Recorded, res: ServerResponse): Promise<void> {
  if (!(await signedByGateway(request))) {
    sendJson(res, 403, { message: 'signature mismatch' }, { 'x-amzn-errortype': 'InvalidSignatureException' });
    return;
  }
  sendJson(res, 200, {
    output: { message: { role: 'assistant', content: [{ text: `Seen: ${tokensIn(request.body).join(' ')}` }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    metrics: { latencyMs: 1 },
  });
}

let mock: MockUpstream;
const gateways: Gateway[] = [];

async function start(policy: string, host = '127.0.0.1'): Promise<number> {
  const env = { AWS_ACCESS_KEY_ID: GATEWAY_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: GATEWAY_AWS.secretAccessKey, AWS_REGION: 'us-east-1' };
  const config = resolveConfig({ flags: { port: 0, host, providers: { bedrock: mock.url.replace(/\/v1$/, '') } }, env });
  const gateway = new Gateway({ veil: new Veil(), config, policy: staticPolicySource(parsePolicy(policy)), env: {} });
  gateways.push(gateway);
  return (await gateway.listen()).port;
}

/** The Bedrock SDK as a user configures it: its own AWS credentials, plus the Veil key header. */
function client(url: string, veilKey?: string): BedrockRuntimeClient {
  const sdk = new BedrockRuntimeClient({ endpoint: url, region: 'us-east-1', credentials: CLIENT_AWS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
  if (veilKey !== undefined) {
    sdk.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-veil-key'] = veilKey;
        return next(args);
      },
      { step: 'build', name: 'veilKey' },
    );
  }
  return sdk;
}

/** Sends one Converse call; resolves to the answer text, or the AWS error name and status. */
async function ask(sdk: BedrockRuntimeClient): Promise<{ text?: string; error?: string; status?: number }> {
  try {
    const result = await sdk.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: `Mail ${EMAIL}` }] }] }));
    return { text: result.output?.message?.content?.[0]?.text ?? '' };
  } catch (error: unknown) {
    const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { error: failure.name ?? 'unknown', status: failure.$metadata?.httpStatusCode ?? 0 };
  } finally {
    sdk.destroy();
  }
}

const TENANTS = `
tenants:
  - id: acme
    keys: [{ id: acme-app, hash: '${hashApiKey(VEIL_KEY)}', roles: [app] }]
`;

beforeAll(async () => {
  mock = await startMockUpstream(converse);
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close(500);
  await mock.close();
});

describe('Bedrock with auth required', () => {
  let allowed: string;
  let unlisted: string;
  let open: string;
  beforeAll(async () => {
    allowed = `http://127.0.0.1:${await start(`${TENANTS}provider_access:\n  bedrock: {}\n`)}`;
    unlisted = `http://127.0.0.1:${await start(`${TENANTS}provider_access:\n  openai: {}\n`)}`;
    open = `http://127.0.0.1:${await start(TENANTS)}`;
  });

  it('refuses a caller without a Veil credential (401, AWS error shape), and one with a wrong key', async () => {
    mock.recorded.length = 0;
    expect(await ask(client(allowed))).toEqual({ error: 'UnrecognizedClientException', status: 401 });
    expect(await ask(client(allowed, 'veil_not_a_key_of_this_gateway'))).toEqual({ error: 'UnrecognizedClientException', status: 401 });
    expect(mock.recorded).toHaveLength(0);
  });

  it('refuses an authenticated caller when provider_access does not list bedrock, also when it lists nothing (403)', async () => {
    mock.recorded.length = 0;
    expect(await ask(client(unlisted, VEIL_KEY))).toEqual({ error: 'AccessDeniedException', status: 403 });
    expect(await ask(client(open, VEIL_KEY))).toEqual({ error: 'AccessDeniedException', status: 403 });
    expect(mock.recorded).toHaveLength(0);
  });

  it("admits a listed caller: masked, signed by the gateway only, the client's signature and Veil key dropped", async () => {
    mock.recorded.length = 0;
    expect(await ask(client(allowed, VEIL_KEY))).toEqual({ text: `Seen: ${EMAIL}` });
    const seen = mock.recorded[0] as Recorded;
    expect(seen.body).not.toContain(EMAIL);
    expect(await signedByGateway(seen)).toBe(true);
    expect(JSON.stringify(seen.headers)).not.toContain(CLIENT_AWS.accessKeyId);
    expect(seen.headers['x-veil-key']).toBeUndefined();
  });
});

describe('Bedrock with auth disabled', () => {
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;
  let port: number;
  beforeAll(async () => {
    port = await start('auth: { mode: disabled }\n', '0.0.0.0');
  });

  it('serves loopback clients', async () => {
    expect(await ask(client(`http://127.0.0.1:${port}`))).toEqual({ text: `Seen: ${EMAIL}` });
  });

  // Needs an address of this machine that is not loopback (containers and CI runners have one).
  it.skipIf(outside === undefined)('refuses a client that is not on loopback (403)', async () => {
    mock.recorded.length = 0;
    expect(await ask(client(`http://${outside ?? ''}:${port}`))).toEqual({ error: 'AccessDeniedException', status: 403 });
    expect(mock.recorded).toHaveLength(0);
  });
});
