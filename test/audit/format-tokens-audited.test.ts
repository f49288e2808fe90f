/**
 * A policy that sends cards as fpe tokens and e-mails as `[EMAIL]`: every request still leaves
 * its audit event (the counts), and neither the card, nor its fpe stand-in, reaches the record.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { Telemetry } from '../../src/observability/telemetry.js';
import { parsePolicy } from '../../src/policy/load.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { startMockUpstream } from '../proxy/helpers/mock-upstream.js';

it('fpe and redact-marker tokens: one event per request, counts kept, no card-like number stored', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-fpe-audit-'));
  const errors: unknown[] = [];
  const telemetry = await Telemetry.open({ dataDir, env: {}, audit: { onError: (error) => errors.push(error) } });
  const upstream = await startMockUpstream();
  const policy = parsePolicy(`
rules:
  - { id: cards-fpe, when: { entity: CREDIT_CARD }, action: mask, format: fpe }
  - { id: mail-marker, when: { entity: EMAIL }, action: mask, format: redact }
`);
  const gateway = new Gateway({ veil: new Veil(), telemetry, policy: staticPolicySource(policy), config: resolveConfig({ flags: { port: 0, upstream: upstream.url } }) });
  const { url } = await gateway.listen();
  try {
    for (const card of ['4111 1111 1111 1111', '4111-1111-1111-1111']) {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `card ${card}, mail maria@example.com` }] }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }
  } finally {
    await gateway.close();
    await telemetry.close();
    await upstream.close();
  }
  const dir = join(dataDir, 'audit');
  const text = (await Promise.all((await readdir(dir)).map((name) => readFile(join(dir, name), 'utf8')))).join('\n');
  await rm(dataDir, { recursive: true, force: true });
  const events = text
    .split('\n')
    .filter((line) => line.includes('"kind":"request"'))
    .map((line) => JSON.parse(line) as { entities: Record<string, unknown>; token_ids: string[] });
  expect(errors).toEqual([]);
  expect(events).toHaveLength(2);
  for (const event of events) {
    // fpe is reversible (mask); the `[EMAIL]` marker is one-way, so it counts as redact.
    expect(event.entities).toEqual({ CREDIT_CARD: { mask: 1 }, EMAIL: { redact: 1 } });
    expect(event.token_ids).toEqual([]);
  }
  // What the provider saw as the card (fpe) is no more in the record than the card itself.
  const sent = upstream.recorded.map((request) => /card ([\d -]+),/.exec(request.body)?.[1] ?? '');
  expect(sent.every((standIn) => /^\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}$/.test(standIn))).toBe(true);
  for (const value of ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', 'maria@example.com', ...sent, ...sent.map((standIn) => standIn.replace(/\D/g, ''))]) {
    expect(text.includes(value), value).toBe(false);
  }
});
