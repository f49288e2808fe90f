/**
 * The guarantee: requests full of personal data go through the telemetry recorder (audit
 * event, metrics, trace), and none of the values appears in any audit file, metric or span.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/span.js';
import type { Detector } from '../../src/detect/detector.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { mask } from '../../src/pipeline/mask.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { VeilTracer } from '../../src/observability/tracing.js';

const root = mkdtempSync(join(tmpdir(), 'veil-telemetry-pii-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VALUES = {
  PERSON: ['Maria Lopez', 'Jonathan Whitfield'],
  EMAIL: ['maria.lopez@example.com', 'j.whitfield@corp.example'],
  SSN: ['078-05-1120', '219-09-9999'],
  CREDIT_CARD: ['4111 1111 1111 1111'],
  PHONE: ['+1 415 555 0132'],
} as const;
const ALL_VALUES = Object.values(VALUES).flat();

/** A detector that finds exactly the values above: the test is about what happens after detection. */
const listDetector: Detector = {
  id: 'test.list',
  tier: 'rules',
  types: Object.keys(VALUES),
  detect(text: string): Span[] {
    const spans: Span[] = [];
    for (const [type, values] of Object.entries(VALUES)) {
      for (const value of values) {
        let at = text.indexOf(value);
        while (at !== -1) {
          spans.push({ start: at, end: at + value.length, type, score: 1, detector: 'test.list' });
          at = text.indexOf(value, at + 1);
        }
      }
    }
    return spans;
  },
};

describe('telemetry never stores raw personal data', () => {
  it('audit files, metrics and spans hold counts, types and token ids only', async () => {
    const dataDir = join(root, 'data');
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const telemetry = await Telemetry.open({
      dataDir,
      env: {},
      tracer: new VeilTracer({ tracer: provider.getTracer('veil') }),
      audit: { checkpointEvery: 3 },
    });
    const engine = new DetectionEngine({ detectors: [listDetector] });
    const texts = [
      `Patient Maria Lopez (SSN 078-05-1120, maria.lopez@example.com) called from +1 415 555 0132.`,
      `Forward the invoice for card 4111 1111 1111 1111 to Jonathan Whitfield <j.whitfield@corp.example>, SSN 219-09-9999.`,
    ];
    for (let i = 0; i < 6; i += 1) {
      const request = telemetry.begin({
        route: '/v1/chat/completions',
        provider: 'openai',
        tenant: 'acme',
        principal: { key_id: 'key_app1', role: 'app' },
        policyVersion: 'sha256:0f0f',
      });
      const scope = new MemoryTokenScope('acme');
      const result = await request.stage('detect', () => mask(texts, { engine, scope }), 'rules');
      request.masked(result);
      request.leakGate(i === 5 ? 'tripped' : 'pass');
      // A client may put anything in `model`; it must not reach the log as is.
      request.finish({ status: i === 5 ? 500 : 200, upstreamStatus: i === 5 ? null : 200, model: i === 4 ? 'notes for Maria Lopez' : 'gpt-4o-mini' });
    }
    const metricsText = (await telemetry.metrics.render()).body;
    await telemetry.close();

    const auditDir = join(dataDir, 'audit');
    const auditText = readdirSync(auditDir)
      .map((name) => readFileSync(join(auditDir, name), 'utf8'))
      .join('\n');
    const spansText = JSON.stringify(exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })));

    for (const value of ALL_VALUES) {
      for (const [where, text] of [
        ['audit', auditText],
        ['metrics', metricsText],
        ['spans', spansText],
      ] as const) {
        expect(text.includes(value), `${value} in ${where}`).toBe(false);
        // Also no fragment long enough to identify (last name, local part, SSN digits).
        for (const part of value.split(/[ @.<>()-]/).filter((piece) => piece.length >= 5)) {
          expect(text.includes(part), `${part} of ${value} in ${where}`).toBe(false);
        }
      }
    }
    // What is there instead: counts and token ids.
    const events = auditText
      .split('\n')
      .filter((line) => line.includes('"kind":"request"'))
      .map((line) => JSON.parse(line) as { entities: Record<string, { mask?: number }>; token_ids: string[]; model: string; leak_gate: string });
    expect(events).toHaveLength(6);
    expect(events[0]?.entities).toEqual({ PERSON: { mask: 2 }, EMAIL: { mask: 2 }, SSN: { mask: 2 }, CREDIT_CARD: { mask: 1 }, PHONE: { mask: 1 } });
    expect(events[0]?.token_ids).toEqual(expect.arrayContaining(['PERSON_1', 'EMAIL_1', 'SSN_2']));
    expect(events[4]?.model).toBe('other');
    expect(events[5]?.leak_gate).toBe('tripped');
    expect(metricsText).toContain('veil_entities_total{type="SSN",action="mask"} 12');
    expect(metricsText).toContain('veil_leak_gate_trips_total{route="/v1/chat/completions",provider="openai"} 1');
    expect(metricsText).not.toMatch(/PERSON_1|EMAIL_1/);
    expect(spansText).toContain('"veil.entities.SSN.mask":2');
  });

  it('finish() never throws: odd ids are stored as other, a closed log is reported', async () => {
    const errors: unknown[] = [];
    const dataDir = join(root, 'odd');
    const telemetry = await Telemetry.open({ dataDir, env: {}, audit: { onError: (error) => errors.push(error) } });
    const odd = telemetry.begin({
      route: '/v1/chat/completions?user=Maria Lopez',
      provider: 'open ai',
      tenant: 'Maria Lopez',
      principal: { key_id: 'key 1', role: 'app' },
      requestId: 'client supplied id',
    });
    expect(() => odd.finish({ status: 200, model: 'gpt-4o-mini' })).not.toThrow();
    await telemetry.close();
    const late = telemetry.begin({ route: '/v1/chat/completions', provider: 'openai', tenant: 'acme' });
    expect(() => late.finish({ status: 200 })).not.toThrow();
    expect(errors).toHaveLength(1);
    const text = readdirSync(join(dataDir, 'audit'))
      .map((name) => readFileSync(join(dataDir, 'audit', name), 'utf8'))
      .join('');
    expect(text).not.toContain('Maria');
    expect(text).toContain('"route":"/other"');
    expect(text).toContain('"tenant":"other"');
    expect(text).toContain('"principal":{"key_id":null,"role":"app"}');
  });

  it('serves GET /metrics and GET /v1/veil/audit/verify', async () => {
    const telemetry = await Telemetry.open({ dataDir: join(root, 'http'), env: {} });
    const request = telemetry.begin({ route: '/v1/chat/completions', provider: 'openai', tenant: 'acme' });
    request.finish({ status: 200, upstreamStatus: 200 });
    const metrics = telemetry.metricsHandler();
    const verify = telemetry.auditVerifyHandler();
    const server = createServer((req, res) => (req.url?.startsWith('/metrics') === true ? metrics(req, res) : verify(req, res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const verified = await fetch(`http://127.0.0.1:${port}/v1/veil/audit/verify`);
      expect(verified.status).toBe(200);
      expect(await verified.json()).toMatchObject({ ok: true, event_count: 1, first_bad_event: null });
      const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(scraped).toContain('veil_requests_total{route="/v1/chat/completions",provider="openai",status="200"} 1');
      expect(scraped).toContain('veil_audit_events_written_total 1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await telemetry.close();
    }
  });
});
