/**
 * The web console at `/ui`: server-rendered pages, their static scripts and styles (the
 * top-level `ui/` folder), and the JSON API under `/ui/api/*` they call. The gateway hands every
 * `/ui` request here; this module authenticates API calls with the gateway's own policy gate,
 * so a console viewer is exactly the principal the same credential would be on `/v1`.
 *
 * Every API call must carry `x-veil-console: 1`: a header a cross-site form or image cannot
 * send, so with auth disabled (loopback demo) another web page in the same browser cannot make
 * the console act (reveal, create reports) on its behalf.
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditLog } from '../audit/audit-log.js';
import type { Detector } from '../detect/detector.js';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { isLoopback } from '../policy/authenticate.js';
import type { PolicyGate } from '../policy/gate.js';
import type { RuleHits } from '../policy/rule-hits.js';
import type { UnmaskService } from '../policy/unmask-service.js';
import type { PolicySource } from '../policy/watch.js';
import { AuditApi } from './audit-api.js';
import { describeDetection } from './detection-api.js';
import { readLatestEval } from './latest-eval.js';
import { badInput, forbidden, notFound, readJsonObject, send, sendJson } from './http.js';
import { LiveApi } from './live-api.js';
import { OidcLogin, type OidcClient } from './oidc.js';
import { isPageId, renderPage } from './pages.js';
import { parsePlaygroundInput, Playground } from './playground.js';
import { describePolicy } from './policy-api.js';
import type { RequestFeed } from './request-feed.js';
import { describeViewer, viewerOf, type Viewer } from './viewer.js';

export const UI_PREFIX = '/ui';

/** What `veil serve` (or an embedding program) configures; the gateway supplies the rest. */
export interface ConsoleSettings {
  /** Where `veil eval` leaves its latest figures (`<dataDir>/eval/latest.json`). */
  readonly dataDir?: string;
  /** Replaces the default feed (tests, or a feed shared with something else). */
  readonly feed?: RequestFeed;
  /** OIDC client for "log in with the identity provider" (`ui.oidc` in veil.yaml). */
  readonly oidc?: OidcClient;
}

export interface WebConsoleOptions extends ConsoleSettings {
  readonly gate: PolicyGate;
  readonly policy: PolicySource;
  readonly unmask: UnmaskService;
  readonly feed: RequestFeed;
  readonly hits: RuleHits;
  /** Detectors the gateway's engine runs (before the policy's selection). */
  readonly detectors: readonly Detector[];
  /** The audit log; without one the audit pages say that auditing is off. */
  readonly audit?: AuditLog;
  /** Folder of the static files (default: the package's `ui/`). */
  readonly assetsDir?: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const DEFAULT_ASSETS = fileURLToPath(new URL('../../ui/', import.meta.url));

/** Reads the static files once; only names listed in the folder are ever served. */
function loadAssets(dir: string): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type !== undefined) assets.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return assets;
}

export class WebConsole {
  private readonly options: WebConsoleOptions;
  private readonly live: LiveApi;
  private readonly playground: Playground;
  private readonly auditApi: AuditApi | undefined;
  private readonly oidc: OidcLogin | undefined;
  private readonly startedAt = new Date();
  private assets: Map<string, { type: string; body: Buffer }> | undefined;

  constructor(options: WebConsoleOptions) {
    this.options = options;
    this.live = new LiveApi({ feed: options.feed, unmask: options.unmask });
    this.oidc = options.oidc === undefined ? undefined : new OidcLogin(options.oidc);
    this.playground = new Playground({ policy: () => options.policy.current, detectors: options.detectors });
    this.auditApi =
      options.audit === undefined
        ? undefined
        : new AuditApi({
            audit: options.audit,
            detectors: () => options.detectors.map((detector) => ({ id: detector.id, tier: detector.tier, types: [...detector.types] })),
            evaluation: () => readLatestEval(options.dataDir),
          });
  }

  static matches(path: string): boolean {
    return path === UI_PREFIX || path.startsWith(`${UI_PREFIX}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, url: string, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    const rest = path.slice(UI_PREFIX.length).replace(/^\/+/, '');
    if (rest.startsWith('api/')) {
      await this.api(req, res, rest.slice(4), new URL(url, 'http://veil.local'), requestId);
      return;
    }
    req.resume();
    if (method !== 'GET' && method !== 'HEAD') throw notFound(`The console does not serve ${method} ${path}.`);
    if (rest === '') {
      res.writeHead(302, { location: '/ui/live', 'cache-control': 'no-store' });
      res.end();
      return;
    }
    if (rest.startsWith('assets/')) {
      this.assets ??= loadAssets(this.options.assetsDir ?? DEFAULT_ASSETS);
      const asset = this.assets.get(rest.slice('assets/'.length));
      if (asset === undefined) throw notFound(`No console asset ${rest}.`);
      send(res, 200, asset.type, asset.body, { 'cache-control': 'no-cache' });
      return;
    }
    if (!isPageId(rest)) throw notFound(`No console page ${path}.`);
    const authDisabled = this.options.policy.current.auth.mode === 'disabled' && isLoopback(req.socket.remoteAddress);
    send(res, 200, 'text/html; charset=utf-8', renderPage(rest, { authDisabled }));
  }

  private async viewer(req: IncomingMessage, path: string): Promise<Viewer> {
    const { principal } = await this.options.gate.identify({ path, headers: req.headers, remoteAddress: req.socket.remoteAddress });
    return viewerOf(principal);
  }

  private async api(req: IncomingMessage, res: ServerResponse, route: string, url: URL, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (req.headers['x-veil-console'] !== '1') {
      req.resume();
      throw forbidden('Console API calls must come from the console (x-veil-console header).');
    }
    // The two steps of logging in, before there is a credential.
    if (route === 'login-options' && method === 'GET') {
      req.resume();
      sendJson(res, 200, { oidc: await this.loginOptions() });
      return;
    }
    if (route === 'oidc/token' && method === 'POST') {
      sendJson(res, 200, { token: await this.oidcToken(req) });
      return;
    }
    // Authenticated before anything is read: a refused caller learns nothing.
    const viewer = await this.viewer(req, url.pathname);
    const parts = route.split('/');
    if (method === 'POST') {
      if (route === 'playground') {
        sendJson(res, 200, await this.playground.run(viewer, parsePlaygroundInput(await readJsonObject(req, 256 * 1024))));
        return;
      }
      if (parts[0] === 'requests' && parts.length === 3 && parts[2] === 'reveal') {
        await this.live.reveal(viewer, parts[1] as string, req, res, requestId);
        return;
      }
      if (route === 'audit/report') {
        const body = await readJsonObject(req, 16 * 1024);
        await this.audit(viewer).createReport(viewer, body, res);
        return;
      }
      req.resume();
      throw notFound(`No console API POST ${route}.`);
    }
    req.resume();
    if (method !== 'GET') throw notFound(`No console API ${method} ${route}.`);
    switch (route) {
      case 'session':
        sendJson(res, 200, { viewer: describeViewer(viewer), auditing: this.auditApi !== undefined, policyVersion: this.options.policy.current.version });
        return;
      case 'requests':
        this.live.list(viewer, res);
        return;
      case 'requests/stream':
        this.live.stream(viewer, res);
        return;
      case 'playground':
        sendJson(res, 200, this.playground.describe(viewer));
        return;
      case 'policy':
        this.oversee(viewer, 'The policy page');
        sendJson(res, 200, describePolicy(this.options.policy, this.options.hits, this.startedAt));
        return;
      case 'detection':
        sendJson(res, 200, await describeDetection(this.options.policy.current, this.options.detectors, this.options.dataDir));
        return;
      case 'audit/events':
        await this.audit(viewer).events(url, res);
        return;
      case 'audit/verify':
        await this.audit(viewer).verify(url, res);
        return;
    }
    if (parts[0] === 'requests' && parts.length === 2) {
      this.live.detail(viewer, parts[1] as string, res);
      return;
    }
    if (parts[0] === 'audit' && parts[1] === 'report' && parts.length === 4) {
      this.audit(viewer).download(viewer, parts[2] as string, parts[3] as string, res);
      return;
    }
    throw notFound(`No console API GET ${route}.`);
  }

  private issuer(): string | undefined {
    return this.options.policy.current.auth.jwt?.issuer;
  }

  /** Where the login page sends the browser, or null when OIDC login is not configured. */
  private async loginOptions(): Promise<Record<string, unknown> | null> {
    const issuer = this.issuer();
    if (this.oidc === undefined || issuer === undefined) return null;
    try {
      return await this.oidc.options(issuer);
    } catch (error) {
      return { issuer, error: VeilError.isInstance(error) ? error.message : 'The identity provider could not be asked.' };
    }
  }

  /** Exchanges the code and returns the provider's token that the policy's JWT settings accept. */
  private async oidcToken(req: IncomingMessage): Promise<string> {
    const body = await readJsonObject(req, 16 * 1024);
    const issuer = this.issuer();
    if (this.oidc === undefined || issuer === undefined) throw notFound('OIDC login is not configured.');
    const { code, codeVerifier, redirectUri } = body;
    if (typeof code !== 'string' || typeof codeVerifier !== 'string' || typeof redirectUri !== 'string') {
      throw badInput("'code', 'codeVerifier' and 'redirectUri' are required.");
    }
    if (!/^https?:\/\/[^/]+\/ui\/login$/.test(redirectUri)) throw badInput("'redirectUri' must be this console's /ui/login.");
    const tokens = await this.oidc.exchange(issuer, { code, codeVerifier, redirectUri });
    let refusal: unknown = new VeilError(VeilErrorCode.Unauthorized, 'The identity provider returned no JWT.', { data: { status: 401 } });
    for (const token of tokens) {
      try {
        await this.options.gate.identify({ path: '/ui/api/oidc/token', headers: { 'x-veil-key': token }, remoteAddress: req.socket.remoteAddress });
        return token;
      } catch (error) {
        refusal = error;
      }
    }
    throw refusal;
  }

  private oversee(viewer: Viewer, what: string): void {
    if (!viewer.oversees) throw forbidden(`${what} needs the admin or auditor role.`);
  }

  private audit(viewer: Viewer): AuditApi {
    this.oversee(viewer, 'The audit explorer');
    if (this.auditApi === undefined) throw badInput('Auditing is off in this gateway (it was started without an audit log).');
    return this.auditApi;
  }

  /** Ends the live streams (the gateway calls this when it closes). */
  close(): void {
    this.live.close();
  }
}
