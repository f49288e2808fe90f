/**
 * Audit counts of one-way formats: a `mask` rule whose format is `redact` (`[EMAIL]`) or `hash`
 * (`HASH_EMAIL_…`) is counted as `redact` (nothing can bring the value back), whether the policy
 * or the scope's per-type format chose it; reversible formats stay `mask`, and an event without
 * such a rule keeps its bytes.
 */
import { describe, expect, it } from 'vitest';
import { isOneWayToken, summarizeMask } from '../../src/audit/summarize.js';
import { canonicalJson, prepareEvent } from '../../src/audit/event.js';
import { createDefaultEngine } from '../../src/detect/registry.js';
import { mask } from '../../src/pipeline/mask.js';
import { parsePolicy } from '../../src/policy/load.js';
import { decideFor } from '../../src/policy/rules.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';

const engine = createDefaultEngine();
const TEXT = 'Mail maria.garcia@example.com or call +1 415 555 0134, card 4111 1111 1111 1111, from 10.20.30.40.';

async function countsFor(rules: string): Promise<ReturnType<typeof summarizeMask>> {
  const decide = decideFor(parsePolicy(`rules:\n${rules}`), { tenant: 'acme' });
  const result = await mask([TEXT], { engine, scope: new MemoryTokenScope('acme'), decide });
  return summarizeMask(result);
}

describe('one-way formats in the audit counts', () => {
  it('redact and hash count as redact; placeholder, opaque and fpe as mask', async () => {
    const summary = await countsFor(`
  - { id: mail, when: { entity: EMAIL }, action: mask, format: redact }
  - { id: ip, when: { entity: IP }, action: mask, format: hash }
  - { id: card, when: { entity: CREDIT_CARD }, action: mask, format: fpe }
  - { id: rest, action: mask, format: opaque }
`);
    expect(summary.entities['EMAIL']).toEqual({ redact: 1 });
    expect(summary.entities['IP']).toEqual({ redact: 1 });
    expect(summary.entities['CREDIT_CARD']).toEqual({ mask: 1 });
    expect(summary.entities['PHONE']).toEqual({ mask: 1 });
    // The hash token is still recorded as an id (it joins analytics), the marker is not.
    expect(summary.token_ids.some((token) => token.startsWith('HASH_IP_'))).toBe(true);
    expect(summary.token_ids).not.toContain('[EMAIL]');
  });

  it('the scope’s own per-type format counts the same way as a rule’s', () => {
    const scope = new MemoryTokenScope('acme', undefined, {});
    const [marker] = scope.tokenize([{ type: 'EMAIL', value: 'a@b.example', normalized: 'a@b.example', format: 'redact' }]) as string[];
    const summary = summarizeMask({ entities: [{ type: 'EMAIL', action: 'mask', token: marker, rule: undefined }] });
    expect(summary.entities).toEqual({ EMAIL: { redact: 1 } });
  });

  it('only the exact marker or hash token of the span’s own type is one-way', () => {
    expect(isOneWayToken('EMAIL', '[EMAIL]')).toBe(true);
    expect(isOneWayToken('EMAIL', `HASH_EMAIL_${'A'.repeat(26)}`)).toBe(true);
    expect(isOneWayToken('EMAIL', '[PHONE]')).toBe(false);
    expect(isOneWayToken('EMAIL', `HASH_PHONE_${'A'.repeat(26)}`)).toBe(false);
    expect(isOneWayToken('EMAIL', `HASH_EMAIL_${'A'.repeat(25)}`)).toBe(false);
    expect(isOneWayToken('EMAIL', 'EMAIL_1')).toBe(false);
    expect(isOneWayToken('EMAIL', undefined)).toBe(false);
  });

  it('an event without one-way formats is byte-identical to what it was', async () => {
    const summary = await countsFor(`
  - { id: rest, action: mask }
`);
    expect(Object.values(summary.entities).every((counts) => Object.keys(counts).join() === 'mask')).toBe(true);
    const event = prepareEvent({ kind: 'request', tenant: 'acme', id: '00000000-0000-4000-8000-000000000001', time: '2026-01-01T00:00:00.000Z', ...summary });
    // The same counts built the way they were before one-way formats were told apart.
    const before: Record<string, { mask: number }> = {};
    for (const type of Object.keys(summary.entities)) before[type] = { mask: (before[type]?.mask ?? 0) + (summary.entities[type]?.mask ?? 0) };
    const expected = prepareEvent({ kind: 'request', tenant: 'acme', id: '00000000-0000-4000-8000-000000000001', time: '2026-01-01T00:00:00.000Z', entities: before, token_ids: summary.token_ids, rule_ids: summary.rule_ids });
    expect(canonicalJson(event)).toBe(canonicalJson(expected));
    expect(summary.entities).toEqual({ EMAIL: { mask: 1 }, PHONE: { mask: 1 }, CREDIT_CARD: { mask: 1 }, IP: { mask: 1 } });
  });
});
