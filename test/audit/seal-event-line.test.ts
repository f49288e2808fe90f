/**
 * Sinks store the canonical line that `sealEventLine` builds while hashing; it must be exactly
 * the canonical JSON of the sealed event, or stored events would no longer verify.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, computeEventHash, prepareEvent, sealEvent, sealEventLine, sha256Hex } from '../../src/audit/event.js';

const inputs = [
  { kind: 'request' as const, tenant: 'acme' },
  {
    kind: 'request' as const,
    tenant: 'acme',
    principal: { key_id: 'k1', role: 'app' },
    route: '/v1/chat/completions',
    provider: 'openai',
    model: 'gpt-4o-mini',
    entities: { EMAIL: { mask: 2, redact: 0, block: 0, allow: 0 }, PERSON: { mask: 1, redact: 0, block: 0, allow: 0 } },
    detectors: [{ tier: 'rules' as const, ms: 0.2, spans: 2 }],
    token_ids: ['EMAIL_1', 'EMAIL_2', 'PERSON_1'],
    leak_gate: 'pass' as const,
    upstream_status: 200,
    latency_ms: 3.5,
    stage_ms: { upstream: 2.1, rehydrate: 0.3 },
    request_id: 'req-42',
  },
];

describe('sealEventLine', () => {
  it('gives the canonical JSON of the event sealEvent gives, with a hash that verifies', () => {
    let head = { seq: 0, hash: sha256Hex('genesis') };
    for (const input of [...inputs, ...inputs]) {
      const pending = prepareEvent(input);
      const { event, canonical } = sealEventLine(pending, head);
      expect(event).toEqual(sealEvent(pending, head));
      expect(canonical).toBe(canonicalJson(event));
      expect(event.hash).toBe(computeEventHash(event));
      expect(event.prev_hash).toBe(head.hash);
      head = { seq: event.seq, hash: event.hash };
    }
  });
});
