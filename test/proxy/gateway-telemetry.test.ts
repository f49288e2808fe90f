/**
 * With telemetry, every masked-route request leaves one audit event (counts, token ids, leak-gate
 * outcome) and metrics, and none of them carries a personal value.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { leakedIn, PII } from './helpers/gateway.js';
import { startMockUpstream } from './helpers/mock-upstream.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('gateway telemetry', () => {
  it('writes one audit event per request, with the leak-gate outcome and no values', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'veil-gateway-telemetry-'));
    const mock = await startMockUpstream();
    const telemetry = await Telemetry.open({ dataDir, env: {} });
    const gateway = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0, upstream: mock.url } }), telemetry });
    const { url } = await gateway.listen();
    try {
      const send = async (body: unknown): Promise<number> =>
        (await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
      expect(await send({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Mail ${PII.email}, card ${PII.card}` }] })).toBe(200);
      expect(await send({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Mail ${PII.email}` }], metadata: { copy: PII.email } })).toBe(500);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('veil_');
      expect(leakedIn(metrics)).toEqual([]);
    } finally {
      await gateway.close(500);
      await telemetry.close();
      await mock.close();
    }
    const files = filesUnder(dataDir);
    const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(leakedIn(text)).toEqual([]);
    const events = text
      .split('\n')
      .filter((line) => line.includes('"kind":"request"'))
      .map((line) => JSON.parse(line) as { leak_gate: string; outcome: string; upstream_status: number | null; model: string; token_ids: string[] });
    expect(events.map((event) => [event.leak_gate, event.outcome, event.upstream_status])).toEqual([
      ['pass', 'ok', 200],
      ['tripped', 'error', null],
    ]);
    expect(events[0]?.model).toBe('gpt-4o-mini');
    expect(events[0]?.token_ids).toEqual(expect.arrayContaining(['EMAIL_1', 'CREDIT_CARD_1']));
  });
});
