/** Starts a gateway on 127.0.0.1:0 for a test, in front of a given upstream URL (or the demo). */
import { Veil } from '../../../src/engine.js';
import { resolveConfig, type GatewayConfig, type UpstreamConfig } from '../../../src/proxy/config.js';
import type { ProviderAdapter } from '../../../src/proxy/providers/provider-adapter.js';
import { Gateway } from '../../../src/proxy/server.js';

export interface TestGateway {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly gateway: Gateway;
  readonly veil: Veil;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly upstreamUrl?: string;
  readonly veil?: Veil;
  readonly config?: Partial<Omit<GatewayConfig, 'upstream'>>;
  readonly upstream?: Partial<UpstreamConfig>;
  readonly adapters?: Record<string, ProviderAdapter>;
}

export async function startGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const base = resolveConfig({ flags: { port: 0, ...(options.upstreamUrl === undefined ? {} : { upstream: options.upstreamUrl }) } });
  const config: GatewayConfig = {
    ...base,
    ...options.config,
    upstream: { ...base.upstream, connectTimeoutMs: 2_000, firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000, ...options.upstream },
  };
  const veil = options.veil ?? new Veil();
  const gateway = new Gateway({ veil, config, ...(options.adapters === undefined ? {} : { adapters: options.adapters }) });
  const address = await gateway.listen();
  return { url: address.url, gateway, veil, close: () => gateway.close(500) };
}

/** Personal values the default rule detectors catch. */
export const PII = {
  email: 'maria.garcia@example.com',
  phone: '+1 415 555 0132',
  card: '4111 1111 1111 1111',
  iban: 'GB82 WEST 1234 5698 7654 32',
  ssn: '123-45-6789',
} as const;

/** Every PII value and its digits-only / lower-case forms. */
export function piiForms(values: readonly string[] = Object.values(PII)): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    forms.add(value);
    forms.add(value.toLowerCase());
    const digits = value.replace(/\D/g, '');
    if (digits.length >= 7) forms.add(digits);
  }
  return [...forms];
}

/** Asserts (by returning the offenders) that none of the PII forms appear in `text`. */
export function leakedIn(text: string, values: readonly string[] = Object.values(PII)): string[] {
  const lower = text.toLowerCase();
  const compact = text.replace(/[\s-]/g, '');
  return piiForms(values).filter((form) => text.includes(form) || lower.includes(form) || compact.includes(form.replace(/[\s-]/g, '')));
}
