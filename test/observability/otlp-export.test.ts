/**
 * Tracing switched on by the standard OTEL_* variables exports the spans of a gateway request
 * over OTLP/HTTP: a local collector started by the test receives the request span and its stage
 * spans, under the configured service name, with the configured headers, and nothing in the
 * export carries a personal value from the request.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { otlpOptions } from '../../src/observability/tracing.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { leakedIn, PII } from '../proxy/helpers/gateway.js';
import { startMockUpstream } from '../proxy/helpers/mock-upstream.js';

const root = mkdtempSync(join(tmpdir(), 'veil-otlp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
  readonly boolValue?: boolean;
  readonly doubleValue?: number;
}
interface OtlpSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes: readonly { readonly key: string; readonly value: OtlpValue }[];
}
interface OtlpExport {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly { readonly key: string; readonly value: OtlpValue }[] };
    readonly scopeSpans: readonly { readonly spans: readonly OtlpSpan[] }[];
  }[];
}

/** A stand-in OTLP/HTTP collector: keeps what is POSTed to /v1/traces. */
async function startCollector(): Promise<{ url: string; received: { path: string; headers: IncomingHttpHeaders; body: string }[]; close: () => Promise<void> }> {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('OTLP trace export', () => {
  it('sends the spans of one gateway request to the collector named by OTEL_* variables', async () => {
    const collector = await startCollector();
    const mock = await startMockUpstream();
    const telemetry = await Telemetry.open({
      dataDir: join(root, 'data'),
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k%201',
        OTEL_SERVICE_NAME: 'veil-under-test',
      },
    });
    const gateway = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0, upstream: mock.url } }), telemetry });
    const { url } = await gateway.listen();
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Mail ${PII.email}, card ${PII.card}, phone ${PII.phone}` }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(PII.email);
    } finally {
      await gateway.close(500);
      // Shutdown flushes the batch processor: the export has arrived when this resolves.
      await telemetry.close();
      await mock.close();
      await collector.close();
    }

    expect(collector.received.length).toBeGreaterThan(0);
    expect(collector.received.every((entry) => entry.path === '/v1/traces')).toBe(true);
    expect(collector.received[0]?.headers['x-collector-key']).toBe('k 1');
    expect(collector.received[0]?.headers['content-type']).toContain('application/json');
    const exports = collector.received.map((entry) => JSON.parse(entry.body) as OtlpExport);
    const resources = exports.flatMap((body) => body.resourceSpans);
    expect(resources[0]?.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'veil-under-test' } });
    const spans = resources.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    expect(spans.map((span) => span.name).sort()).toEqual(['veil.auth', 'veil.detect', 'veil.policy', 'veil.rehydrate', 'veil.request', 'veil.upstream', 'veil.vault']);
    const request = spans.find((span) => span.name === 'veil.request');
    for (const child of spans.filter((span) => span !== request)) {
      expect(child.traceId).toBe(request?.traceId);
      expect(child.parentSpanId).toBe(request?.spanId);
    }
    const attributes = Object.fromEntries((request?.attributes ?? []).map(({ key, value }) => [key, value]));
    expect(attributes['veil.route']).toEqual({ stringValue: '/v1/chat/completions' });
    expect(attributes['veil.entities.EMAIL.mask']).toEqual({ intValue: 1 });
    expect(attributes['http.response.status_code']).toEqual({ intValue: 200 });
    // Counts and types only: no value of the request in any attribute (or anywhere in the export).
    expect(leakedIn(collector.received.map((entry) => entry.body).join('\n'))).toEqual([]);
  });

  it('reads the endpoint and headers from the given environment', () => {
    expect(otlpOptions({})).toEqual({});
    expect(otlpOptions({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ url: 'http://collector:4318/v1/traces' });
    expect(
      otlpOptions({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2, c = x%3Dy ',
      }),
    ).toEqual({ url: 'http://traces:4318/custom', headers: { b: '2', c: 'x=y' } });
  });
});
