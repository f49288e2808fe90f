/**
 * `veil mcp` spawned from dist and driven by the SDK's own client over stdio.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, CLI, ensureBuilt, makeFixture, PII, textOf, type Fixture } from './helpers.js';
import { toolSuite } from './tool-suite.js';

async function connect(fixture: Fixture, extraArgs: string[] = []): Promise<Client> {
  const client = new Client({ name: 'veil-test', version: '1.0.0' });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env['VEIL_DATA_DIR'] = fixture.dataDir;
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--root', fixture.root, ...extraArgs],
      cwd: fixture.root,
      env,
      stderr: 'ignore',
    }),
  );
  return client;
}

describe('MCP over stdio (veil mcp)', () => {
  let fixture: Fixture;
  let client: Client;

  beforeAll(async () => {
    ensureBuilt();
    fixture = await makeFixture();
    client = await connect(fixture);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
  });

  toolSuite(
    () => client,
    () => fixture,
  );

  it('unmasks with --allow-unmask, across server restarts through the vault', async () => {
    const masked = await call(client, 'mask_text', { text: `Reach ${PII.email} at ${PII.phone}`, session: 'restart' });
    const allowed = await connect(fixture, ['--allow-unmask']);
    try {
      const result = await call(allowed, 'unmask_text', { text: `${textOf(masked)} (confirmed)`, session: 'restart' });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(textOf(result)).toBe(`Reach ${PII.email} at ${PII.phone} (confirmed)`);
      expect(result.structuredContent).toMatchObject({ restored: 2 });
    } finally {
      await allowed.close();
    }
  });

  it('records denied and allowed unmask attempts in the audit log, without values', async () => {
    await call(client, 'unmask_text', { text: '<<EMAIL_1>>', session: 'restart' });
    const allowed = await connect(fixture, ['--allow-unmask']);
    try {
      await call(allowed, 'unmask_text', { text: '<<EMAIL_1>>', session: 'restart' });
    } finally {
      await allowed.close();
    }
    // Each event is written when it happens (the log is opened per event), so it is on disk now.
    const directory = join(fixture.dataDir, 'audit');
    const names = (await readdir(directory)).filter((name) => name.startsWith('events-'));
    const text = (await Promise.all(names.map((name) => readFile(join(directory, name), 'utf8')))).join('');
    const unmasks = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((event) => event['kind'] === 'unmask');
    expect(unmasks.slice(-2)).toEqual([
      expect.objectContaining({ command: 'mcp', tenant: 'default', outcome: 'denied', unmask: { allowed: false, tokens: 0 } }),
      expect.objectContaining({ command: 'mcp', tenant: 'default', outcome: 'ok', unmask: { allowed: true, tokens: 1 } }),
    ]);
    expect(text).not.toContain(PII.email);
  });

  it('reports the server identity', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'veil' });
  });
});
