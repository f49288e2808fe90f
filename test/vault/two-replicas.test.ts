/**
 * Two `veil serve` processes on one PostgreSQL vault, as behind a load balancer: a
 * conversation whose turns alternate between them keeps its tokens, and a model answer with
 * tokens issued by replica A is put back by replica B. A tenant erased through replica A is
 * erased on replica B too, without a restart (issue #8).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/policy/keys.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { chatCompletion, sendJson, startMockUpstream, tokensIn, type MockUpstream } from '../proxy/helpers/mock-upstream.js';
import { CLI, ensureBuilt } from '../helpers/dist.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

const root = mkdtempSync(join(tmpdir(), 'veil-two-replicas-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  // Each replica closes its vault and audit log before its data directory goes.
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolveExit) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolveExit();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolveExit();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
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

/** SIV tokens (`opaque-siv`): they open with the tenant's key alone, no vault row needed. */
const SIV = /VEIL_[A-Z_]+_[A-Za-z0-9:]+_S[A-Z2-7]+/g;
const KEYS = { acmeAdmin: 'veil_acme_admin_key_2', acmeApp: 'veil_acme_app_key_2', globexApp: 'veil_globex_app_key_2' };

/** One chat turn with a Veil key; the mock model answers with the SIV tokens it was sent. */
async function turn(url: string, key: string, session: string | undefined, content: string): Promise<string> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-veil-key': key, ...(session === undefined ? {} : { 'x-veil-session': session }) },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
}

if (pgProbe.url !== undefined) {
  const url = pgProbe.url;
  describe('erasure through one veil serve replica reaches the other', () => {
    let mock: MockUpstream;
    let a: string;
    let b: string;
    beforeAll(async () => {
      ensureBuilt();
      mock = await startMockUpstream((request, res) => {
        const tokens = [...new Set(request.body.match(SIV) ?? [])];
        sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: `Seen: ${tokens.join(' ')}` }, finish_reason: 'stop' }]));
      });
      const config = join(root, 'erasure.yaml');
      writeFileSync(
        config,
        `tenants:
  - id: acme
    keys:
      - { id: acme-admin, hash: '${hashApiKey(KEYS.acmeAdmin)}', roles: [admin] }
      - { id: acme-app, hash: '${hashApiKey(KEYS.acmeApp)}', roles: [app] }
  - id: globex
    keys:
      - { id: globex-app, hash: '${hashApiKey(KEYS.globexApp)}', roles: [app] }
rules:
  - { id: mail-siv, when: { entity: EMAIL }, action: mask, format: opaque-siv }
`,
      );
      const env = { VEIL_VAULT_URL: url, VEIL_VAULT_SCHEMA: newSchema('erasure'), VEIL_MASTER_KEY: generateMasterKey(), VEIL_CONFIG: config };
      const cli = pathToFileURL(CLI).href;
      [a, b] = await Promise.all([startReplica(cli, 'erase-a', env, mock.url), startReplica(cli, 'erase-b', env, mock.url)]);
      return async () => {
        await mock.close();
      };
    }, 60_000);

    it('B neither puts back the erased tenant’s old tokens (session or not) nor issues tokens under its shredded key; globex is untouched', async () => {
      const maria = 'maria.garcia@example.com';
      const carol = 'carol.diaz@example.org';
      const bob = 'bob.stone@example.com';
      // A issues maria's SIV token; B puts it back, in a session and without one (its keys cached).
      expect(await turn(a, KEYS.acmeApp, 's1', `Write to ${maria}`)).toBe(`Seen: ${maria}`);
      const issued = mock.recorded.at(-1)?.body.match(SIV)?.[0] ?? '';
      expect(issued).not.toBe('');
      expect(await turn(b, KEYS.acmeApp, 's1', `Reply to ${issued}, cc ${carol}`)).toBe(`Seen: ${maria} ${carol}`);
      expect(await turn(b, KEYS.acmeApp, undefined, `Reply to ${issued}, cc ${carol}`)).toBe(`Seen: ${maria} ${carol}`);
      expect(await turn(b, KEYS.globexApp, 'g1', `Write to ${bob}`)).toBe(`Seen: ${bob}`);
      const globexToken = mock.recorded.at(-1)?.body.match(SIV)?.[0] ?? '';

      // The erasure goes through A.
      const forgot = await fetch(`${a}/v1/veil/vault/forget`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.acmeAdmin}` },
        body: JSON.stringify({ tenant: 'acme' }),
      });
      expect(await forgot.json()).toMatchObject({ tenant: 'acme', data_key_deleted: true });

      // B: the request without a session makes no vault call of its own; the notice must have
      // evicted the key. It arrives in milliseconds; allow a loaded machine a few seconds.
      const deadline = Date.now() + 5_000;
      let sessionless = await turn(b, KEYS.acmeApp, undefined, `Reply to ${issued}, cc ${carol}`);
      while (sessionless.includes(maria) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        sessionless = await turn(b, KEYS.acmeApp, undefined, `Reply to ${issued}, cc ${carol}`);
      }
      expect(sessionless).toBe(`Seen: ${issued} ${carol}`);
      // In the session, too: the old token comes back as it is.
      expect(await turn(b, KEYS.acmeApp, 's1', `Reply to ${issued}, cc ${carol}`)).toBe(`Seen: ${issued} ${carol}`);
      // New tokens through B come from the tenant's new key: maria gets another token.
      expect(await turn(b, KEYS.acmeApp, 's2', `Write to ${maria}`)).toBe(`Seen: ${maria}`);
      const reissued = mock.recorded.at(-1)?.body.match(SIV)?.[0] ?? '';
      expect(reissued).not.toBe('');
      expect(reissued).not.toBe(issued);
      // A agrees with B on the new key.
      expect(await turn(a, KEYS.acmeApp, 's3', `Reply to ${reissued}, cc ${carol}`)).toBe(`Seen: ${maria} ${carol}`);
      // globex, on B: untouched.
      expect(await turn(b, KEYS.globexApp, 'g1', `Reply to ${globexToken}, cc ${carol}`)).toBe(`Seen: ${bob} ${carol}`);
    }, 60_000);
  });
}
