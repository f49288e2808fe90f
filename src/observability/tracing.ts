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
import { context, INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
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

/** The OTLP exporter package; not a dependency. On Node 20: `@opentelemetry/exporter-trace-otlp-http@~0.223.1` (0.300+ needs Node 22). */
const OTLP_PACKAGE = '@opentelemetry/exporter-trace-otlp-http';

/**
 * Registers a global tracer provider when `tracingRequested(env)`; returns undefined otherwise.
 * `OTEL_TRACES_EXPORTER=console` prints spans; `otlp` (the default when an endpoint is set)
 * loads `@opentelemetry/exporter-trace-otlp-http`, which reads the remaining `OTEL_EXPORTER_OTLP_*`
 * variables itself.
 */
export async function setupTracing(env: Env = process.env): Promise<TracingHandle | undefined> {
  if (!tracingRequested(env)) return undefined;
  const exporterName = (envValue(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp').split(',')[0]?.trim().toLowerCase() ?? 'otlp';
  const base = await import('@opentelemetry/sdk-trace-base');
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  let exporter: InstanceType<typeof base.ConsoleSpanExporter> | { export: unknown; shutdown: () => Promise<void> };
  if (exporterName === 'console') {
    exporter = new base.ConsoleSpanExporter();
  } else if (exporterName === 'otlp') {
    let otlp: { OTLPTraceExporter: new () => typeof exporter };
    try {
      // A variable specifier: the package is optional and must not be resolved at build time.
      const specifier: string = OTLP_PACKAGE;
      otlp = (await import(specifier)) as typeof otlp;
    } catch (cause) {
      throw new VeilError(VeilErrorCode.Config, `OTEL tracing is configured but ${OTLP_PACKAGE} is not installed (npm install ${OTLP_PACKAGE}@~0.223.1)`, { cause });
    }
    exporter = new otlp.OTLPTraceExporter();
  } else {
    throw new VeilError(VeilErrorCode.Config, `OTEL_TRACES_EXPORTER=${exporterName} is not supported (use otlp, console or none)`);
  }
  const provider = new NodeTracerProvider({
    spanProcessors: [new base.BatchSpanProcessor(exporter as ConstructorParameters<typeof base.BatchSpanProcessor>[0])],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
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
  startRequest(request: { route: string | null; provider: string | null; requestId?: string; tenant?: string }): RequestTrace {
    const attributes: Attributes = {
      'veil.route': this.#labels.route(request.route),
      'veil.provider': this.#labels.provider(request.provider),
    };
    if (request.requestId !== undefined) attributes['veil.request_id'] = request.requestId;
    if (request.tenant !== undefined) attributes['veil.tenant'] = request.tenant;
    const span = this.#tracer.startSpan('veil.request', { attributes });
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

  /** A child span for one stage; end it with `StageTrace.end()`. */
  startStage(stage: Stage, tier?: string): StageTrace {
    // Tracing off (the default): no context, attributes or span per stage.
    if (!this.span.isRecording()) return NOT_RECORDING;
    const attributes: Attributes = { 'veil.stage': this.#labels.stage(stage) };
    if (tier !== undefined) attributes['veil.tier'] = this.#labels.tier(tier);
    const parent = trace.setSpan(context.active(), this.span);
    return new StageTrace(this.#tracer.startSpan(`veil.${this.#labels.stage(stage)}`, { attributes }, parent));
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

  /** True when the span is exported (tracing on and sampled). */
  get recording(): boolean {
    return this.span.isRecording();
  }

  /** Ends the stage; `counts` are numbers only (e.g. `{ spans: 3, texts: 2 }`). */
  end(counts: Readonly<Record<string, number>> = {}): void {
    if (!this.span.isRecording()) return;
    const attributes: Attributes = {};
    for (const [name, value] of Object.entries(counts)) {
      if (/^[a-z_]{1,32}$/.test(name) && Number.isFinite(value)) attributes[`veil.${name}`] = value;
    }
    this.span.setAttributes(attributes);
    this.span.end();
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
