/**
 * The one object the gateway holds for audit, metrics and traces, and the per-request recorder
 * it threads through a request. One `finish()` call writes the audit event, updates the metrics
 * and ends the span from the same figures, so the three never disagree and none of them can be
 * handed a value: the recorder accepts only the mask result (offsets, types, token ids), ids,
 * counts and status codes.
 *
 * @example
 * const telemetry = await Telemetry.open({ dataDir, env: process.env });
 * // per request:
 * const t = telemetry.begin({ route: '/v1/chat/completions', provider: 'openai', tenant, principal });
 * const result = await t.mask((context) => veil.mask(texts, { scope, context }));
 * t.masked(result);
 * t.leakGate('pass');
 * t.finish({ status: 200, upstreamStatus: 200, model: 'gpt-4o-mini' });
 * // on SIGTERM: await telemetry.close();
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AuditLog, type AuditLogOptions } from '../audit/audit-log.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { DETECTOR_TIERS, isAuditIdentifier, isAuditRoute, type AuditOutcome, type DetectorTiming, type LeakGateOutcome } from '../audit/event.js';
import type { DetectContext, TierTimings } from '../detect/detector.js';
import { createAuditSink } from '../audit/open-sink.js';
import { LlmCallLog, llmCallsPossible, withLlmCallLog } from '../detect/llm/call-log.js';
import { summarizeMask, type MaskSummary } from '../audit/summarize.js';
import { verifyAudit } from '../audit/verify.js';
import type { VerifyingKey } from '../audit/signing-key.js';
import type { MaskedEntity, MaskTimings } from '../pipeline/mask.js';
import type { LabelSetsOptions, Stage } from './labels.js';
import { metricsHandler, VeilMetrics } from './metrics.js';
import { setupTracing, VeilTracer, type RequestTrace, type TracingHandle } from './tracing.js';

export interface TelemetryOptions extends LabelSetsOptions {
  readonly dataDir: string;
  /** `VEIL_AUDIT_PG_URL` / `VEIL_AUDIT_PG_SCHEMA` pick the PostgreSQL sink; `OTEL_*` turn traces on. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: from `createAuditSink` (JSONL in the data dir, or PostgreSQL). */
  readonly sink?: AuditSink;
  /** Passed to `AuditLog.open` (batching, checkpoint cadence, onError). */
  readonly audit?: Omit<AuditLogOptions, 'dataDir' | 'sink'>;
  readonly metrics?: VeilMetrics;
  readonly tracer?: VeilTracer;
}

export interface RequestStart {
  readonly route: string;
  readonly provider: string | null;
  readonly tenant: string;
  readonly principal?: { readonly key_id: string | null; readonly role: string | null };
  readonly policyVersion?: string;
  /** Veil's request id; a new UUID when absent. Never a client-supplied header value. */
  readonly requestId?: string;
  /** `performance.now()` when the request arrived (default: now); latency and the span start there. */
  readonly startedAt?: number;
}

export interface RequestFinish {
  /** Status Veil answered with. */
  readonly status: number;
  /** Status the upstream answered with (null when the request never got there). */
  readonly upstreamStatus?: number | null;
  readonly model?: string | null;
  /** Default: `blocked` after `blocked()`, `error` for status >= 500, else `ok`. */
  readonly outcome?: AuditOutcome;
}

/**
 * How long a gateway's audit events may wait before a write starts. Each write of the JSONL sink
 * takes the cross-process lock and re-reads the directory (a dozen file operations): at the audit
 * log's own 25 ms a gateway at a few hundred requests per second spent a tenth of its CPU per
 * request on that. Clean shutdown still flushes everything; a SIGKILL loses at most this window
 * (the chain verifies up to the last written event either way).
 */
const GATEWAY_AUDIT_FLUSH_MS = 200;

/** Milliseconds to the microsecond: finer digits are noise and only lengthen the event. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function identOr<T extends string | null>(value: string | null, fallback: T): string | T | null {
  if (value === null) return null;
  return isAuditIdentifier(value) ? value : fallback;
}

export class Telemetry {
  readonly audit: AuditLog;
  readonly metrics: VeilMetrics;
  readonly tracer: VeilTracer;
  readonly #tracing: TracingHandle | undefined;
  readonly #onError: (error: unknown) => void;

  private constructor(audit: AuditLog, metrics: VeilMetrics, tracer: VeilTracer, tracing: TracingHandle | undefined, onError: (error: unknown) => void) {
    this.audit = audit;
    this.metrics = metrics;
    this.tracer = tracer;
    this.#tracing = tracing;
    this.#onError = onError;
  }

  /** Where errors of the recorder go (the `audit.onError` option); never thrown at a request. */
  reportError(error: unknown): void {
    this.#onError(error);
  }

  static async open(options: TelemetryOptions): Promise<Telemetry> {
    const env = options.env ?? process.env;
    const sink = options.sink ?? createAuditSink({ dataDir: options.dataDir, env });
    const audit = await AuditLog.open({ flushIntervalMs: GATEWAY_AUDIT_FLUSH_MS, ...options.audit, dataDir: options.dataDir, sink });
    const labels: LabelSetsOptions = {
      ...(options.routes === undefined ? {} : { routes: options.routes }),
      ...(options.providers === undefined ? {} : { providers: options.providers }),
      ...(options.entityTypes === undefined ? {} : { entityTypes: options.entityTypes }),
    };
    const metrics = options.metrics ?? new VeilMetrics(labels);
    metrics.bindAuditLog(audit);
    const tracing = options.tracer === undefined ? await setupTracing(env) : undefined;
    return new Telemetry(audit, metrics, options.tracer ?? new VeilTracer(labels), tracing, options.audit?.onError ?? (() => undefined));
  }

  begin(start: RequestStart): RequestTelemetry {
    return new RequestTelemetry(this, start);
  }

  /** `GET /metrics` (node:http). */
  metricsHandler(): (request: IncomingMessage, response: ServerResponse) => void {
    return metricsHandler(this.metrics);
  }

  /**
   * `GET /v1/veil/audit/verify` (node:http): the `verifyAudit` result as JSON, 200 when intact,
   * 409 when broken. Admin-only: the gateway must check the caller's role first. `?from=&to=`
   * (ISO dates) limit it to a window.
   */
  auditVerifyHandler(trustedKeys?: readonly VerifyingKey[]): (request: IncomingMessage, response: ServerResponse) => void {
    const keys = trustedKeys ?? [this.audit.signingKey];
    return (request, response) => {
      const url = new URL(request.url ?? '/', 'http://veil.local');
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      const window = {
        ...(from === null || Number.isNaN(Date.parse(from)) ? {} : { from: new Date(from) }),
        ...(to === null || Number.isNaN(Date.parse(to)) ? {} : { to: new Date(to) }),
      };
      // Events still queued are not in the log yet; flushing first makes the answer current.
      this.audit
        .flush()
        .catch(() => undefined)
        .then(() => verifyAudit({ sink: this.audit.sink, trustedKeys: keys, ...window }))
        .then(
          (result) => {
            response.writeHead(result.ok ? 200 : 409, { 'content-type': 'application/json', 'cache-control': 'no-store' });
            response.end(`${JSON.stringify(result)}\n`);
          },
          () => {
            response.writeHead(500, { 'content-type': 'application/json' });
            response.end('{"error":{"code":"internal_error","message":"audit verification failed to run"}}\n');
          },
        );
    };
  }

  /** Flushes the audit log (final checkpoint) and the trace exporter. Call on SIGTERM. */
  async close(): Promise<void> {
    await this.audit.close();
    await this.#tracing?.shutdown();
  }
}

export class RequestTelemetry {
  readonly requestId: string;
  readonly trace: RequestTrace;
  readonly #telemetry: Telemetry;
  readonly #start: RequestStart;
  readonly #began: number;
  readonly #detectors: DetectorTiming[] = [];
  /** Milliseconds per stage, for the audit event (`stage_ms`). */
  readonly #stageMs: Partial<Record<Stage, number>> = {};
  #summary: MaskSummary = { entities: {}, token_ids: [], rule_ids: [] };
  #leakGate: LeakGateOutcome | null = null;
  #blocked = false;
  #finished = false;

  constructor(telemetry: Telemetry, start: RequestStart) {
    this.#telemetry = telemetry;
    // `finish()` runs in a response 'close' handler, where a throw would take the process down:
    // anything that is not a plain identifier is stored as `other` (or null) instead of refused.
    this.#start = {
      route: isAuditRoute(start.route) ? start.route : '/other',
      provider: identOr(start.provider, 'other'),
      tenant: identOr(start.tenant, 'other') ?? 'other',
      ...(start.principal === undefined
        ? {}
        : { principal: { key_id: identOr(start.principal.key_id, null), role: identOr(start.principal.role, null) } }),
      ...(start.policyVersion === undefined ? {} : { policyVersion: identOr(start.policyVersion, 'other') ?? 'other' }),
    };
    this.requestId = start.requestId !== undefined && isAuditIdentifier(start.requestId) ? start.requestId : randomUUID();
    this.#began = start.startedAt ?? performance.now();
    this.trace = telemetry.tracer.startRequest({
      route: start.route,
      provider: start.provider,
      requestId: this.requestId,
      tenant: start.tenant,
      ...(start.startedAt === undefined ? {} : { startTime: performance.timeOrigin + start.startedAt }),
    });
  }

  /**
   * Times `body` as a stage: a child span, the stage histogram and the event's `stage_ms` (and,
   * for detect, the tier timing in the event). A promise is timed until it settles. Detect also
   * gets the LLM tier's own entry (time, spans, outcome) when an LLM detector ran in `body`.
   */
  stage<T>(stage: Stage, body: () => T, tier?: 'rules' | 'custom' | 'ner' | 'llm'): T {
    const began = performance.now();
    const llm = stage === 'detect' && llmCallsPossible() ? new LlmCallLog() : undefined;
    const done = (): void => {
      this.#timed(stage, performance.now() - began, tier);
      if (llm !== undefined) this.#llmCalls(llm);
    };
    const result = this.trace.stage(stage, llm === undefined ? body : () => withLlmCallLog(llm, body), tier);
    if (result instanceof Promise) return result.finally(done) as T;
    done();
    return result;
  }

  /**
   * Runs the request's `mask()` call and records where its time went: the `detect` stage per tier
   * (a cached text has no tier work: its detect time is recorded without a tier), then `policy`
   * and `vault`, from the call's own timings. `body` gets the detection context that collects the
   * tier timings; LLM calls are logged as `stage('detect')` logs them.
   */
  mask<T extends { readonly timings: MaskTimings }>(body: (context: DetectContext) => T | Promise<T>): T | Promise<T> {
    const began = performance.now();
    const tiers: TierTimings = {};
    const context: DetectContext = { tiers };
    const llm = llmCallsPossible() ? new LlmCallLog() : undefined;
    const record = (result: T): T => {
      this.#maskStages(began, result.timings, tiers);
      if (llm !== undefined) this.#llmCalls(llm);
      return result;
    };
    const result = llm === undefined ? body(context) : withLlmCallLog(llm, () => body(context));
    return result instanceof Promise ? result.then(record) : record(result);
  }

  #maskStages(began: number, timings: MaskTimings, tiers: TierTimings): void {
    let tiered = false;
    for (const tier of DETECTOR_TIERS) {
      const entry = tiers[tier];
      if (entry === undefined) continue;
      tiered = true;
      this.#telemetry.metrics.observeStage('detect', entry.ms / 1000, tier);
      this.#detectors.push({ tier, ms: roundMs(entry.ms), spans: entry.spans });
    }
    if (!tiered) this.#telemetry.metrics.observeStage('detect', timings.detectMs / 1000);
    this.#addStageMs('detect', timings.detectMs);
    this.#timed('policy', timings.policyMs);
    this.#timed('vault', timings.vaultMs);
    // Child spans laid end to end from when the call began (tracing off: no work).
    if (!this.trace.span.isRecording()) return;
    let at = performance.timeOrigin + began;
    for (const [stage, ms] of [['detect', timings.detectMs], ['policy', timings.policyMs], ['vault', timings.vaultMs]] as const) {
      this.trace.startStage(stage, undefined, at).end({}, at + ms);
      at += ms;
    }
  }

  #addStageMs(stage: Stage, ms: number): void {
    this.#stageMs[stage] = (this.#stageMs[stage] ?? 0) + ms;
  }

  /**
   * Records a stage that ran before this recorder existed (authentication decides the tenant the
   * recorder is opened with): `startedAt` is its `performance.now()` at the start, and it ends now.
   */
  recordStage(stage: Stage, startedAt: number): void {
    const ms = performance.now() - startedAt;
    this.trace.startStage(stage, undefined, performance.timeOrigin + startedAt).end();
    this.#timed(stage, ms);
  }

  /** Records a stage timed elsewhere. */
  observeStage(stage: Stage, seconds: number, tier?: 'rules' | 'custom' | 'ner' | 'llm'): void {
    this.#timed(stage, seconds * 1000, tier);
  }

  #timed(stage: Stage, ms: number, tier?: 'rules' | 'custom' | 'ner' | 'llm'): void {
    this.#telemetry.metrics.observeStage(stage, ms / 1000, tier);
    this.#addStageMs(stage, ms);
    if (stage === 'detect' && tier !== undefined) this.#detectors.push({ tier, ms: roundMs(ms), spans: 0 });
  }

  /** The LLM tier of this request's detection: an event entry, its stage time, and a fallback count. */
  #llmCalls(log: LlmCallLog): void {
    const summary = log.summary();
    if (summary === undefined) return;
    this.#detectors.push({ ...summary, ms: roundMs(summary.ms) });
    this.#telemetry.metrics.observeStage('detect', summary.ms / 1000, 'llm');
    if (summary.outcome !== 'ok') this.#telemetry.metrics.llmFallback(summary.outcome);
  }

  /** Spans found per tier, when the caller knows them (adds to the event's detector timings). */
  detectorTiming(timing: DetectorTiming): void {
    this.#detectors.push(timing);
  }

  /** The mask result of the request (only types, actions, token ids and rule ids are read). */
  masked(result: { readonly entities: readonly Pick<MaskedEntity, 'type' | 'action' | 'token' | 'rule'>[] }, allowed: Readonly<Record<string, number>> = {}): void {
    this.#summary = summarizeMask(result, allowed);
  }

  blocked(): void {
    this.#blocked = true;
  }

  leakGate(outcome: LeakGateOutcome): void {
    this.#leakGate = outcome;
    if (outcome === 'tripped') this.#telemetry.metrics.leakGateTrip(this.#start.route, this.#start.provider);
  }

  /** Writes the audit event, the request metrics and ends the span. Only the first call counts. */
  finish(result: RequestFinish): void {
    if (this.#finished) return;
    this.#finished = true;
    const latencyMs = performance.now() - this.#began;
    const outcome: AuditOutcome = result.outcome ?? (this.#blocked ? 'blocked' : result.status >= 500 ? 'error' : 'ok');
    this.#telemetry.metrics.observeRequest({ route: this.#start.route, provider: this.#start.provider, status: result.status, seconds: latencyMs / 1000 });
    this.#telemetry.metrics.countEntities(this.#summary.entities);
    this.trace.recordEntities(this.#summary.entities);
    this.trace.end({ status: result.status, outcome, ...(this.#leakGate === null ? {} : { leakGate: this.#leakGate }) });
    try {
      this.#record(result, outcome, latencyMs);
    } catch (error) {
      // Closed log (shutdown) or a field the checks above did not foresee: reported, not thrown.
      this.#telemetry.reportError(error);
    }
  }

  #hasStages(): boolean {
    for (const _ in this.#stageMs) return true;
    return false;
  }

  #roundedStages(): Partial<Record<Stage, number>> {
    const rounded: Partial<Record<Stage, number>> = {};
    for (const [stage, ms] of Object.entries(this.#stageMs) as [Stage, number][]) rounded[stage] = roundMs(ms);
    return rounded;
  }

  #record(result: RequestFinish, outcome: AuditOutcome, latencyMs: number): void {
    this.#telemetry.audit.record({
      kind: 'request',
      tenant: this.#start.tenant,
      ...(this.#start.principal === undefined ? {} : { principal: this.#start.principal }),
      route: this.#start.route,
      provider: this.#start.provider,
      // The model name comes from the client's body: stored only when it is a plain identifier.
      model: identOr(result.model ?? null, 'other'),
      policy_version: this.#start.policyVersion ?? null,
      entities: this.#summary.entities,
      detectors: this.#detectors,
      rule_ids: this.#summary.rule_ids,
      token_ids: this.#summary.token_ids,
      leak_gate: this.#leakGate,
      upstream_status: result.upstreamStatus ?? null,
      latency_ms: roundMs(latencyMs),
      ...(this.#hasStages() ? { stage_ms: this.#roundedStages() } : {}),
      request_id: this.requestId,
      outcome,
    });
  }
}
