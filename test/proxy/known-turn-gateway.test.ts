/**
 * Known turns through the gateway on PostgreSQL (issue #8): the gateway opens its session scopes
 * with `knownTurns`, so a turn that only resends values this process knows for the session
 * makes no query at all before forwarding, and its answer (tokens of earlier turns included) is
 * still put back; a turn with a new value makes the one query it always made. Counted on the
 * pool's connections: every `client.query` is one round trip.
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
import { countingPool, dropSchemas, newSchema, pgProbe } from '../vault/pg-harness.js';
import { chatCompletion, sendJson, startMockUpstream } from './helpers/mock-upstream.js';

afterAll(dropSchemas);

const EMAIL = 'maria.garcia@example.com';
const PHONE = '+1 415 555 0132';

if (pgProbe.url === undefined) {
  describe.skip(`known turns through the gateway (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;

  describe('known turns through the gateway on PostgreSQL', () => {
    it('a turn resending known values makes no query; its answer is put back; a new value costs one', async () => {
      const { pool, queries } = countingPool(url);
      const dataDir = await mkdtemp(join(tmpdir(), 'veil-known-turn-'));
      const store = new PostgresVaultStore({ pool, schema: newSchema('knownturn') });
      const vault = await Vault.open({ dataDir, store, masterKey: Buffer.alloc(32, 9).toString('base64'), env: {} });
      const upstream = await startMockUpstream();
      const gateway = new Gateway({ veil: new Veil({ vault }), vault, config: resolveConfig({ flags: { port: 0, upstream: upstream.url } }) });
      const { url: base } = await gateway.listen();
      try {
        await vault.formatKeys('default');
        const turn = async (content: string, answer: string, session = 'chat-k'): Promise<{ queries: string[]; answer: string }> => {
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
        await gateway.close();
        await upstream.close();
        await vault.close();
        await pool.end();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
