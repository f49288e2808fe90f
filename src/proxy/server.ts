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
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { AuditEventInput } from '../audit/event.js';
import type { Veil } from '../engine.js';
import { mask, type MaskResult } from '../pipeline/mask.js';
import { auditLogSink } from '../mcp/audit.js';
import { createMcpHttpHandler, type McpHttpHandler } from '../mcp/http.js';
import { policyUnmaskAuthorizer } from '../mcp/policy-authorizer.js';
import { UnmaskAuthorizer } from '../policy/unmask.js';
import { blockedError, PolicyGate, rehydrationScope, type Admission } from '../policy/gate.js';
import { defaultPolicy } from '../policy/load.js';
import { UnmaskService } from '../policy/unmask-service.js';
import { staticPolicySource, type PolicySource } from '../policy/watch.js';
import type { RequestTelemetry, Telemetry } from '../observability/telemetry.js';
import { loadableScopeOf, type TokenScope } from '../vault/token-scope.js';
import type { DetectContext } from '../detect/detector.js';
import { readRequestBody } from './body.js';
import type { GatewayConfig } from './config.js';
import { DemoUpstream } from './demo-upstream.js';
import { sendError } from './errors.js';
import { prepareAgentRequest } from './agents.js';
import { sendProviderError } from './provider-errors.js';
import { headerValue, requestIdOf, upstreamHeaders } from './headers.js';
import { assertNoLeak } from './leak-gate.js';
import { isObject } from './providers/json-text.js';
import { applyMasked, type ProviderAdapter, type Rehydration } from './providers/provider-adapter.js';
import { isEventStream, pipeThrough, sendRehydrated, streamRehydrated } from './respond.js';
import { RouteTable, type RouteMatch } from './routes.js';
import { providerKeyFor, withoutQueryKey } from './keyed-upstream.js';
import { SigV4Upstream } from './sigv4-upstream.js';
import { VAULT_FORGET_PATH, vaultForgetHandler, type VaultForgetHandler } from './vault-admin.js';
import type { Vault } from '../vault/vault.js';
import { HttpUpstream, type Upstream, type UpstreamResponse } from './upstream.js';
import { RuleHits } from '../policy/rule-hits.js';
import { RequestFeed, type FeedDraft } from '../ui/request-feed.js';
import { WebConsole, type ConsoleSettings } from '../ui/ui-handler.js';

export interface GatewayOptions {
  readonly veil: Veil;
  readonly config: GatewayConfig;
  /** Directories the `/mcp` file tools may use (default: the working directory). */
  readonly mcpRoots?: readonly string[];
  /** Defaults to the configured URL, or the demo upstream when there is none. */
  readonly upstream?: Upstream;
  readonly logger?: Logger;
  /** Replaces adapters by path (tests use it to simulate an adapter bug). */
  readonly adapters?: Readonly<Record<string, ProviderAdapter>>;
  /** Upstreams of other providers by name (`anthropic`, `azure`, …); default: from `config.providers`. */
  readonly upstreams?: Readonly<Record<string, Upstream>>;
  /** Audit events, metrics (`GET /metrics`) and traces, one per masked-route request. */
  readonly telemetry?: Telemetry;
  /** The policy in force (a `PolicyWatcher` for hot reload). Default: the built-in policy. */
  readonly policy?: PolicySource;
  /** Where provider keys named by the policy (`key_env`) are read. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives one audit event per unmask attempt; default: the telemetry's audit log. */
  readonly audit?: (event: AuditEventInput) => void;
  /** The web console at `/ui` (src/ui), on by default; `false` turns it off. */
  readonly console?: false | ConsoleSettings;
  /** The vault behind `veil`'s sessions: enables `POST /v1/veil/vault/forget` (vault-admin.ts). */
  readonly vault?: Vault;
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
  /** The console's record of this request (masked-route requests, console on). */
  feed: FeedDraft | undefined;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Veil's own endpoint for authorised unmask (not forwarded anywhere). */
const UNMASK_PATH = '/v1/veil/unmask';
const MCP_PATH = '/mcp';
const AUDIT_VERIFY_PATH = '/v1/veil/audit/verify';
const AUDIT_ROLES = new Set(['admin', 'auditor']);
/** Who each `/mcp` request was authenticated as, for the MCP handler's `identify`. */
const mcpCallers = new WeakMap<IncomingMessage, { tenant: string; principal: string; roles: readonly string[] }>();

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
  private readonly auditVerify: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  private readonly gate: PolicyGate;
  private readonly unmaskService: UnmaskService;
  private readonly vaultForget: VaultForgetHandler | undefined;
  /** Streamable-HTTP MCP endpoint (`/mcp`): the same engine as the CLI's `veil mcp`. */
  private readonly mcp: McpHttpHandler;
  private readonly feed: RequestFeed | undefined;
  private readonly webConsole: WebConsole | undefined;
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
      // A masked body needs a new signature. Keys are set per request (providerKeyFor).
      providers.set(name, name === 'bedrock' ? new SigV4Upstream(http, base, options.config.aws) : http);
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
    this.auditVerify = options.telemetry?.auditVerifyHandler();
    const policy = options.policy ?? staticPolicySource(defaultPolicy());
    // The policy's detector settings apply on top of the engine's detectors.
    const hits = options.console === false ? undefined : new RuleHits();
    this.gate = new PolicyGate(policy, { env: options.env ?? process.env, detectors: this.veil.detection.detectors, ...(hits === undefined ? {} : { hits }) });
    const auditLog = options.telemetry?.audit;
    const audit = options.audit ?? (auditLog === undefined ? undefined : (event: AuditEventInput) => auditLog.record(event));
    this.unmaskService = new UnmaskService({
      policy,
      openScope: (tenant, session) => this.veil.openScope({ tenant, session }),
      // The audited reason is redacted with the same detectors as requests.
      detectors: this.veil.detection.detectors,
      ...(audit === undefined ? {} : { audit }),
    });
    this.vaultForget =
      options.vault === undefined
        ? undefined
        : vaultForgetHandler({
            vault: options.vault,
            identify: async (req) => (await this.gate.identify({ path: VAULT_FORGET_PATH, headers: req.headers, remoteAddress: req.socket.remoteAddress })).principal,
            bodyLimitBytes: options.config.bodyLimitBytes,
            ...(audit === undefined ? {} : { audit }),
          });
    const consoleSettings = options.console === false ? undefined : (options.console ?? {});
    this.feed = consoleSettings === undefined ? undefined : (consoleSettings.feed ?? new RequestFeed());
    this.webConsole =
      this.feed === undefined || hits === undefined
        ? undefined
        : new WebConsole({
            ...consoleSettings,
            gate: this.gate,
            policy,
            unmask: this.unmaskService,
            feed: this.feed,
            hits,
            detectors: this.veil.detection.detectors,
            ...(auditLog === undefined ? {} : { audit: auditLog }),
          });
    this.mcp = createMcpHttpHandler(this.veil, {
      roots: options.mcpRoots ?? [process.cwd()],
      // The caller is who the gateway's auth says it is; serveMcp() authenticates first.
      identify: (req) => mcpCallers.get(req) ?? {},
      authorizer: policyUnmaskAuthorizer(() => new UnmaskAuthorizer(policy.current)),
      ...(auditLog === undefined ? {} : { audit: auditLogSink(auditLog) }),
    });
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
    this.webConsole?.close();
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
    const requestId = requestIdOf(req.headers, randomUUID);
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const method = req.method ?? 'GET';
    const stats: RequestStats = { route: undefined, masked: 0, maskMs: 0, unscanned: 0, upstreamStatus: null, model: null, telemetry: undefined, feed: undefined };
    res.once('close', () => {
      stats.telemetry?.finish({ status: res.writableFinished ? res.statusCode : 499, upstreamStatus: stats.upstreamStatus, model: stats.model });
      stats.feed?.publish({ status: res.writableFinished ? res.statusCode : 499, upstreamStatus: stats.upstreamStatus, model: stats.model, detectMs: stats.maskMs });
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
      // Auth and policy first: nothing is read, detected or forwarded for a refused caller.
      const admitStarted = performance.now();
      work = this.admit(req, path, route.provider).then((admission) => {
        const { principal } = admission;
        stats.telemetry = this.telemetry?.begin({
          route: route.route,
          provider: route.provider,
          tenant: principal.tenant,
          principal: { key_id: principal.keyId, role: principal.roles.length === 0 ? null : principal.roles.join('+') },
          policyVersion: admission.policy.version,
          requestId,
          startedAt: started,
        });
        // Stage `auth`: the policy gate's authentication and access checks.
        stats.telemetry?.recordStage('auth', admitStarted);
        stats.feed = this.feed?.draft({ tenant: principal.tenant, keyId: principal.keyId, route: route.route, provider: route.provider, started });
        return this.masked(req, res, route, requestId, stats, admission);
      });
    } else if (method === 'POST' && path === UNMASK_PATH) {
      stats.route = 'unmask';
      work = this.unmask(req, res, path, requestId);
    } else if (method === 'GET' && path === AUDIT_VERIFY_PATH && this.auditVerify !== undefined) {
      stats.route = 'audit-verify';
      work = this.serveAuditVerify(req, res, path);
    } else if (method === 'POST' && path === VAULT_FORGET_PATH && this.vaultForget !== undefined) {
      stats.route = 'vault-forget';
      work = this.vaultForget(req, res, requestId);
    } else if (this.webConsole !== undefined && WebConsole.matches(path)) {
      stats.route = 'ui';
      work = this.webConsole.handle(req, res, path, url, requestId);
    } else if (path === MCP_PATH) {
      stats.route = 'mcp';
      work = this.serveMcp(req, res, path);
    } else if (method === 'GET' && path === '/metrics' && this.metrics !== undefined) {
      this.metrics(req, res);
      work = Promise.resolve();
    } else if (method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      work = Promise.resolve(this.health(res, path, requestId));
    } else if ((method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) || this.isPassThrough(path)) {
      stats.route = 'pass-through';
      work = this.admit(req, path, 'openai').then((admission) => this.passThrough(req, res, url, requestId, admission));
    } else {
      req.resume();
      work = Promise.reject(notFound(method, path));
    }
    work.catch((error: unknown) => {
      // Refused before the body was read: drain it so the connection can be reused.
      if (!req.readableEnded) req.resume();
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

  /**
   * Emits 'abort' when the client goes away before its answer is complete. An emitter rather than
   * an AbortController: undici takes either, and the controller with its listener cost several
   * microseconds on every request.
   */
  private clientGone(res: ServerResponse): EventEmitter {
    const gone = new EventEmitter();
    res.once('close', () => {
      if (!res.writableFinished) gone.emit('abort');
    });
    return gone;
  }

  /** The policy's auth and access checks for a request the route table gave to `provider`. */
  private admit(req: IncomingMessage, path: string, provider: string): Promise<Admission> {
    return this.gate.admit({ path, provider, headers: req.headers, remoteAddress: req.socket.remoteAddress });
  }

  /**
   * `GET /v1/veil/audit/verify`: for callers with an `admin` or `auditor` role, or anyone on
   * loopback when auth is disabled (the default demo setup).
   */
  private async serveAuditVerify(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const { principal } = await this.gate.identify({ path, headers: req.headers, remoteAddress: req.socket.remoteAddress });
    const allowed = principal.method === 'anonymous' || principal.roles.some((role) => AUDIT_ROLES.has(role));
    if (!allowed) {
      req.resume();
      throw new VeilError(VeilErrorCode.Unauthorized, 'Verifying the audit log needs the admin or auditor role.', {
        data: { status: 403 },
      });
    }
    this.auditVerify?.(req, res);
  }

  /** `/mcp`: the same auth as every other route, then the MCP handler with that caller. */
  private async serveMcp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const { principal } = await this.gate.identify({ path, headers: req.headers, remoteAddress: req.socket.remoteAddress });
    mcpCallers.set(req, { tenant: principal.tenant, principal: principal.keyId, roles: principal.roles });
    await this.mcp(req, res);
  }

  /** `POST /v1/veil/unmask`: authenticated, not routed; Cedar decides per token (policy/unmask-service.ts). */
  private async unmask(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    const { principal } = await this.gate.identify({ path, headers: req.headers, remoteAddress: req.socket.remoteAddress });
    const raw = await readRequestBody(req, this.config.bodyLimitBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new VeilError(VeilErrorCode.BadInput, 'Request body is not valid JSON.');
    }
    const reply = await this.unmaskService.handle(principal, body, requestId);
    const payload = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      'x-request-id': requestId,
    });
    res.end(payload);
  }

  private async passThrough(
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    requestId: string,
    admission: Admission,
  ): Promise<void> {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const length = headerValue(req.headers, 'content-length');
    const upstream = await this.upstream.request({
      method: req.method ?? 'GET',
      path: url,
      headers: upstreamHeaders(withoutHeaders(req.headers, admission.stripHeaders), {
        requestId,
        apiKey: providerKeyFor('openai', admission.providerKey, this.config),
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
    admission: Admission,
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
    const { principal, sessionTtlSeconds } = admission;
    const scopeOrPromise = this.veil.openScope({
      tenant: principal.tenant,
      ...(session === undefined ? {} : { session }),
      ...(session === undefined || sessionTtlSeconds === undefined ? {} : { ttlSeconds: sessionTtlSeconds }),
      // Texts to mask: the vault loads the session with the values' write, one round trip.
      // A turn that only resends values this process knows for the session skips the vault,
      // unless the provider holds part of the conversation itself: its answer may then recall a
      // token that only the stored session knows.
      ...(extraction.texts.length > 0 ? { lazy: true, ...(referencesProviderState(body) ? {} : { knownTurns: true }) } : {}),
    });
    const scope: TokenScope = scopeOrPromise instanceof Promise ? await scopeOrPromise : scopeOrPromise;
    let outgoing: string | Buffer = prepared?.changed === true ? JSON.stringify(body) : raw;
    let entities = 0;
    let result: MaskResult | undefined;
    if (extraction.texts.length > 0) {
      const maskStarted = performance.now();
      const texts = extraction.texts;
      const telemetry = stats.telemetry;
      const { decide } = admission;
      // The built-in policy keeps the engine's own detection; a policy file configures its own.
      const run = admission.policy.builtin
        ? (context?: DetectContext) => this.veil.mask(texts, { scope, decide, ...(context === undefined ? {} : { context }) })
        : (context?: DetectContext) => mask(texts, { engine: admission.engine, scope, decide, ...(context === undefined ? {} : { context }) });
      // Timed as the detect (per tier), policy and vault stages.
      const pending = telemetry === undefined ? run() : telemetry.mask(run);
      result = pending instanceof Promise ? await pending : pending;
      stats.maskMs = performance.now() - maskStarted;
      telemetry?.masked(result);
      if (stats.feed !== undefined) stats.feed.entities = result.entities;
      if (result.blocked.length > 0) {
        telemetry?.blocked();
        throw blockedError(result.blocked);
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
    // A known turn was answered from the vault's memory: when the request shows a token of the
    // session that memory does not hold (another replica issued it), the session is loaded before
    // forwarding (one store call, only then), so an answer echoing it is put back.
    const loadable = loadableScopeOf(scope);
    if (loadable?.partial === true && loadable.needsLoad(typeof outgoing === 'string' ? outgoing : outgoing.toString('utf8'))) {
      await loadable.loadSession();
    }
    stats.feed?.forward(outgoing, session);
    // One order for every provider: caller's own key, policy key, gateway key (keyed-upstream.ts).
    const providerKey = providerKeyFor(route.provider, admission.providerKey, this.config);
    const forward = (): Promise<UpstreamResponse> =>
      target.request({
        method: 'POST',
        path: providerKey === undefined ? route.forwardPath : withoutQueryKey(route.provider, route.forwardPath),
        headers: upstreamHeaders(withoutHeaders(req.headers, admission.stripHeaders), {
          requestId,
          apiKey: providerKey,
          provider: route.provider,
          contentLength: typeof outgoing === 'string' ? Buffer.byteLength(outgoing) : outgoing.length,
        }),
        body: outgoing,
        signal: this.clientGone(res),
      });
    // Stage `upstream`: request sent until the response headers; `rehydrate`: from there to the last byte written.
    const upstream = await (stats.telemetry?.stage('upstream', forward) ?? forward());
    stats.upstreamStatus = upstream.statusCode;
    res.setHeader('x-veil-masked', String(entities));
    // Answers get back only what the policy lets come back (`rehydrate: false` rules are withheld).
    const answer = (): Promise<void> =>
      this.respond(res, upstream, adapter, scope, rehydrationScope(admission, scope, result?.entities ?? []), requestId);
    await (stats.telemetry?.stage('rehydrate', answer) ?? answer());
  }

  private async respond(
    res: ServerResponse,
    upstream: UpstreamResponse,
    adapter: ProviderAdapter,
    scope: TokenScope,
    visible: TokenScope,
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
      text: (value) => veil.rehydrate(value, visible),
      json: (value) => veil.rehydrate(value, visible, JSON_ESCAPE),
      stream: (json) => veil.streamRehydrator(visible, json ? JSON_ESCAPE : {}),
    };
    if (isEventStream(upstream) && !failed) {
      await streamRehydrated(res, upstream, adapter, rehydration, requestId);
    } else {
      await sendRehydrated(res, upstream, adapter, rehydration, requestId);
    }
  }
}

/** A copy of `headers` without `names` (the Veil credential must never reach a provider). */
function withoutHeaders(headers: IncomingHttpHeaders, names: readonly string[]): IncomingHttpHeaders {
  if (names.every((name) => headers[name] === undefined)) return headers;
  const copy: IncomingHttpHeaders = { ...headers };
  for (const name of names) delete copy[name];
  return copy;
}

/**
 * Request fields through which a provider adds conversation state it keeps itself (Responses
 * `previous_response_id` and `conversation`, Gemini cached contents) to what the request shows.
 */
const PROVIDER_STATE_FIELDS = ['previous_response_id', 'conversation', 'cachedContent', 'cached_content'] as const;

function referencesProviderState(body: Record<string, unknown>): boolean {
  return PROVIDER_STATE_FIELDS.some((field) => body[field] !== undefined && body[field] !== null);
}
