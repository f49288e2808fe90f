/**
 * The gateway times `upstream` (request sent → response headers) and `rehydrate` (response
 * headers → last byte written) as separate stages, and reports both in the three places a
 * request is recorded: the stage histogram, child spans of the request span, and the audit
 * event's `stage_ms`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { VeilTracer } from '../../src/observability/tracing.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { chatCompletion, chunk, sendJson, startMockUpstream, tokensIn } from '../proxy/helpers/mock-upstream.js';

const root = mkdtempSync(join(tmpdir(), 'veil-stage-timings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Lower bounds only: the mock waits this long, so a stage that covers the wait cannot be shorter. */
const WAIT_MS = 40;
const AT_LEAST_MS = 30;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('upstream and rehydrate stage timings', () => {
  it('are in the stage histogram, the trace and the audit event', async () => {
    const dataDir = join(root, 'data');
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const telemetry = await Telemetry.open({ dataDir, env: {}, tracer: new VeilTracer({ tracer: provider.getTracer('veil') }) });
    // JSON: the wait is before the headers (upstream stage). Stream: headers at once, the wait is
    // before the events (rehydrate stage).
    const mock = await startMockUpstream(async (request, res) => {
      const text = `Seen: ${tokensIn(request.body).join(' ')}`;
      if ((JSON.parse(request.body) as { stream?: boolean }).stream !== true) {
        await sleep(WAIT_MS);
        sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }]));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      await sleep(WAIT_MS);
      res.write(chunk([{ index: 0, delta: { content: text }, finish_reason: null }]));
      res.end('data: [DONE]\n\n');
    });
    const gateway = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0, upstream: mock.url } }), telemetry });
    const { url } = await gateway.listen();
    let metrics: string;
    const requestIds: string[] = [];
    try {
      for (const stream of [false, true]) {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'Write to maria.garcia@example.com' }] }),
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('maria.garcia@example.com');
        requestIds.push(response.headers.get('x-request-id') ?? '');
      }
      // The recorder finishes on the response's 'close', just after the client has its bytes:
      // read the metrics once both requests are counted.
      const readMetrics = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
      const bothFinished = (text: string): boolean => /veil_requests_total\{[^}]*status="200"\} 2\n/.test(text);
      metrics = await readMetrics();
      for (let attempt = 0; attempt < 250 && !bothFinished(metrics); attempt += 1) {
        await sleep(20);
        metrics = await readMetrics();
      }
    } finally {
      await gateway.close(500);
      await telemetry.close();
      await mock.close();
    }

    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="upstream",tier="none"} 2');
    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="rehydrate",tier="none"} 2');
    // Detection per tier (the text is too short for the detection cache, so both are scanned).
    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="detect",tier="rules"} 2');
    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="detect",tier="ner"} 2');
    expect(metrics).not.toContain('veil_stage_duration_seconds_count{stage="detect",tier="none"}');
    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="policy",tier="none"} 2');
    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="vault",tier="none"} 2');
    expect(metrics).toContain('veil_stage_duration_seconds_count{stage="auth",tier="none"} 2');

    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((span) => span.name === 'veil.request');
    expect(roots).toHaveLength(2);
    for (const request of roots) {
      const children = spans.filter((span) => span.parentSpanContext?.spanId === request.spanContext().spanId);
      expect(children.map((span) => span.name).sort()).toEqual(['veil.auth', 'veil.detect', 'veil.policy', 'veil.rehydrate', 'veil.upstream', 'veil.vault']);
      for (const child of children) expect(child.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(children.find((span) => span.name === 'veil.upstream')?.attributes).toEqual({ 'veil.stage': 'upstream' });
      // Authentication ran before the recorder existed; its span still lies inside the request's.
      const auth = children.find((span) => span.name === 'veil.auth');
      const ms = ([seconds, nanos]: readonly [number, number]): number => seconds * 1000 + nanos / 1e6;
      expect(ms(auth?.startTime ?? [0, 0])).toBeGreaterThanOrEqual(ms(request.startTime));
      expect(ms(auth?.endTime ?? [0, 0])).toBeLessThanOrEqual(ms(request.endTime));
    }

    const events = filesUnder(dataDir)
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => line.includes('"kind":"request"'))
      .map((line) => JSON.parse(line) as { latency_ms: number; request_id: string; stage_ms?: Record<string, number> });
    expect(events).toHaveLength(2);
    // The audit event carries the id the client got back in x-request-id.
    expect(events.map((event) => event.request_id).sort()).toEqual([...requestIds].sort());
    for (const event of events) {
      expect(Object.keys(event.stage_ms ?? {}).sort()).toEqual(['auth', 'detect', 'policy', 'rehydrate', 'upstream', 'vault']);
      for (const ms of Object.values(event.stage_ms ?? {})) expect(ms).toBeLessThanOrEqual(event.latency_ms);
    }
    const [json, stream] = events;
    // Each tier's time and spans (before merge): the rules find the e-mail.
    for (const event of events as unknown as { detectors: { tier: string; spans: number }[] }[]) {
      expect(event.detectors.map((timing) => timing.tier).sort()).toEqual(['ner', 'rules']);
      expect(event.detectors.find((timing) => timing.tier === 'rules')?.spans).toBe(1);
    }
    expect(json?.stage_ms?.['upstream']).toBeGreaterThanOrEqual(AT_LEAST_MS);
    expect(stream?.stage_ms?.['rehydrate']).toBeGreaterThanOrEqual(AT_LEAST_MS);
  });
});
