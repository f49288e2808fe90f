/**
 * The Bedrock upstream: a masked body is a new body, so the client's SigV4 signature (made for
 * Veil's host and the original body) cannot be forwarded. Every request is signed again here
 * with the gateway's AWS credentials (the standard AWS environment variables) for the
 * upstream's host, then sent through the ordinary HTTP upstream.
 * @module
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { AwsCredentials } from './config.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from './upstream.js';

/** Headers a client signed for Veil; the new signature replaces them. */
const CLIENT_SIGNING = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);
/** Headers covered by the new signature besides `host` and `x-amz-*`. */
const SIGNED = new Set(['host', 'content-type', 'content-length', 'accept']);

/** `bedrock-runtime.eu-west-1.amazonaws.com` → `eu-west-1`. */
export function regionOfHost(hostname: string): string | undefined {
  return /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(hostname)?.[1];
}

export class SigV4Upstream implements Upstream {
  readonly kind = 'http' as const;
  readonly describe: string;
  private readonly inner: Upstream;
  private readonly url: URL;
  private readonly signer: SignatureV4 | undefined;

  constructor(inner: Upstream, base: string, credentials: AwsCredentials | undefined) {
    this.inner = inner;
    this.url = new URL(base);
    this.describe = `${inner.describe} (SigV4)`;
    const region = credentials?.region ?? regionOfHost(this.url.hostname);
    this.signer =
      credentials === undefined || region === undefined
        ? undefined
        : new SignatureV4({
            credentials: {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: credentials.secretAccessKey,
              ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
            },
            region,
            service: 'bedrock',
            sha256: Sha256,
          });
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    if (this.signer === undefined) {
      throw new VeilError(VeilErrorCode.Config, 'Bedrock needs AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and a region (AWS_REGION).');
    }
    const body = request.body;
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      throw new VeilError(VeilErrorCode.Internal, 'A signed request needs its whole body.');
    }
    const query = request.path.indexOf('?');
    const path = query === -1 ? request.path : request.path.slice(0, query);
    const basePath = this.url.pathname.replace(/\/+$/, '');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (!CLIENT_SIGNING.has(name)) headers[name] = value;
    headers['host'] = this.url.host;
    const unsignable = new Set(Object.keys(headers).filter((name) => !SIGNED.has(name) && !name.startsWith('x-amz-')));
    const signed = await this.signer.sign(
      {
        method: request.method,
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        ...(this.url.port === '' ? {} : { port: Number(this.url.port) }),
        path: `${basePath}${path}`,
        query: Object.fromEntries(new URLSearchParams(query === -1 ? '' : request.path.slice(query + 1))),
        headers,
        body: body ?? '',
      },
      { unsignableHeaders: unsignable },
    );
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') out[name] = String(value);
    return this.inner.request({ ...request, headers: out });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
