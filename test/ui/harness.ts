/**
 * A real gateway for the console tests: the in-process `Gateway` with a policy that has a
 * privileged key (support lead + auditor, whom Cedar lets unmask), an unprivileged app key of
 * the same tenant and a key of another tenant, an audit log with frequent signed checkpoints,
 * and the demo upstream. Phones get format-preserving (fpe) tokens; the policy defines its own
 * detectors too: a custom entity (TICKET_ID), the tiny test ONNX model and an LLM detector
 * served by the local fake model server (which knows project code names such as Falcon).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Veil } from '../../src/engine.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { hashApiKey } from '../../src/policy/keys.js';
import { PolicyWatcher } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { startFakeLlm, type FakeLlm } from '../detect/llm/fake-llm.js';
import { API_AUDIENCE, CLIENT_ID, startFakeIdp, type FakeIdp } from './fake-idp.js';

export const LEAD_KEY = 'veil_console_test_lead_0123456789abcdef';
export const APP_KEY = 'veil_console_test_app_0123456789abcdef';
export const OTHER_KEY = 'veil_console_test_other_0123456789abcdef';
export const OTHER_LEAD_KEY = 'veil_console_test_other_lead_0123456789abcdef';

const ONNX_FIXTURE = resolve(import.meta.dirname, '../fixtures/onnx-tiny');

/**
 * The test policy; `issuer` adds JWT login from that OIDC provider (keys in jwks.json), `llmUrl`
 * the LLM detector at that OpenAI-compatible endpoint.
 */
export function policyText(issuer?: string, llmUrl?: string): string {
  const jwt = issuer === undefined ? '' : `auth:\n  jwt:\n    issuer: '${issuer}'\n    audience: ${API_AUDIENCE}\n    jwks_file: jwks.json\n`;
  const llm = llmUrl === undefined ? '' : `  llm:\n    url: '${llmUrl}'\n    model: fake-pii\n    custom: [{ type: PROJECT_CODE, description: internal project code names }]\n`;
  return `${jwt}${POLICY}${DETECTORS}${llm}`;
}

const POLICY = `
tenants:
  - id: acme
    keys:
      - { id: lead, hash: '${hashApiKey(LEAD_KEY)}', roles: [support-lead, auditor] }
      - { id: app, hash: '${hashApiKey(APP_KEY)}', roles: [app] }
  - id: beta
    keys:
      - { id: beta-app, hash: '${hashApiKey(OTHER_KEY)}', roles: [app] }
      - { id: beta-lead, hash: '${hashApiKey(OTHER_LEAD_KEY)}', roles: [support-lead] }
rules:
  - id: cards-redacted
    when: { entity: CREDIT_CARD }
    action: redact
  - id: beta-mails-opaque
    when: { entity: EMAIL, tenant: beta }
    action: mask
    format: opaque
  - id: phones-fpe
    when: { entity: PHONE }
    action: mask
    format: fpe
  - id: mask-the-rest
    action: mask
unmask:
  require_reason: true
  policies: |
    @id("support-lead-may-unmask")
    permit (principal in Veil::Role::"support-lead", action == Veil::Action::"unmask", resource)
    when { principal.tenant == resource.tenant };
`;

const DETECTORS = `detectors:
  custom:
    - { type: TICKET_ID, pattern: 'TCK-[0-9]{6}', score: 0.95 }
  onnx:
    - { id: tiny, path: '${ONNX_FIXTURE}', labels: { PER: PERSON, LOC: LOCATION }, min_score: 0.5 }
`;

export interface ConsoleHarness {
  readonly url: string;
  readonly dataDir: string;
  readonly policyFile: string;
  readonly watcher: PolicyWatcher;
  readonly telemetry: Telemetry;
  /** The OIDC provider the policy trusts (a support lead: tenant acme, role auditor). */
  readonly idp: FakeIdp;
  /** The model server the policy's LLM detector asks. */
  readonly llm: FakeLlm;
  close(): Promise<void>;
}

export async function startConsoleGateway(options: { veil?: Veil } = {}): Promise<ConsoleHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-ui-'));
  const policyFile = join(dataDir, 'veil.yaml');
  const idp = await startFakeIdp({ tenant: 'acme', roles: ['auditor'], sub: 'dana@example.org' });
  await writeFile(join(dataDir, 'jwks.json'), JSON.stringify(idp.jwks), 'utf8');
  const llm = await startFakeLlm();
  await writeFile(policyFile, policyText(idp.url, llm.url), 'utf8');
  const watcher = new PolicyWatcher(policyFile);
  const telemetry = await Telemetry.open({ dataDir, env: {}, audit: { checkpointEvery: 3, flushIntervalMs: 5 } });
  const gateway = new Gateway({
    veil: options.veil ?? new Veil(),
    config: resolveConfig({ flags: { port: 0 } }),
    telemetry,
    policy: watcher,
    env: {},
    console: { dataDir, oidc: { clientId: CLIENT_ID, scope: 'openid' } },
  });
  const { url } = await gateway.listen();
  return {
    url,
    dataDir,
    policyFile,
    watcher,
    telemetry,
    idp,
    llm,
    async close() {
      watcher.close();
      await idp.close();
      await llm.close();
      await gateway.close(100);
      await telemetry.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A console API call as the page makes it. */
export async function consoleApi(url: string, path: string, key: string | undefined, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = { 'x-veil-console': '1' };
  if (key !== undefined) headers['x-veil-key'] = key;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}/ui/api/${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a download): the text is enough.
  }
  return { status: response.status, body, text };
}
