/**
 * Issue #8's latency rule on PostgreSQL: a gateway request in a session waits on the database
 * at most once (storing its values and loading the rest of the session are one call), a turn
 * that only resends values this process knows for the session not at all, and rehydrating the
 * answer needs no database. Counted on the pool's connections: every
 * `client.query` is one round trip.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { PostgresVaultStore } from '../../src/vault/stores/postgres.js';
import { Vault } from '../../src/vault/vault.js';
import { chatCompletion, sendJson, startMockUpstream } from '../proxy/helpers/mock-upstream.js';
import { countingPool, dropSchemas, newSchema, pgProbe } from './pg-harness.js';

afterAll(dropSchemas);

const EMAIL = 'maria.garcia@example.com';
const PHONE = '+1 415 555 0132';

if (pgProbe.url === undefined) {
  describe.skip(`PostgreSQL round trips (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;

  /** A gateway on a PostgreSQL vault whose pool records its queries; `turn` sends one chat turn. */
  async function countedGateway(label: string, session: string) {
    const { pool, queries } = countingPool(url);
    const dataDir = await mkdtemp(join(tmpdir(), `veil-pg-${label}-`));
    const store = new PostgresVaultStore({ pool, schema: newSchema(label) });
    const vault = await Vault.open({ dataDir, store, masterKey: Buffer.alloc(32, 5).toString('base64'), env: {} });
    const upstream = await startMockUpstream();
    const gateway = new Gateway({ veil: new Veil({ vault }), vault, config: resolveConfig({ flags: { port: 0, upstream: upstream.url } }) });
    const { url: base } = await gateway.listen();
    // The tenant's data key is read (or created) once per process, not per request.
    await vault.formatKeys('default');
    const turn = async (content: string, answer: string): Promise<{ queries: string[]; answer: string }> => {
      upstream.handle((_request, res) => sendJson(res, 200, chatCompletion([{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }])));
      const from = queries.length;
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-veil-session': session },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      return { queries: queries.slice(from), answer: body.choices[0]?.message.content ?? '' };
    };
    const close = async (): Promise<void> => {
      await gateway.close();
      await upstream.close();
      await vault.close();
      await pool.end();
      await rm(dataDir, { recursive: true, force: true });
    };
    return { queries, vault, upstream, turn, close };
  }

  describe('PostgreSQL round trips per gateway request', () => {
    it('a session request costs one query; its answer, tokens of earlier turns included, none', async () => {
      const { queries, vault, upstream, turn, close } = await countedGateway('roundtrips', 'chat-9');
      try {
        // New session, new value: one call stores it and loads the (empty) rest.
        const first = await turn(`Mail ${EMAIL}`, 'Sent to <<EMAIL_1>>.');
        expect(first).toEqual({ queries: ['put_many_and_list'], answer: `Sent to ${EMAIL}.` });
        // A known value and a new one: still one.
        const second = await turn(`Mail ${EMAIL} and call ${PHONE}`, 'Called <<PHONE_1>> about <<EMAIL_1>>.');
        expect(second).toEqual({ queries: ['put_many_and_list'], answer: `Called ${PHONE} about ${EMAIL}.` });
        // Nothing to mask, but the model recalls earlier turns (server-side history): a known
        // turn (every value of the session is remembered here), no query, and both tokens come back.
        const third = await turn('Thanks, and remind me of both?', 'Both: <<EMAIL_1>>, <<PHONE_1>>.');
        expect(third).toEqual({ queries: [], answer: `Both: ${EMAIL}, ${PHONE}.` });
        expect(upstream.recorded.map((request) => request.body).join('\n')).not.toContain(EMAIL);

        // What the gateway avoids: an eagerly opened scope reads first (the same call, checking
        // the tenant's key, with nothing to store) and writes second.
        const from = queries.length;
        const eager = await vault.openScope({ tenant: 'default', session: 'chat-10' });
        await eager.tokenize([{ type: 'EMAIL', value: EMAIL, normalized: EMAIL }]);
        expect(queries.slice(from)).toEqual(['put_many_and_list', 'put_many']);
      } finally {
        await close();
      }
    });

    it('a turn resending known values makes no query; its answer is put back; a new value costs one', async () => {
      const { queries, vault, upstream, turn, close } = await countedGateway('knownturn', 'chat-k');
      try {
        expect(await turn(`Mail ${EMAIL}`, 'Sent to <<EMAIL_1>>.')).toEqual({ queries: ['put_many_and_list'], answer: `Sent to ${EMAIL}.` });
        expect(await turn(`Mail ${EMAIL} again`, 'Sent to <<EMAIL_1>> again.')).toEqual({ queries: [], answer: `Sent to ${EMAIL} again.` });
        // Nothing to mask, the model recalls the earlier turn (provider-side history).
        expect(await turn('Thanks, to whom was it?', 'To <<EMAIL_1>>.')).toEqual({ queries: [], answer: `To ${EMAIL}.` });
        expect(await turn(`Mail ${EMAIL} and call ${PHONE}`, 'Called <<PHONE_1>> about <<EMAIL_1>>.')).toEqual({
          queries: ['put_many_and_list'],
          answer: `Called ${PHONE} about ${EMAIL}.`,
        });
        expect(await turn(`Call ${PHONE}`, 'Both: <<EMAIL_1>>, <<PHONE_1>>.')).toEqual({ queries: [], answer: `Both: ${EMAIL}, ${PHONE}.` });
        // Forgotten through this process: the next turn goes to the store and numbering starts over.
        await vault.deleteScope('default', 'chat-k');
        const from = queries.length;
        expect((await turn(`Call ${PHONE}`, 'Called <<PHONE_1>>; <<EMAIL_1>>?')).answer).toBe(`Called ${PHONE}; <<EMAIL_1>>?`);
        expect(queries.slice(from)).toEqual(['put_many_and_list']);
        expect(upstream.recorded.map((request) => request.body).join('\n')).not.toContain(EMAIL);
      } finally {
        await close();
      }
    });

    it('a lazy scope loads what other replicas stored, once, with the first tokenize', async () => {
      const { pool, queries } = countingPool(url);
      const schema = newSchema('lazy');
      const dataDir = await mkdtemp(join(tmpdir(), 'veil-pg-lazy-'));
      const masterKey = Buffer.alloc(32, 6).toString('base64');
      const replicaA = await Vault.open({ dataDir, store: new PostgresVaultStore({ connectionString: url, schema }), masterKey, env: {} });
      const replicaB = await Vault.open({ dataDir, store: new PostgresVaultStore({ pool, schema }), masterKey, env: {} });
      try {
        const a = await replicaA.openScope({ tenant: 'acme', session: 's' });
        const [emailA] = await a.tokenize([{ type: 'EMAIL', value: EMAIL, normalized: EMAIL }]);
        await replicaB.formatKeys('acme');
        const from = queries.length;
        const b = await replicaB.openScope({ tenant: 'acme', session: 's', lazy: true });
        expect(queries.length - from).toBe(0);
        expect(b.resolve('EMAIL_1')).toBeUndefined();
        const tokens = await b.tokenize([{ type: 'PHONE', value: PHONE, normalized: '+14155550132' }]);
        expect(queries.slice(from)).toEqual(['put_many_and_list']);
        expect(tokens).toEqual(['PHONE_1']);
        expect(emailA).toBe('EMAIL_1');
        expect(b.resolve('EMAIL_1')).toBe(EMAIL);
        expect(b.size).toBe(2);
        // Loaded: known values cost nothing, as in an eagerly opened scope.
        expect(b.tokenize([{ type: 'PHONE', value: PHONE, normalized: '+14155550132' }])).toEqual(['PHONE_1']);
        expect(queries.length - from).toBe(1);
      } finally {
        await replicaA.close();
        await replicaB.close();
        await pool.end();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
