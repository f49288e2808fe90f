/**
 * Provider keys held by Veil, and the header each provider reads them from.
 *
 * Which key goes upstream, first that applies:
 * 1. the caller's own key in `x-veil-provider-key`, where the policy's `provider_access` entry
 *    allows it (`allow_caller_key`; refused with 403 otherwise) or the policy lists no providers;
 * 2. the policy's key for the provider (`provider_access.NAME.key_env`);
 * 3. the gateway's key (`providers.NAME.api_key` in veil.yaml or the provider SDK's usual
 *    environment variable; `OPENAI_API_KEY` / `upstream.api_key` for the OpenAI upstream only);
 * 4. nothing held: the client's own credential headers pass through unchanged (the default
 *    setup, auth disabled, where SDKs send their provider key as usual).
 * Steps 1-2 are the policy's (`policy/routes.ts`, `Admission.providerKey`), 3 is here. A held
 * key replaces every credential header the client sent (and Gemini's `?key=`), so two keys
 * never reach a provider.
 * Bedrock takes no key: requests are re-signed with the gateway's AWS identity
 * (`sigv4-upstream.ts`), and the client's signature is dropped.
 * @module
 */
import type { GatewayConfig } from './config.js';

/** Where each provider reads its key; every other (OpenAI-compatible) provider takes a bearer token. */
const KEY_HEADERS: Readonly<Record<string, string>> = {
  anthropic: 'x-api-key',
  azure: 'api-key',
  gemini: 'x-goog-api-key',
};

/** Providers whose requests Veil signs with its own identity instead of sending a key. */
const SIGNED_PROVIDERS = new Set(['bedrock']);

/** Client credential headers that a held key replaces. */
const CLIENT_CREDENTIALS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'] as const;

/** The environment variable each provider's own SDK reads its key from. */
export const KEY_ENV: Readonly<Record<string, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  azure: 'AZURE_OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

/** The header a provider reads its key from (lower case). */
export function keyHeaderOf(provider: string): string {
  return KEY_HEADERS[provider] ?? 'authorization';
}

/**
 * The key Veil sends to `provider`: the policy's (`Admission.providerKey`, steps 1-2 above),
 * else the gateway's own (step 3); undefined when the client's credential should pass (step 4)
 * and always for signed providers.
 */
export function providerKeyFor(
  provider: string,
  policyKey: string | undefined,
  config: Pick<GatewayConfig, 'providerKeys' | 'upstream'>,
): string | undefined {
  if (SIGNED_PROVIDERS.has(provider)) return undefined;
  // The gateway's OpenAI key belongs to the OpenAI upstream only, never to another provider.
  return policyKey ?? config.providerKeys?.[provider] ?? (provider === 'openai' ? config.upstream.apiKey : undefined);
}

/** Query parameters in which a provider also takes a key (Gemini: `?key=`). */
const QUERY_KEYS: Readonly<Record<string, string>> = { gemini: 'key' };

/**
 * `path` (with its query) without the client's key parameter, for requests that carry a key Veil
 * holds: the provider must not get two keys, and the client's must not win over the policy's.
 */
export function withoutQueryKey(provider: string, path: string): string {
  const name = QUERY_KEYS[provider];
  const at = path.indexOf('?');
  if (name === undefined || at === -1) return path;
  const params = new URLSearchParams(path.slice(at + 1));
  if (!params.has(name)) return path;
  params.delete(name);
  const rest = params.toString();
  return rest === '' ? path.slice(0, at) : `${path.slice(0, at)}?${rest}`;
}

/** Replaces every client credential in `headers` with `key`, in the header `provider` reads. */
export function setProviderKey(headers: Record<string, string>, provider: string, key: string): void {
  for (const name of CLIENT_CREDENTIALS) delete headers[name];
  const header = keyHeaderOf(provider);
  headers[header] = header === 'authorization' ? `Bearer ${key}` : key;
}
