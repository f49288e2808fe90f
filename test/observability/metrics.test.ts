import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { metricsHandler, VeilMetrics } from '../../src/observability/metrics.js';

describe('VeilMetrics', () => {
  it('counts requests and latency per route, provider and status', async () => {
    const metrics = new VeilMetrics({ processMetrics: false });
    metrics.observeRequest({ route: '/v1/chat/completions', provider: 'openai', status: 200, seconds: 0.12 });
    metrics.observeRequest({ route: '/v1/chat/completions', provider: 'openai', status: 200, seconds: 0.3 });
    metrics.observeRequest({ route: '/v1/embeddings', provider: 'openai', status: 502, seconds: 1.2 });
    const { body } = await metrics.render();
    expect(body).toContain('veil_requests_total{route="/v1/chat/completions",provider="openai",status="200"} 2');
    expect(body).toContain('veil_requests_total{route="/v1/embeddings",provider="openai",status="502"} 1');
    expect(body).toContain('veil_request_duration_seconds_bucket{le="0.25",route="/v1/chat/completions",provider="openai",status="200"} 1');
    expect(body).toContain('veil_request_duration_seconds_count{route="/v1/chat/completions",provider="openai",status="200"} 2');
  });

  it('records stage durations, per tier for detect', async () => {
    const metrics = new VeilMetrics({ processMetrics: false });
    metrics.observeStage('detect', 0.0002, 'rules');
    metrics.observeStage('detect', 0.002, 'ner');
    metrics.observeStage('upstream', 0.4);
    const { body } = await metrics.render();
    expect(body).toContain('veil_stage_duration_seconds_count{stage="detect",tier="rules"} 1');
    expect(body).toContain('veil_stage_duration_seconds_count{stage="detect",tier="ner"} 1');
    expect(body).toContain('veil_stage_duration_seconds_count{stage="upstream",tier="none"} 1');
  });

  it('counts entities by type and action, leak-gate trips, and the audit queue', async () => {
    const metrics = new VeilMetrics({ processMetrics: false, entityTypes: ['EMPLOYEE_ID'] });
    metrics.countEntities({ EMAIL: { mask: 2 }, PERSON: { mask: 1, allow: 3 }, EMPLOYEE_ID: { redact: 1 }, SOMETHING_ELSE: { mask: 1 } });
    metrics.leakGateTrip('/v1/chat/completions', 'openai');
    const log = { queueDepth: 7, stats: { written: 40, dropped: 0, writeErrors: 1, checkpoints: 2 } };
    metrics.bindAuditLog(log);
    let { body } = await metrics.render();
    expect(body).toContain('veil_entities_total{type="EMAIL",action="mask"} 2');
    expect(body).toContain('veil_entities_total{type="PERSON",action="allow"} 3');
    expect(body).toContain('veil_entities_total{type="EMPLOYEE_ID",action="redact"} 1');
    expect(body).toContain('veil_entities_total{type="CUSTOM",action="mask"} 1');
    expect(body).toContain('veil_leak_gate_trips_total{route="/v1/chat/completions",provider="openai"} 1');
    expect(body).toContain('veil_audit_queue_depth 7');
    expect(body).toContain('veil_audit_events_written_total 40');
    log.stats.written = 55;
    ({ body } = await metrics.render());
    expect(body).toContain('veil_audit_events_written_total 55');
  });

  it('never turns a client value into a label: unknown routes, providers, types and statuses become other', async () => {
    const metrics = new VeilMetrics({ processMetrics: false });
    const secret = 'maria.lopez@example.com';
    metrics.observeRequest({ route: `/v1/chat/completions?email=${secret}`, provider: secret, status: 999, seconds: 0.1 });
    metrics.countEntities({ [secret]: { mask: 1 }, EMAIL: { [secret]: 1 } as never });
    metrics.leakGateTrip(`/${secret}`, 'PERSON_1');
    metrics.observeStage(secret as never, 0.1, secret);
    const { body } = await metrics.render();
    expect(body).not.toContain('maria');
    expect(body).not.toContain('PERSON_1');
    expect(body).toContain('veil_requests_total{route="other",provider="other",status="other"} 1');
    expect(body).toContain('veil_stage_duration_seconds_count{stage="other",tier="none"} 1');
  });

  it('serves GET /metrics through metricsHandler', async () => {
    const metrics = new VeilMetrics();
    metrics.observeRequest({ route: '/v1/responses', provider: 'openai', status: 200, seconds: 0.05 });
    const handler = metricsHandler(metrics);
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('veil_requests_total{route="/v1/responses",provider="openai",status="200"} 1');
      expect(text).toContain('veil_process_cpu_seconds_total');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
