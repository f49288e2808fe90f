/**
 * OpenTelemetry traces: one span per gateway request, a child span per stage. Off by default:
 * `@opentelemetry/api` is a no-op until a tracer provider is registered, and `setupTracing()`
 * registers one only when the standard `OTEL_*` variables ask for it.
 *
 * Attributes are counts, entity types, tiers, route templates, provider names and status codes,
 * set through typed methods only; nothing here accepts free text, so no value or token can end
 * up in a span.
 * @module
 */
import { context, INVALID_SPAN_CONTEXT, propagation, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { ActionCounts } from '../audit/event.js';
import { LabelSets, type LabelSetsOptions, type Stage } from './labels.js';

export const TRACER_NAME = 'veil';

type Env = Readonly<Record<string, string | undefined>>;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * True when the environment asks for traces: `OTEL_TRACES_EXPORTER` set to something other than
 * `none`, or an OTLP endpoint configured; and `OTEL_SDK_DISABLED` is not `true`.
 */
export function tracingRequested(env: Env = process.env): boolean {
  if (envValue(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return false;
  const exporter = envValue(env, 'OTEL_TRACES_EXPORTER');
  if (exporter !== undefined) return exporter.toLowerCase() !== 'none';
  return envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined;
}

export interface TracingHandle {
  /** Flushes pending spans and stops exporting. Call on shutdown. */
  shutdown(): Promise<void>;
}

/** The service name spans carry when `OTEL_SERVICE_NAME` is not set. */
const DEFAULT_SERVICE_NAME = 'veil';

/**
 * Registers a global tracer provider when `tracingRequested(env)`; returns undefined otherwise
 * (and loads none of the SDK). `OTEL_TRACES_EXPORTER=console` prints spans; `otlp` (the default
 * when an endpoint is set) exports over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
 * else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else the collector default
 * `http://localhost:4318/v1/traces`, with `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`. Spans carry
 * `service.name` = `OTEL_SERVICE_NAME` (default `veil`). All of it is read from `env`.
 */
export async function setupTracing(env: Env = process.env): Promise<TracingHandle | undefined> {
  if (!tracingRequested(env)) return undefined;
  const exporterName = (envValue(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp').split(',')[0]?.trim().toLowerCase() ?? 'otlp';
  if (exporterName !== 'otlp' && exporterName !== 'console') {
    throw new VeilError(VeilErrorCode.Config, `OTEL_TRACES_EXPORTER=${exporterName} is not supported (use otlp, console or none)`);
  }
  // Loaded only here: with tracing off (the default) the trace SDK and exporter are never read.
  const [base, { NodeTracerProvider }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  let exporter: SpanExporter;
  if (exporterName === 'console') {
    exporter = new base.ConsoleSpanExporter();
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter(otlpOptions(env));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': envValue(env, 'OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME }),
    spanProcessors: [new base.BatchSpanProcessor(exporter)],
  });
  provider.register();
  return {
    shutdown: async () => {
      await provider.shutdown();
      // Unregister, so that a later setupTracing() in the same process can register again.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The OTLP/HTTP exporter's URL and headers from `env` (the exporter would read only process.env). */
export function otlpOptions(env: Env): { url?: string; headers?: Record<string, string> } {
  const tracesEndpoint = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = tracesEndpoint ?? (endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, '')}/v1/traces`);
  // `key1=value1,key2=value2`, values URL-encoded, as the OTLP exporter specification writes them.
  const headerList = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? envValue(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  return { ...(url === undefined ? {} : { url }), ...(headerList === undefined ? {} : { headers: parseKeyPairsIntoRecord(headerList) }) };
}

export interface VeilTracerOptions extends LabelSetsOptions {
  /** Default: `trace.getTracer('veil')` from the global provider (a no-op when none is registered). */
  readonly tracer?: Tracer;
}

export class VeilTracer {
  readonly #tracer: Tracer;
  readonly #labels: LabelSets;

  constructor(options: VeilTracerOptions = {}) {
    this.#tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
    this.#labels = new LabelSets(options);
  }

  /** Starts the span of one request. `requestId` is Veil's own random id, never a client value. */
  /** `startTime` (epoch milliseconds): when the request arrived, if that was before this call. */
  startRequest(request: { route: string | null; provider: string | null; requestId?: string; tenant?: string; startTime?: number }): RequestTrace {
    const attributes: Attributes = {
      'veil.route': this.#labels.route(request.route),
      'veil.provider': this.#labels.provider(request.provider),
    };
    if (request.requestId !== undefined) attributes['veil.request_id'] = request.requestId;
    if (request.tenant !== undefined) attributes['veil.tenant'] = request.tenant;
    const span = this.#tracer.startSpan('veil.request', { attributes, ...(request.startTime === undefined ? {} : { startTime: request.startTime }) });
    return new RequestTrace(this.#tracer, span, this.#labels);
  }
}

export class RequestTrace {
  readonly span: Span;
  readonly #tracer: Tracer;
  readonly #labels: LabelSets;

  constructor(tracer: Tracer, span: Span, labels: LabelSets) {
    this.#tracer = tracer;
    this.span = span;
    this.#labels = labels;
  }

  /**
   * A child span for one stage; end it with `StageTrace.end()`. `startTime` (epoch milliseconds)
   * for a stage that began before the request span did, such as authentication.
   */
  startStage(stage: Stage, tier?: string, startTime?: number): StageTrace {
    // Tracing off (the default): no context, attributes or span per stage.
    if (!this.span.isRecording()) return NOT_RECORDING;
    const attributes: Attributes = { 'veil.stage': this.#labels.stage(stage) };
    if (tier !== undefined) attributes['veil.tier'] = this.#labels.tier(tier);
    const parent = trace.setSpan(context.active(), this.span);
    return new StageTrace(this.#tracer.startSpan(`veil.${this.#labels.stage(stage)}`, { attributes, ...(startTime === undefined ? {} : { startTime }) }, parent));
  }

  /** Runs `body` inside a stage span (sync or async); errors mark the span and propagate. */
  stage<T>(stage: Stage, body: () => T, tier?: string): T {
    if (!this.span.isRecording()) return body();
    const child = this.startStage(stage, tier);
    let result: T;
    try {
      result = body();
    } catch (error) {
      child.fail(error);
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          child.end();
          return value;
        },
        (error: unknown) => {
          child.fail(error);
          throw error;
        },
      ) as T;
    }
    child.end();
    return result;
  }

  /** Per entity type and action counts, as attributes `veil.entities.<TYPE>.<action>`. */
  recordEntities(entities: Readonly<Record<string, ActionCounts>>): void {
    if (!this.span.isRecording()) return;
    const attributes: Attributes = {};
    let total = 0;
    for (const [type, counts] of Object.entries(entities)) {
      for (const [action, count] of Object.entries(counts)) {
        if (typeof count !== 'number' || count <= 0) continue;
        const key = `veil.entities.${this.#labels.entityType(type)}.${this.#labels.action(action)}`;
        attributes[key] = (typeof attributes[key] === 'number' ? attributes[key] : 0) + count;
        total += count;
      }
    }
    attributes['veil.entities.total'] = total;
    this.span.setAttributes(attributes);
  }

  /** Ends the request span with its outcome. */
  end(result: { status: number | null; outcome?: 'ok' | 'blocked' | 'denied' | 'error'; leakGate?: 'pass' | 'tripped' | 'skipped' }): void {
    if (!this.span.isRecording()) {
      this.span.end();
      return;
    }
    const attributes: Attributes = { 'http.response.status_code': Number(this.#labels.status(result.status)) || 0 };
    if (result.outcome !== undefined) attributes['veil.outcome'] = result.outcome;
    if (result.leakGate !== undefined) attributes['veil.leak_gate'] = result.leakGate;
    this.span.setAttributes(attributes);
    if (result.outcome === 'error' || (result.status !== null && result.status >= 500)) this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}

export class StageTrace {
  readonly span: Span;

  constructor(span: Span) {
    this.span = span;
  }

  /**
   * Ends the stage; `counts` are numbers only (e.g. `{ spans: 3, texts: 2 }`). `endTime` (epoch
   * milliseconds) for a stage timed by its caller.
   */
  end(counts: Readonly<Record<string, number>> = {}, endTime?: number): void {
    if (!this.span.isRecording()) return;
    const attributes: Attributes = {};
    for (const [name, value] of Object.entries(counts)) {
      if (/^[a-z_]{1,32}$/.test(name) && Number.isFinite(value)) attributes[`veil.${name}`] = value;
    }
    this.span.setAttributes(attributes);
    this.span.end(endTime);
  }

  /** Ends the stage as failed. Records the error's code (a `VeilErrorCode`), never its message. */
  fail(error: unknown): void {
    if (!this.span.isRecording()) return;
    const code = VeilError.isInstance(error) ? error.code : 'exception';
    this.span.setAttributes({ 'veil.error_code': code });
    this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}

/** The stage of a request that is not traced: ending it does nothing. */
const NOT_RECORDING = new StageTrace(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
