/**
 * The MCP endpoint mounted on the gateway at /mcp, driven by the SDK's own client over
 * streamable HTTP: the same tools as `veil mcp`, behind the gateway's auth.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';

let gateway: Gateway;
let url: string;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'veil-gw-mcp-'));
  gateway = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0 } }), mcpRoots: [root] });
  url = (await gateway.listen()).url;
});
afterAll(async () => {
  await gateway.close();
  await rm(root, { recursive: true, force: true });
});

async function connect(): Promise<Client> {
  const client = new Client({ name: 'veil-gateway-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return client;
}

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((part) => part.text ?? '').join('');
}

describe('MCP on the gateway (/mcp)', () => {
  it('lists the tools and masks a text', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['detect', 'mask_file', 'mask_text', 'scan_directory', 'unmask_text']);
    const result = await client.callTool({ name: 'mask_text', arguments: { text: 'Mail maria@example.com or call +1 415 555 0132' } });
    expect(textOf(result)).toContain('<<EMAIL_1>>');
    expect(JSON.stringify(result)).not.toContain('maria@example.com');
    await client.close();
  });

  it('masks a file inside the roots and refuses one outside them', async () => {
    const client = await connect();
    await writeFile(join(root, 'note.txt'), 'SSN 123-45-6789\n');
    const ok = await client.callTool({ name: 'mask_file', arguments: { path: join(root, 'note.txt') } });
    expect(ok.isError).not.toBe(true);
    expect(await readFile(join(root, 'note.masked.txt'), 'utf8')).toBe('SSN <<SSN_1>>\n');
    const outside = await client.callTool({ name: 'mask_file', arguments: { path: '/etc/hostname' } });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toContain('outside the allowed roots');
    await client.close();
  });

  it('denies unmask under the default policy (no unmask rules)', async () => {
    const client = await connect();
    await client.callTool({ name: 'mask_text', arguments: { text: 'mail maria@example.com', session: 'gw-mcp-1' } });
    const denied = await client.callTool({
      name: 'unmask_text',
      arguments: { text: '<<EMAIL_1>>', session: 'gw-mcp-1', reason: 'support ticket 42' },
    });
    expect(JSON.stringify(denied)).not.toContain('maria@example.com');
    await client.close();
  });

  it('answers other methods with 405', async () => {
    const response = await fetch(`${url}/mcp`);
    expect(response.status).toBe(405);
  });
});
