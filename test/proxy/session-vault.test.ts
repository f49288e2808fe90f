/** Sessions backed by the persistent vault: asynchronous scopes, tokens that survive a restart. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openVeil } from '../../src/open-veil.js';
import { leakedIn, PII, startGateway } from './helpers/gateway.js';
import { startMockUpstream } from './helpers/mock-upstream.js';

describe('vault-backed sessions', () => {
  it('resolve tokens from an earlier request, also after a gateway restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'veil-gateway-vault-'));
    const env = { VEIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
    const mock = await startMockUpstream();
    const ask = async (url: string, content: string): Promise<string> => {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-veil-session': 'vault-session' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
      });
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      return body.choices[0]?.message.content ?? '';
    };
    try {
      const first = await startGateway({ upstreamUrl: mock.url, veil: await openVeil({ dataDir, env }) });
      expect(await ask(first.url, `Mail ${PII.email} and ${PII.iban}`)).toContain(PII.iban);
      await first.close();
      await first.veil.close();
      const second = await startGateway({ upstreamUrl: mock.url, veil: await openVeil({ dataDir, env }) });
      expect(await ask(second.url, 'Write to <<EMAIL_1>> about <<IBAN_1>>')).toBe(`0: Seen: <<EMAIL_1>> <<IBAN_1>>`.replace('<<EMAIL_1>>', PII.email).replace('<<IBAN_1>>', PII.iban));
      await second.close();
      await second.veil.close();
      for (const entry of mock.recorded) expect(leakedIn(entry.body)).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});
