/** The request log carries ids, counts and timings; never a body, a value or a credential. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Veil } from '../../src/engine.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { leakedIn, PII } from './helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from './helpers/mock-upstream.js';

let mock: MockUpstream;
let gateway: Gateway;
let url: string;
const lines: string[] = [];

beforeAll(async () => {
  mock = await startMockUpstream();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  gateway = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0, upstream: mock.url } }), logger: pino({ level: 'info' }, sink) });
  url = (await gateway.listen()).url;
});

afterAll(async () => {
  await gateway.close(500);
  await mock.close();
});

describe('request log', () => {
  it('has no personal values or credentials, whatever the outcome', async () => {
    const send = (body: string): Promise<Response> =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret-123', 'x-request-id': 'log-test' }, body });
    await (await send(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: `Mail ${PII.email}, card ${PII.card}` }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] }))).text();
    await (await send(`{"messages": "${PII.ssn}`)).text();
    await (await send(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `Mail ${PII.email}` }], metadata: { copy: PII.email } }))).text();
    // The line is written when the response closes, which may be just after the client has it.
    await vi.waitFor(() => expect(lines.filter((line) => line.includes('"msg":"request"'))).toHaveLength(3), { timeout: 10_000 });
    const log = lines.join('');
    expect(leakedIn(log)).toEqual([]);
    expect(log).not.toContain('sk-secret-123');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((entry) => entry['msg'] === 'request').map((entry) => [entry['status'], entry['masked'], entry['route']])).toEqual([
      [200, 2, 'openai.chat'],
      [400, 0, 'openai.chat'],
      [500, 1, 'openai.chat'],
    ]);
    expect(entries.some((entry) => entry['msg'] === 'leak gate stopped a request' && entry['requestId'] === 'log-test')).toBe(true);
    // The image went out unscanned, and the log says so (a count, not the image).
    expect(entries.find((entry) => entry['msg'] === 'request')?.['unscanned']).toBe(1);
  });
});
