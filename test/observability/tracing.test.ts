import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';
import { setupTracing, tracingRequested, VeilTracer } from '../../src/observability/tracing.js';

function inMemory(): { exporter: InMemorySpanExporter; tracer: VeilTracer } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: new VeilTracer({ tracer: provider.getTracer('veil') }) };
}

describe('VeilTracer', () => {
  it('one span per request with a child span per stage, counts and types as attributes', async () => {
    const { exporter, tracer } = inMemory();
    const request = tracer.startRequest({ route: '/v1/chat/completions', provider: 'openai', requestId: 'req_123', tenant: 'acme' });
    request.stage('auth', () => undefined);
    const detect = request.startStage('detect', 'rules');
    detect.end({ spans: 3, texts: 2 });
    await request.stage('upstream', async () => new Promise((resolve) => setTimeout(resolve, 5)));
    request.recordEntities({ EMAIL: { mask: 2 }, PERSON: { mask: 1, allow: 1 } });
    request.end({ status: 200, outcome: 'ok', leakGate: 'pass' });

    const spans = exporter.getFinishedSpans();
    const root = spans.find((span) => span.name === 'veil.request');
    expect(root).toBeDefined();
    expect(spans.map((span) => span.name).sort()).toEqual(['veil.auth', 'veil.detect', 'veil.request', 'veil.upstream']);
    for (const child of spans.filter((span) => span !== root)) {
      expect(child.spanContext().traceId).toBe(root?.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    }
    expect(root?.attributes).toMatchObject({
      'veil.route': '/v1/chat/completions',
      'veil.provider': 'openai',
      'veil.request_id': 'req_123',
      'veil.entities.EMAIL.mask': 2,
      'veil.entities.PERSON.mask': 1,
      'veil.entities.PERSON.allow': 1,
      'veil.entities.total': 4,
      'http.response.status_code': 200,
      'veil.outcome': 'ok',
      'veil.leak_gate': 'pass',
    });
    expect(spans.find((span) => span.name === 'veil.detect')?.attributes).toEqual({ 'veil.stage': 'detect', 'veil.tier': 'rules', 'veil.spans': 3, 'veil.texts': 2 });
  });

  it('a failing stage records the error code, not the message', () => {
    const { exporter, tracer } = inMemory();
    const request = tracer.startRequest({ route: '/v1/chat/completions', provider: 'openai' });
    expect(() =>
      request.stage('leak_gate', () => {
        throw new VeilError(VeilErrorCode.LeakPrevented, 'value maria@example.com about to leave');
      }),
    ).toThrow();
    request.end({ status: 500, outcome: 'error', leakGate: 'tripped' });
    const failed = exporter.getFinishedSpans().find((span) => span.name === 'veil.leak_gate');
    expect(failed?.attributes).toEqual({ 'veil.stage': 'leak_gate', 'veil.error_code': 'veil_leak_prevented' });
    expect(failed?.status.code).toBe(2);
    expect(failed?.events).toEqual([]);
  });

  it('no client value reaches a span', () => {
    const { exporter, tracer } = inMemory();
    const secret = 'maria.lopez@example.com';
    const request = tracer.startRequest({ route: `/v1/x?q=${secret}`, provider: secret });
    request.startStage('detect', secret).end({ [secret]: 1, spans: 1 });
    request.recordEntities({ [secret]: { mask: 1 } });
    request.end({ status: 200 });
    const dump = JSON.stringify(exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes })));
    expect(dump).not.toContain('maria');
    expect(dump).toContain('"veil.route":"other"');
    expect(dump).toContain('veil.entities.CUSTOM.mask');
  });

  it('without a registered provider the tracer is a no-op', () => {
    const request = new VeilTracer().startRequest({ route: '/v1/chat/completions', provider: 'openai' });
    request.stage('detect', () => 1);
    request.end({ status: 200 });
    expect(request.span.isRecording()).toBe(false);
  });
});

describe('tracing from OTEL_* variables', () => {
  it('is off unless the environment asks for it', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('setupTracing registers nothing by default and refuses an exporter it does not have', async () => {
    expect(await setupTracing({})).toBeUndefined();
    await expect(setupTracing({ OTEL_TRACES_EXPORTER: 'zipkin' })).rejects.toThrow(/not supported/);
  });
});
