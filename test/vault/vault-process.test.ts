/**
 * Several processes on one vault: durability across SIGKILL and racing writers. The child
 * processes run the built vault from dist/ (`npm test` builds it first; built here when missing
 * or older than the sources).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../src/vault/vault.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const worker = fileURLToPath(new URL('./fixtures/vault-worker.mjs', import.meta.url));
const builtVault = join(repo, 'dist', 'vault', 'vault.js');
const root = mkdtempSync(join(tmpdir(), 'veil-vault-process-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const sources = Math.max(newestSource(join(repo, 'src', 'vault')), newestSource(join(repo, 'src', 'core')));
  if (existsSync(builtVault) && statSync(builtVault).mtimeMs >= sources) return;
  // tsc emits even when some other part of the tree has type errors; what matters here is
  // that the vault's modules were written.
  spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: repo,
    stdio: 'ignore',
  });
  if (!existsSync(builtVault)) throw new Error('dist/vault/vault.js is missing after the build');
}, 120_000);

const vaultUrl = (): string => pathToFileURL(builtVault).href;

describe('vault across processes', () => {
  it('a token handed out survives the process being killed with SIGKILL', async () => {
    const dataDir = join(root, 'killed');
    const child = spawn(process.execPath, [worker, vaultUrl(), dataDir, 'endless', 'acme', 'chat-1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const printed = await new Promise<string[]>((resolve, reject) => {
      let buffer = '';
      const lines: string[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        lines.push(...parts);
        // Kill it mid-stream, while it is still writing.
        if (lines.length >= 200 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) => {
        if (signal === 'SIGKILL') resolve(lines);
        else reject(new Error(`worker exited without being killed: ${stderr}`));
      });
    });
    expect(printed.length).toBeGreaterThanOrEqual(200);
    const vault = await Vault.open({ dataDir, env: {} });
    try {
      const scope = await vault.openScope({ tenant: 'acme', session: 'chat-1' });
      for (const line of printed) {
        const [index, token] = line.split(' ');
        expect(scope.resolve(token ?? '')).toBe(`user${index}@example.com`);
      }
      expect(scope.size).toBeGreaterThanOrEqual(printed.length);
    } finally {
      await vault.close();
    }
  }, 60_000);

  it('three processes racing on one file end with one token per value and distinct numbers', async () => {
    const dataDir = join(root, 'race');
    const count = 50;
    const startAt = Date.now() + 1500;
    const runs = [11, 22, 33].map(
      (seed) =>
        new Promise<Record<string, string>>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [worker, vaultUrl(), dataDir, 'race', 'acme', 'chat-race', String(startAt), String(count), String(seed)],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('exit', (code) => {
            if (code === 0) resolve(JSON.parse(stdout) as Record<string, string>);
            else reject(new Error(`worker failed (${code}): ${stderr}`));
          });
        }),
    );
    const results = await Promise.all(runs);
    const values = Array.from({ length: count }, (_, i) => `value${i}@example.com`);
    for (const value of values) {
      const tokens = new Set(results.map((result) => result[value]));
      expect(tokens.size).toBe(1);
    }
    const first = results[0] ?? {};
    const numbers = values.map((value) => Number((first[value] ?? '').replace('EMAIL_', '')));
    expect([...numbers].sort((a, b) => a - b)).toEqual(values.map((_, i) => i + 1));
    const vault = await Vault.open({ dataDir, env: {} });
    try {
      const scope = await vault.openScope({ tenant: 'acme', session: 'chat-race' });
      expect(scope.size).toBe(count);
      for (const value of values) expect(scope.resolve(first[value] ?? '')).toBe(value);
    } finally {
      await vault.close();
    }
  }, 60_000);
});
