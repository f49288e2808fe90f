/**
 * Shared by the stdio and HTTP suites: a fixture tree, a fresh build when dist is stale, and
 * small accessors for tool results.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist when it is missing or older than the sources the spawned server runs. */
export function ensureBuilt(): void {
  const marker = join(REPO, 'dist', 'mcp', 'server.js');
  const sources = Math.max(
    newestMtime(join(REPO, 'src', 'mcp')),
    newestMtime(join(REPO, 'src', 'documents')),
    newestMtime(join(REPO, 'src', 'cli')),
  );
  if (existsSync(marker) && existsSync(CLI) && statSync(marker).mtimeMs >= sources) return;
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: REPO,
      stdio: 'ignore',
    });
  } catch {
    // Type errors elsewhere in the tree still emit JavaScript; the check below is what matters.
  }
  if (!existsSync(marker)) throw new Error('build did not produce dist/mcp/server.js');
}

export const PII = {
  email: 'maria.garcia@example.com',
  phone: '+1 415 555 0132',
  ssn: '123-45-6789',
  card: '4111 1111 1111 1111',
} as const;

export interface Fixture {
  /** The root the server is allowed to use. */
  readonly root: string;
  /** A directory outside the root. */
  readonly outside: string;
  readonly dataDir: string;
}

export async function makeFixture(): Promise<Fixture> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'veil-mcp-')));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  const dataDir = join(base, 'data');
  await mkdir(join(root, 'docs'), { recursive: true });
  await mkdir(outside);
  await writeFile(
    join(root, 'patients.csv'),
    `name,email,notes\nMaria Garcia,${PII.email},"call ${PII.phone}, ok"\nJohn Roe,n/a,SSN ${PII.ssn}\n`,
  );
  await writeFile(join(root, 'docs', 'readme.md'), `# Contact\n\nWrite to ${PII.email}.\n`);
  await writeFile(join(root, 'docs', 'clean.txt'), 'nothing to see here\n');
  await writeFile(join(root, 'card.txt'), `card ${PII.card}\n`);
  await writeFile(join(outside, 'secret.txt'), `SSN ${PII.ssn}\n`);
  await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
  return { root, outside, dataDir };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}
