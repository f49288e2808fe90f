/**
 * `veil mcp` spawned from dist and driven by the SDK's own client over stdio.
 */
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

  it('reports the server identity', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'veil' });
  });
});
