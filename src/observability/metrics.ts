/**
 * Prometheus metrics (prom-client) for `GET /metrics`. Every label goes through `LabelSets`, so
 * no label can carry a value, a token or a request id.
 *
 * @example
 * const metrics = new VeilMetrics({ routes: config.routes });
 * metrics.bindAuditLog(audit);
 * metrics.observeRequest({ route: '/v1/chat/completions', provider: 'openai', status: 200, seconds: 0.42 });
 * server.on('request', (req, res) => { if (req.url === '/metrics') metricsHandler(metrics)(req, res); });
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DETECTOR_OUTCOMES, type ActionCounts, type DetectorOutcome } from '../audit/event.js';
import { LabelSets, type LabelSetsOptions, type Stage } from './labels.js';

export interface MetricsOptions extends LabelSetsOptions {
  /** Default: a new registry (not prom-client's global one, so instances never collide). */
  readonly registry?: Registry;
  /** Also export Node process metrics (CPU, memory, event loop lag). Default true. */
  readonly processMetrics?: boolean;
  /** Metric name prefix, default `veil_`. */
  readonly prefix?: string;
}

/** What `bindAuditLog` reads; `AuditLog` has it. */
export interface AuditLogGauges {
  readonly queueDepth: number;
  readonly stats: { readonly written: number; readonly dropped: number; readonly writeErrors: number; readonly checkpoints: number };
}

export class VeilMetrics {
  readonly registry: Registry;
  readonly labels: LabelSets;
  readonly #requests: Counter<'route' | 'provider' | 'status'>;
  readonly #duration: Histogram<'route' | 'provider' | 'status'>;
  readonly #stage: Histogram<'stage' | 'tier'>;
  readonly #entities: Counter<'type' | 'action'>;
  readonly #leakGate: Counter<'route' | 'provider'>;
  readonly #llmFallbacks: Counter<'outcome'>;
  readonly #auditLogs: AuditLogGauges[] = [];
  // Label children per combination, made once: a request then updates its metrics without
  // building and validating label objects each time.
  readonly #requestChildren = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<'route' | 'provider' | 'status'> }>();
  readonly #stageChildren = new Map<string, Histogram.Internal<'stage' | 'tier'>>();
  readonly #entityChildren = new Map<string, Counter.Internal>();

  constructor(options: MetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.labels = new LabelSets(options);
    const prefix = options.prefix ?? 'veil_';
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix });
    this.#requests = new Counter({
      name: `${prefix}requests_total`,
      help: 'Gateway requests by route template, provider and HTTP status.',
      labelNames: ['route', 'provider', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: `${prefix}request_duration_seconds`,
      help: 'Gateway request latency, from the request to the end of the response.',
      labelNames: ['route', 'provider', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.#stage = new Histogram({
      name: `${prefix}stage_duration_seconds`,
      help: 'Time per pipeline stage (detect also per tier).',
      labelNames: ['stage', 'tier'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.#entities = new Counter({
      name: `${prefix}entities_total`,
      help: 'Detected entities by type and the action policy took.',
      labelNames: ['type', 'action'],
      registers,
    });
    this.#leakGate = new Counter({
      name: `${prefix}leak_gate_trips_total`,
      help: 'Requests refused because a masked value was about to leave.',
      labelNames: ['route', 'provider'],
      registers,
    });
    this.#llmFallbacks = new Counter({
      name: `${prefix}llm_detector_fallbacks_total`,
      help: 'Requests whose LLM detector failed (timeout, network, http, malformed) and went on with the other tiers.',
      labelNames: ['outcome'],
      registers,
    });
    const logs = this.#auditLogs;
    new Gauge({
      name: `${prefix}audit_queue_depth`,
      help: 'Audit events recorded but not yet written.',
      registers,
      collect() {
        this.set(logs.reduce((sum, log) => sum + log.queueDepth, 0));
      },
    });
    const fromStats = (key: keyof AuditLogGauges['stats'], name: string, help: string): void => {
      let reported = 0;
      new Counter({
        name: `${prefix}${name}`,
        help,
        registers,
        collect() {
          // Counters only go up: add what the logs counted since the last scrape.
          const total = logs.reduce((sum, log) => sum + log.stats[key], 0);
          if (total > reported) this.inc(total - reported);
          reported = Math.max(reported, total);
        },
      });
    };
    fromStats('written', 'audit_events_written_total', 'Audit events stored.');
    fromStats('dropped', 'audit_events_dropped_total', 'Audit events dropped because the queue was full (storage down).');
    fromStats('writeErrors', 'audit_write_errors_total', 'Failed audit writes (retried).');
    fromStats('checkpoints', 'audit_checkpoints_total', 'Signed audit checkpoints written.');
  }

  /** One finished request. `seconds` from the first byte in to the last byte out. */
  observeRequest(request: { route: string | null; provider: string | null; status: number | null; seconds: number }): void {
    const route = this.labels.route(request.route);
    const provider = this.labels.provider(request.provider);
    const status = this.labels.status(request.status);
    const key = `${route}\n${provider}\n${status}`;
    let children = this.#requestChildren.get(key);
    if (children === undefined) {
      const labels = { route, provider, status };
      children = { count: this.#requests.labels(labels), duration: this.#duration.labels(labels) };
      this.#requestChildren.set(key, children);
    }
    children.count.inc();
    children.duration.observe(request.seconds);
  }

  /** Duration of one stage; `tier` for the detect stage per detector tier. */
  observeStage(stage: Stage, seconds: number, tier?: string): void {
    const stageLabel = this.labels.stage(stage);
    const tierLabel = this.labels.tier(tier);
    const key = `${stageLabel}\n${tierLabel}`;
    let child = this.#stageChildren.get(key);
    if (child === undefined) {
      child = this.#stage.labels({ stage: stageLabel, tier: tierLabel });
      this.#stageChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /** Entity counts of one request, as in the audit event (`summarizeMask(...).entities`). */
  countEntities(entities: Readonly<Record<string, ActionCounts>>): void {
    for (const [type, counts] of Object.entries(entities)) {
      for (const [action, count] of Object.entries(counts)) {
        if (typeof count !== 'number' || count <= 0) continue;
        const typeLabel = this.labels.entityType(type);
        const actionLabel = this.labels.action(action);
        const key = `${typeLabel}\n${actionLabel}`;
        let child = this.#entityChildren.get(key);
        if (child === undefined) {
          child = this.#entities.labels({ type: typeLabel, action: actionLabel });
          this.#entityChildren.set(key, child);
        }
        child.inc(count);
      }
    }
  }

  leakGateTrip(route: string | null, provider: string | null): void {
    this.#leakGate.inc({ route: this.labels.route(route), provider: this.labels.provider(provider) });
  }

  /** A request that went on without the LLM tier; `outcome` is the enum of the audit event. */
  llmFallback(outcome: Exclude<DetectorOutcome, 'ok'>): void {
    if ((DETECTOR_OUTCOMES as readonly string[]).includes(outcome)) this.#llmFallbacks.inc({ outcome });
  }

  /** Exports the queue depth and write counters of an audit log. */
  bindAuditLog(log: AuditLogGauges): void {
    this.#auditLogs.push(log);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** A node:http handler for `GET /metrics`. */
export function metricsHandler(metrics: VeilMetrics): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  };
}
