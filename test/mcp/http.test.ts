/**
 * The streamable-HTTP handler on a plain node:http server, driven by the SDK's own client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import type { McpAuditEvent, UnmaskRequest } from '../../src/mcp/authorizer.js';
import { createMcpHttpHandler, type McpHttpOptions } from '../../src/mcp/http.js';
import { policyUnmaskAuthorizer } from '../../src/mcp/policy-authorizer.js';
import { parsePolicy } from '../../src/policy/load.js';
import { UnmaskAuthorizer as CedarUnmaskAuthorizer } from '../../src/policy/unmask.js';
import { call, makeFixture, PII, textOf, type Fixture } from './helpers.js';
import { toolSuite } from './tool-suite.js';

interface Running {
  readonly server: Server;
  readonly url: URL;
}

async function listen(veil: Veil, options: McpHttpOptions): Promise<Running> {
  const handler = createMcpHttpHandler(veil, options);
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/mcp') === true) {
      handler(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: new URL(`http://127.0.0.1:${port}/mcp`) };
}

async function connect(url: URL, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'veil-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

describe('MCP over streamable HTTP (createMcpHttpHandler)', () => {
  let fixture: Fixture;
  // One engine for both servers: sessions without a vault live in its memory.
  const veil = new Veil();
  let denying: Running;
  let allowing: Running;
  let client: Client;
  const audit: McpAuditEvent[] = [];
  const asked: UnmaskRequest[] = [];

  beforeAll(async () => {
    fixture = await makeFixture();
    denying = await listen(veil, { roots: [fixture.root], audit: (event) => void audit.push(event) });
    allowing = await listen(veil, {
      roots: [fixture.root],
      identify: (req) => ({ tenant: 'default', principal: String(req.headers['x-user'] ?? 'anonymous') }),
      authorizer: {
        authorize: (request) => {
          asked.push(request);
          return request.principal === 'admin'
            ? { allowed: true, reason: 'admin may unmask', rule: 'test-admin' }
            : { allowed: false, reason: 'only admin may unmask', rule: 'test-admin' };
        },
      },
      audit: (event) => void audit.push(event),
    });
    client = await connect(denying.url);
  });

  afterAll(async () => {
    await client?.close();
    denying?.server.close();
    allowing?.server.close();
  });

  toolSuite(
    () => client,
    () => fixture,
  );

  it('audits the denied unmask without values', () => {
    const denied = audit.find((event) => event.outcome === 'denied' && event.transport === 'http');
    expect(denied).toMatchObject({ action: 'unmask', session: 'suite-1', tenant: 'default', tokens: 0 });
    expect(JSON.stringify(audit)).not.toContain(PII.email);
  });

  it('asks the authorizer with the caller identity and unmasks when it allows', async () => {
    const masked = await call(client, 'mask_text', { text: `SSN ${PII.ssn}`, session: 'http-allow' });
    const admin = await connect(allowing.url, { 'x-user': 'admin' });
    const guest = await connect(allowing.url, { 'x-user': 'guest' });
    try {
      const ok = await call(admin, 'unmask_text', { text: textOf(masked), session: 'http-allow' });
      expect(ok.isError, textOf(ok)).toBeFalsy();
      expect(textOf(ok)).toBe(`SSN ${PII.ssn}`);
      const refused = await call(guest, 'unmask_text', { text: textOf(masked), session: 'http-allow' });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe('unmask denied: only admin may unmask');
    } finally {
      await admin.close();
      await guest.close();
    }
    expect(asked.map((request) => request.principal)).toEqual(['admin', 'guest']);
    expect(audit.filter((event) => event.session === 'http-allow').map((event) => [event.principal, event.outcome, event.tokens])).toEqual([
      ['admin', 'allowed', 1],
      ['guest', 'denied', 0],
    ]);
  });

  it('refuses to release values when the attempt cannot be audited', async () => {
    const broken = await listen(veil, {
      roots: [fixture.root],
      authorizer: { authorize: () => ({ allowed: true, reason: 'test' }) },
      audit: () => {
        throw new Error('disk full');
      },
    });
    const masked = await call(client, 'mask_text', { text: `SSN ${PII.ssn}`, session: 'http-broken-audit' });
    const other = await connect(broken.url);
    try {
      const result = await call(other, 'unmask_text', { text: textOf(masked), session: 'http-broken-audit' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe('unmask refused: the attempt could not be recorded in the audit log');
    } finally {
      await other.close();
      broken.server.close();
    }
  });

  it("applies the policy's Cedar unmask rules per token", async () => {
    const policy = parsePolicy(`
tenants: [{ id: default }]
unmask:
  policies: |
    @id("support-emails")
    permit (principal in Veil::Role::"support", action == Veil::Action::"unmask", resource)
    when { resource.type == "EMAIL" };
`);
    const cedar = await listen(veil, {
      roots: [fixture.root],
      identify: (req) => ({ tenant: 'default', principal: 'support-key', roles: String(req.headers['x-roles'] ?? '').split(',').filter(Boolean) }),
      authorizer: policyUnmaskAuthorizer(new CedarUnmaskAuthorizer(policy)),
      audit: (event) => void audit.push(event),
    });
    const masked = await call(client, 'mask_text', { text: `Mail ${PII.email}, SSN ${PII.ssn}`, session: 'http-cedar' });
    const support = await connect(cedar.url, { 'x-roles': 'support' });
    const stranger = await connect(cedar.url, { 'x-roles': 'sales' });
    try {
      const partial = await call(support, 'unmask_text', { text: textOf(masked), session: 'http-cedar', reason: 'ticket 812' });
      expect(partial.isError, textOf(partial)).toBeFalsy();
      expect(textOf(partial)).toBe(`Mail ${PII.email}, SSN <<SSN_1>>`);
      expect(partial.structuredContent).toMatchObject({ restored: 1, withheld: 1 });
      const noReason = await call(support, 'unmask_text', { text: textOf(masked), session: 'http-cedar' });
      expect(textOf(noReason)).toMatch(/^unmask denied: denied by the unmask policy \(reason_required\)/);
      const denied = await call(stranger, 'unmask_text', { text: textOf(masked), session: 'http-cedar', reason: 'curious' });
      expect(denied.isError).toBe(true);
      expect(textOf(denied)).toBe('unmask denied: denied by the unmask policy (denied)');
    } finally {
      await support.close();
      await stranger.close();
      cedar.server.close();
    }
    expect(audit.filter((event) => event.session === 'http-cedar').map((event) => [event.outcome, event.tokens, event.rule])).toEqual([
      ['allowed', 1, 'support-emails'],
      ['denied', 0, undefined],
      ['denied', 0, undefined],
    ]);
  });

  it('answers GET with 405 and a non-JSON body with a parse error', async () => {
    const get = await fetch(denying.url);
    expect(get.status).toBe(405);
    const bad = await fetch(denying.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32700 } });
  });
});
