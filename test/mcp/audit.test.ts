import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { openPerEventAuditSink, toAuditEvent } from '../../src/mcp/audit.js';

describe('MCP audit events', () => {
  it('maps an unmask attempt to an audit event the log accepts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veil-mcp-audit-'));
    const sink = openPerEventAuditSink(() => AuditLog.open({ dataDir }));
    await sink({
      action: 'unmask',
      outcome: 'denied',
      transport: 'http',
      tenant: 'acme',
      session: 'chat-1',
      principal: 'not an id',
      reason: 'only admin may unmask',
      rule: 'unmask-admins',
      tokens: 0,
    });
    await sink({
      action: 'unmask',
      outcome: 'allowed',
      transport: 'stdio',
      tenant: 'acme',
      session: 'chat-1',
      principal: 'alice',
      reason: 'ok',
      tokens: 2,
      tokenIds: ['EMAIL_1', 'PHONE_1'],
    });
    const directory = join(dataDir, 'audit');
    const names = (await readdir(directory)).filter((name) => name.startsWith('events-'));
    const events = (await Promise.all(names.map((name) => readFile(join(directory, name), 'utf8'))))
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'unmask',
        tenant: 'acme',
        route: '/mcp',
        principal: { key_id: null, role: null },
        rule_ids: ['unmask-admins'],
        outcome: 'denied',
        unmask: { allowed: false, tokens: 0 },
      }),
      expect.objectContaining({
        route: null,
        principal: { key_id: 'alice', role: null },
        token_ids: ['EMAIL_1', 'PHONE_1'],
        outcome: 'ok',
        unmask: { allowed: true, tokens: 2 },
      }),
    ]);
  });

  it('carries no session id or reason text into the log', () => {
    const event = toAuditEvent({ action: 'unmask', outcome: 'allowed', transport: 'stdio', tenant: 'default', session: 's', reason: 'r', tokens: 1 });
    expect(JSON.stringify(event)).not.toMatch(/"s"|"r"/);
  });
});
