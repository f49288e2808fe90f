/**
 * Known turns through two gateways on one PostgreSQL vault (issue #8): a request that shows a
 * token another replica issued after this one loaded the session makes the one query that loads
 * it before forwarding, so the answer echoing it is put back; otherwise a known turn makes none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { PostgresVaultStore } from '../../src/vault/stores/postgres.js';
import { Vault } from '../../src/vault/vault.js';
import { countingPool, dropSchemas, newSchema, pgProbe } from '../vault/pg-harness.js';
import { sendJson, startMockUpstream } from './helpers/mock-upstream.js';

afterAll(dropSchemas);

const MARIA = 'maria.garcia@example.com';
const BOB = 'bob.stone@example.com';
const CAROL = 'carol.white@example.com';

if (pgProbe.url === undefined) {
  describe.skip(`known turns across replicas (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;
  describe('known turns across two gateways on PostgreSQL', () => {
    it('loads the session before forwarding only when the request shows a token it does not know', async () => {
      const schema = newSchema('ktreplicas');
      const masterKey = Buffer.alloc(32, 12).toString('base64');
      const upstream = await startMockUpstream();
      const dirs = await Promise.all([mkdtemp(join(tmpdir(), 'veil-ktr-a-')), mkdtemp(join(tmpdir(), 'veil-ktr-b-'))]);
      const counted = countingPool(url);
      const replica = async (dataDir: string, pool?: pg.Pool) => {
        const store = pool === undefined ? new PostgresVaultStore({ connectionString: url, schema }) : new PostgresVaultStore({ pool, schema });
        const vault = await Vault.open({ dataDir, store, masterKey, env: {} });
        const gateway = new Gateway({ veil: new Veil({ vault }), vault, config: resolveConfig({ flags: { port: 0, upstream: upstream.url } }) });
        const { url: base } = await gateway.listen();
        return { vault, gateway, base };
      };
      const a = await replica(dirs[0] as string, counted.pool);
      const b = await replica(dirs[1] as string);
      const ask = async (base: string, content: string): Promise<string> => {
        const response = await fetch(`${base}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-veil-session': 'conv' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
        });
        const body = (await response.json()) as { choices: { message: { content: string } }[] };
        return body.choices[0]?.message.content ?? '';
      };
      const onA = async (content: string): Promise<{ queries: number; answer: string }> => {
        const from = counted.queries.length;
        const answer = await ask(a.base, content);
        return { queries: counted.queries.length - from, answer };
      };
      try {
        await a.vault.formatKeys('default');
        expect(await onA(`Mail ${MARIA}`)).toEqual({ queries: 1, answer: `0: Seen: ${MARIA}` });
        expect(await ask(b.base, `Also ${BOB}`)).toBe(`0: Seen: ${BOB}`);
        // Known values only, nothing token-shaped it does not know: no query.
        expect(await onA(`Mail ${MARIA} again`)).toEqual({ queries: 0, answer: `0: Seen: ${MARIA}` });
        // B's token in the request: A loads the session first (one query) and puts it back.
        expect(await onA(`Mail ${MARIA}, reply to <<EMAIL_2>>`)).toEqual({ queries: 1, answer: `0: Seen: ${MARIA} ${BOB}` });
        // Now remembered: the same request is a known turn.
        expect(await onA(`Mail ${BOB}, reply to <<EMAIL_1>>`)).toEqual({ queries: 0, answer: `0: Seen: ${BOB} ${MARIA}` });

        // The provider keeps the conversation (Responses `previous_response_id`): its answer may
        // recall a token only the stored session knows, so A does not answer from memory.
        expect(await ask(b.base, `And ${CAROL}`)).toBe(`0: Seen: ${CAROL}`);
        upstream.handle((_request, res) =>
          sendJson(res, 200, {
            id: 'resp_2',
            object: 'response',
            status: 'completed',
            model: 'm',
            output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Earlier you mentioned <<EMAIL_3>>.', annotations: [] }] }],
          }),
        );
        const from = counted.queries.length;
        const response = await fetch(`${a.base}/v1/responses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-veil-session': 'conv' },
          body: JSON.stringify({ model: 'm', previous_response_id: 'resp-abc', input: `Mail ${MARIA} again` }),
        });
        const recalled = (await response.json()) as { output: { content: { text: string }[] }[] };
        expect(recalled.output[0]?.content[0]?.text).toBe(`Earlier you mentioned ${CAROL}.`);
        expect(counted.queries.length - from).toBeGreaterThan(0);
      } finally {
        await a.gateway.close();
        await b.gateway.close();
        await a.vault.close();
        await b.vault.close();
        await counted.pool.end();
        await upstream.close();
        await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      }
    });
  });
}
