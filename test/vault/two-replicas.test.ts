/**
 * Two `veil serve` processes on one PostgreSQL vault, as behind a load balancer: a
 * conversation whose turns alternate between them keeps its tokens, and a model answer with
 * tokens issued by replica A is put back by replica B.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { startMockUpstream, tokensIn, type MockUpstream } from '../proxy/helpers/mock-upstream.js';
import { CLI, ensureBuilt } from '../helpers/dist.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

const root = mkdtempSync(join(tmpdir(), 'veil-two-replicas-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
  await dropSchemas();
});

async function startReplica(cli: string, name: string, env: NodeJS.ProcessEnv, upstream: string): Promise<string> {
  const child = spawn(process.execPath, [fileURLToPath(cli), 'serve', '--port', '0', '--upstream', upstream], {
    env: { PATH: process.env['PATH'], ...env, VEIL_DATA_DIR: join(root, name) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`replica ${name} did not start: ${stderr}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /gateway listening on (http:\/\/[^\s]+)\/v1/.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica ${name} exited (${code}): ${stderr}`));
    });
  });
}

async function ask(url: string, session: string, content: string): Promise<string> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', 'x-veil-session': session },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? '';
}

if (pgProbe.url === undefined) {
  describe.skip(`two veil serve replicas on PostgreSQL (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;
  describe('two veil serve replicas on PostgreSQL', () => {
    let mock: MockUpstream;
    let a: string;
    let b: string;
    beforeAll(async () => {
      // The compiled CLI, as users run it (it finds the NER model next to the package).
      ensureBuilt();
      const cli = { url: pathToFileURL(CLI).href };
      mock = await startMockUpstream();
      const env = { VEIL_VAULT_URL: url, VEIL_VAULT_SCHEMA: newSchema('replicas'), VEIL_MASTER_KEY: generateMasterKey() };
      [a, b] = await Promise.all([startReplica(cli.url, 'a', env, mock.url), startReplica(cli.url, 'b', env, mock.url)]);
      return async () => {
        await mock.close();
      };
    }, 60_000);

    it('alternating turns keep the same tokens, and B puts back what A issued', async () => {
      const maria = 'maria.garcia@example.com';
      const bob = 'bob.stone@example.com';
      // Turn 1 on A.
      expect(await ask(a, 'conv-1', `Please mail ${maria}`)).toBe(`0: Seen: ${maria}`);
      const first = mock.recorded.at(-1)?.body ?? '';
      expect(first).not.toContain(maria);
      expect(tokensIn(first)).toEqual(['<<EMAIL_1>>']);
      // Turn 2 on B: the known value keeps its token, the new one gets the next number.
      expect(await ask(b, 'conv-1', `Also ${bob}, and again ${maria}`)).toBe(`0: Seen: ${bob} ${maria}`);
      const second = mock.recorded.at(-1)?.body ?? '';
      expect(second).not.toContain(maria);
      expect(second).not.toContain(bob);
      expect(tokensIn(second)).toEqual(['<<EMAIL_2>>', '<<EMAIL_1>>']);
      // Turn 3 on A resolves what B issued; a model answer naming A's token is unmasked by B.
      expect(await ask(a, 'conv-1', 'Reply to <<EMAIL_2>>')).toBe(`0: Seen: ${bob}`);
      expect(await ask(b, 'conv-1', 'Reply to <<EMAIL_1>>')).toBe(`0: Seen: ${maria}`);
      // Another conversation is its own scope.
      expect(await ask(b, 'conv-2', 'Reply to <<EMAIL_1>>')).toBe('0: Seen: <<EMAIL_1>>');
    }, 30_000);

    it('both replicas issuing tokens for one session at once agree', async () => {
      const values = Array.from({ length: 12 }, (_, i) => `person${i}@example.org`);
      await Promise.all(values.map((value, i) => ask(i % 2 === 0 ? a : b, 'conv-race', `Write to ${value}`)));
      const answers = await Promise.all(
        values.map((_, i) => ask(i % 2 === 0 ? b : a, 'conv-race', `Reply to <<EMAIL_${i + 1}>>`)),
      );
      // Every number 1..12 resolves on either replica, to twelve different values.
      const resolved = answers.map((answer) => answer.replace('0: Seen: ', ''));
      expect(new Set(resolved).size).toBe(values.length);
      expect([...resolved].sort()).toEqual([...values].sort());
    }, 30_000);
  });
}
