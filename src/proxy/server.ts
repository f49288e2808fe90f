/**
 * The gateway: a node:http server in front of an OpenAI-compatible upstream. Requests on the
 * masked routes are read, masked in one `veil.mask` call, checked by the leak gate and
 * forwarded; answers are rehydrated on the way back. Everything else is refused with 404
 * unless configured as pass-through.
 *
 * @example
 * const gateway = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0 } }) });
 * const { url } = await gateway.listen();
 * // point the OpenAI SDK at `${url}/v1`
 * await gateway.close();
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Veil } from '../engine.js';
import type { RequestTelemetry, Telemetry } from '../observability/telemetry.js';
import type { TokenScope } from '../vault/token-scope.js';
import { readRequestBody } from './body.js';
import type { GatewayConfig } from './config.js';
import { DemoUpstream } from './demo-upstream.js';
import { sendError } from './errors.js';
import { prepareAgentRequest } from './agents.js';
import { sendProviderError } from './provider-errors.js';
import { headerValue, upstreamHeaders } from './headers.js';
import { assertNoLeak } from './leak-gate.js';
import { isObject } from './providers/json-text.js';
import { applyMasked, type ProviderAdapter, type Rehydration } from './providers/provider-adapter.js';
import { isEventStream, pipeThrough, sendRehydrated, streamRehydrated } from './respond.js';
import { RouteTable, type RouteMatch } from './routes.js';
import { KeyedUpstream } from './keyed-upstream.js';
import { SigV4Upstream } from './sigv4-upstream.js';
import { HttpUpstream, type Upstream, type UpstreamResponse } from './upstream.js';

export interface GatewayOptions {
  readonly veil: Veil;
  readonly config: GatewayConfig;
  /** Defaults to the configured URL, or the demo upstream when there is none. */
  readonly upstream?: Upstream;
  readonly logger?: Logger;
  /** Replaces adapters by path (tests use it to simulate an adapter bug). */
  readonly adapters?: Readonly<Record<string, ProviderAdapter>>;
  /** Upstreams of other providers by name (`anthropic`, `azure`, …); default: from `config.providers`. */
  readonly upstreams?: Readonly<Record<string, Upstream>>;
  /** Audit events, metrics (`GET /metrics`) and traces, one per masked-route request. */
  readonly telemetry?: Telemetry;
}

export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, without `/v1`. */
  readonly url: string;
}

const JSON_ESCAPE = { escape: 'json' } as const;

/** What the request log line reports: counts and timings, never values. */
interface RequestStats {
  route: string | undefined;
  masked: number;
  maskMs: number;
  /** Image, audio and file parts sent without a scan. */
  unscanned: number;
  upstreamStatus: number | null;
  /** The `model` field of the request, for the audit event (which keeps only identifiers). */
  model: string | null;
  telemetry: RequestTelemetry | undefined;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function notFound(method: string, path: string): VeilError {
  return new VeilError(VeilErrorCode.NotFound, `Veil does not serve ${method} ${path}.`);
}

export class Gateway {
  readonly server: Server;
  readonly upstream: Upstream;
  private readonly veil: Veil;
  private readonly config: GatewayConfig;
  private readonly logger: Logger;
  private readonly routes: RouteTable;
  /** Upstreams of the providers other than the OpenAI one, by name. */
  private readonly providerUpstreams: ReadonlyMap<string, Upstream>;
  private readonly telemetry: Telemetry | undefined;
  private readonly metrics: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  private closing = false;

  constructor(options: GatewayOptions) {
    this.veil = options.veil;
    this.config = options.config;
    this.logger = options.logger ?? silentLogger();
    const url = options.config.upstream.url;
    this.upstream =
      options.upstream ?? (url === undefined ? new DemoUpstream() : new HttpUpstream({ ...options.config.upstream, url }));
    const providers = new Map<string, Upstream>();
    for (const [name, base] of Object.entries(options.config.providers ?? {})) {
      const http = new HttpUpstream({ ...options.config.upstream, url: base }, !RouteTable.isNative(name));
      // A masked body needs a new signature.
      const key = options.config.providerKeys?.[name];
      providers.set(name, name === 'bedrock' ? new SigV4Upstream(http, base, options.config.aws) : key === undefined ? http : new KeyedUpstream(http, name, key));
    }
    for (const [name, upstream] of Object.entries(options.upstreams ?? {})) providers.set(name, upstream);
    this.providerUpstreams = providers;
    this.routes = new RouteTable({
      ...(options.adapters === undefined ? {} : { overrides: options.adapters }),
      named: [...providers.keys()],
      ...(options.config.agents === undefined ? {} : { agents: options.config.agents }),
    });
    this.telemetry = options.telemetry;
    this.metrics = options.telemetry?.metricsHandler();
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      this.handle(req, res);
    });
  }

  listen(port = this.config.port, host = this.config.host): Promise<ListeningAddress> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({ host: address.address, port: address.port, url: `http://${shownHost}:${address.port}` });
      });
    });
  }

  /** Stops accepting, lets running requests finish for `graceMs`, then cuts what is left. */
  async close(graceMs = 5_000): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
    await Promise.all([this.upstream.close(), ...[...this.providerUpstreams.values()].map((upstream) => upstream.close())]);
  }

  /** The upstream for a provider: its own, else the demo when nothing at all is configured. */
  private upstreamFor(provider: string): Upstream {
    if (provider === 'openai') return this.upstream;
    const upstream = this.providerUpstreams.get(provider) ?? (this.upstream.kind === 'demo' ? this.upstream : undefined);
    if (upstream === undefined) throw new VeilError(VeilErrorCode.NotFound, `No upstream is configured for ${provider} (--upstream ${provider}=URL).`);
    return upstream;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const requestId = headerValue(req.headers, 'x-request-id') ?? randomUUID();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const method = req.method ?? 'GET';
    const stats: RequestStats = { route: undefined, masked: 0, maskMs: 0, unscanned: 0, upstreamStatus: null, model: null, telemetry: undefined };
    res.once('close', () => {
      stats.telemetry?.finish({ status: res.writableFinished ? res.statusCode : 499, upstreamStatus: stats.upstreamStatus, model: stats.model });
      this.logger.info(
        {
          requestId,
          method,
          path,
          route: stats.route,
          status: res.statusCode,
          ms: round(performance.now() - started),
          maskMs: round(stats.maskMs),
          masked: stats.masked,
          ...(stats.unscanned > 0 ? { unscanned: stats.unscanned } : {}),
          aborted: !res.writableFinished,
        },
        'request',
      );
    });
    const route = method === 'POST' ? this.routes.match(path, url) : undefined;
    let work: Promise<void>;
    if (route !== undefined) {
      stats.route = route.adapter.id;
      stats.telemetry = this.telemetry?.begin({ route: route.route, provider: route.provider, tenant: 'default' });
      work = this.masked(req, res, route, requestId, stats);
    } else if (method === 'GET' && path === '/metrics' && this.metrics !== undefined) {
      this.metrics(req, res);
      work = Promise.resolve();
    } else if (method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      work = Promise.resolve(this.health(res, path, requestId));
    } else if ((method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) || this.isPassThrough(path)) {
      stats.route = 'pass-through';
      work = this.passThrough(req, res, url, requestId);
    } else {
      req.resume();
      work = Promise.reject(notFound(method, path));
    }
    work.catch((error: unknown) => {
      if (!VeilError.isInstance(error)) {
        this.logger.error({ requestId, path, error: (error as Error | undefined)?.name ?? 'unknown' }, 'unexpected error');
      } else if (error.code === VeilErrorCode.LeakPrevented) {
        this.logger.error({ requestId, path, code: error.code, leaks: error.data?.['leaks'] }, 'leak gate stopped a request');
      }
      if (VeilError.isInstance(error) && error.code === VeilErrorCode.TooLarge) res.setHeader('connection', 'close');
      // Each provider's SDK expects its own error shape.
      const shaped = route?.adapter.errorBody;
      if (shaped === undefined) sendError(res, error, requestId);
      else sendProviderError(res, shaped(error), requestId);
    });
  }

  private health(res: ServerResponse, path: string, requestId: string): void {
    const ready = path === '/healthz' || !this.closing;
    const payload = JSON.stringify(
      path === '/healthz' ? { status: 'ok' } : { status: ready ? 'ready' : 'closing', upstream: this.upstream.kind },
    );
    res.writeHead(ready ? 200 : 503, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': requestId,
    });
    res.end(payload);
  }

  private isPassThrough(path: string): boolean {
    for (const prefix of this.config.passThrough) if (path === prefix || path.startsWith(`${prefix}/`)) return true;
    return false;
  }

  /** An AbortSignal that fires when the client goes away before its answer is complete. */
  private clientGone(res: ServerResponse): AbortSignal {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    return controller.signal;
  }

  private async passThrough(req: IncomingMessage, res: ServerResponse, url: string, requestId: string): Promise<void> {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const length = headerValue(req.headers, 'content-length');
    const upstream = await this.upstream.request({
      method: req.method ?? 'GET',
      path: url,
      headers: upstreamHeaders(req.headers, {
        requestId,
        apiKey: this.config.upstream.apiKey,
        contentLength: length === undefined ? undefined : Number(length),
      }),
      body: hasBody ? req : undefined,
      signal: this.clientGone(res),
    });
    await pipeThrough(res, upstream, requestId);
  }

  /** The hot path: read, mask in one call, leak gate, forward, rehydrate. */
  private async masked(
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteMatch,
    requestId: string,
    stats: RequestStats,
  ): Promise<void> {
    const adapter = route.adapter;
    const raw = await readRequestBody(req, this.config.bodyLimitBytes);
    // After the body is read, so that a refusal leaves the connection reusable.
    const target = this.upstreamFor(route.provider);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      // The parser's message may quote the body, so it is not passed on.
      throw new VeilError(VeilErrorCode.BadInput, 'Request body is not valid JSON.');
    }
    if (!isObject(body)) throw new VeilError(VeilErrorCode.BadInput, 'Request body must be a JSON object.');
    // Voice agents: the call id becomes the session; the platform's own fields never leave.
    const prepared = route.agent === undefined ? undefined : prepareAgentRequest(route.agent.id, route.agent.config, body);
    const extraction = adapter.extract(body);
    stats.unscanned = extraction.unscanned;
    if (typeof body['model'] === 'string') stats.model = body['model'];
    // Validates `stream`; the answer's content type decides how it is read.
    adapter.isStream(body);
    const session = headerValue(req.headers, 'x-veil-session') ?? prepared?.session;
    const scopeOrPromise = this.veil.openScope(session === undefined ? {} : { session });
    const scope: TokenScope = scopeOrPromise instanceof Promise ? await scopeOrPromise : scopeOrPromise;
    let outgoing: string | Buffer = prepared?.changed === true ? JSON.stringify(body) : raw;
    let entities = 0;
    if (extraction.texts.length > 0) {
      const maskStarted = performance.now();
      const texts = extraction.texts;
      const telemetry = stats.telemetry;
      const pending = telemetry === undefined ? this.veil.mask(texts, { scope }) : telemetry.stage('detect', () => this.veil.mask(texts, { scope }), 'rules');
      const result = pending instanceof Promise ? await pending : pending;
      stats.maskMs = performance.now() - maskStarted;
      telemetry?.masked(result);
      if (result.blocked.length > 0) {
        telemetry?.blocked();
        const types = [...new Set(result.blocked.map((entity) => entity.type))];
        throw new VeilError(VeilErrorCode.Blocked, `Policy blocks sending ${types.join(', ')} to the provider.`, {
          data: { types },
        });
      }
      entities = result.entities.length;
      stats.masked = entities;
      if (entities > 0) {
        applyMasked(extraction, result.texts);
        outgoing = JSON.stringify(body);
        try {
          assertNoLeak(outgoing, result.replacedValues);
        } catch (error) {
          telemetry?.leakGate('tripped');
          throw error;
        }
        telemetry?.leakGate('pass');
      }
    }
    const upstream = await target.request({
      method: 'POST',
      path: route.forwardPath,
      headers: upstreamHeaders(req.headers, {
        requestId,
        // The gateway's OpenAI key never goes to another provider.
        apiKey: route.provider === 'openai' ? this.config.upstream.apiKey : undefined,
        contentLength: typeof outgoing === 'string' ? Buffer.byteLength(outgoing) : outgoing.length,
      }),
      body: outgoing,
      signal: this.clientGone(res),
    });
    stats.upstreamStatus = upstream.statusCode;
    res.setHeader('x-veil-masked', String(entities));
    await this.respond(res, upstream, adapter, scope, requestId);
  }

  private async respond(
    res: ServerResponse,
    upstream: UpstreamResponse,
    adapter: ProviderAdapter,
    scope: TokenScope,
    requestId: string,
  ): Promise<void> {
    const failed = upstream.statusCode >= 400;
    // Nothing issued in this scope means nothing to put back: bytes pass untouched.
    if (scope.size === 0 || (!adapter.rehydrates && !failed)) {
      await pipeThrough(res, upstream, requestId);
      return;
    }
    const veil = this.veil;
    const rehydration: Rehydration = {
      text: (value) => veil.rehydrate(value, scope),
      json: (value) => veil.rehydrate(value, scope, JSON_ESCAPE),
      stream: (json) => veil.streamRehydrator(scope, json ? JSON_ESCAPE : {}),
    };
    if (isEventStream(upstream) && !failed) {
      await streamRehydrated(res, upstream, adapter, rehydration, requestId);
    } else {
      await sendRehydrated(res, upstream, adapter, rehydration, requestId);
    }
  }
}
