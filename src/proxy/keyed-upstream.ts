/**
 * A provider key held by the gateway (veil.yaml `providers.NAME.api_key`, or the provider's usual
 * environment variable) replaces whatever credential the client sent, in the header that
 * provider reads. Without one, the client's own credential headers pass through.
 * @module
 */
import type { Upstream, UpstreamRequest, UpstreamResponse } from './upstream.js';

/** Where each provider reads its key; OpenAI-compatible routes use a bearer token. */
const KEY_HEADERS: Readonly<Record<string, string>> = {
  anthropic: 'x-api-key',
  azure: 'api-key',
  gemini: 'x-goog-api-key',
};

/** Client credential headers that the held key replaces. */
const CLIENT_CREDENTIALS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'];

/** The environment variable each provider's own SDK reads its key from. */
export const KEY_ENV: Readonly<Record<string, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  azure: 'AZURE_OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

export class KeyedUpstream implements Upstream {
  readonly kind = 'http' as const;
  readonly describe: string;
  private readonly inner: Upstream;
  private readonly header: string;
  private readonly value: string;

  constructor(inner: Upstream, provider: string, key: string) {
    this.inner = inner;
    this.describe = inner.describe;
    this.header = KEY_HEADERS[provider] ?? 'authorization';
    this.value = this.header === 'authorization' ? `Bearer ${key}` : key;
  }

  request(request: UpstreamRequest): Promise<UpstreamResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (!CLIENT_CREDENTIALS.includes(name)) headers[name] = value;
    headers[this.header] = this.value;
    return this.inner.request({ ...request, headers });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
