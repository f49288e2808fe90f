/** `rehydrate: false` withholds opaque and fpe tokens exactly as it withholds placeholders. */
import { describe, expect, it } from 'vitest';
import { createDefaultEngine } from '../../src/detect/registry.js';
import { mask } from '../../src/pipeline/mask.js';
import { rehydrate, StreamRehydrator } from '../../src/pipeline/rehydrate.js';
import { rehydrationScope } from '../../src/policy/gate.js';
import { parsePolicy } from '../../src/policy/load.js';
import { decideFor, explainSpan, type RuleContext } from '../../src/policy/rules.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'maria.garcia@example.com';
const policy = parsePolicy(`
rules:
  - { id: cards-one-way, when: { entity: CREDIT_CARD }, action: mask, format: fpe, rehydrate: false }
  - { id: emails, when: { entity: EMAIL }, action: mask, format: opaque }
  - { id: rest, action: mask }
`);
const context: RuleContext = { tenant: 'acme' };

describe('format tokens and rehydrate: false', () => {
  it('puts the opaque e-mail back and withholds the fpe card, whole and streamed', async () => {
    const scope = new MemoryTokenScope('acme');
    const result = await mask([`card ${CARD} mail ${EMAIL}`], { engine: createDefaultEngine(), scope, decide: decideFor(policy, context) });
    const card = result.entities.find((entity) => entity.type === 'CREDIT_CARD')?.token ?? '';
    const email = result.entities.find((entity) => entity.type === 'EMAIL')?.token ?? '';
    expect(card).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    const visible = rehydrationScope({ policy, context }, scope, result.entities);
    const answer = `Paid with ${card}, mailed ${email}.`;
    expect(rehydrate(answer, visible)).toBe(`Paid with ${card}, mailed ${EMAIL}.`);
    const stream = new StreamRehydrator(visible);
    expect(stream.feed(answer.slice(0, 14)) + stream.feed(answer.slice(14)) + stream.end()).toBe(`Paid with ${card}, mailed ${EMAIL}.`);
    // Without the policy view, both come back: the view is what withholds the card.
    expect(rehydrate(answer, scope)).toBe(`Paid with ${CARD}, mailed ${EMAIL}.`);
  });

  it('withholds by type also for an fpe token issued earlier in the scope', async () => {
    const scope = new MemoryTokenScope('acme');
    const engine = createDefaultEngine();
    const decide = decideFor(policy, context);
    const earlier = await mask([`card ${CARD}`], { engine, scope, decide });
    const card = earlier.entities[0]?.token ?? '';
    // This request made no card token; the type rule still hides it.
    const visible = rehydrationScope({ policy, context }, scope, []);
    expect(rehydrate(`card ${card}`, visible)).toBe(`card ${card}`);
  });

  it('explains the format with the decision (veil policy test)', () => {
    expect(explainSpan(policy, context, { type: 'EMAIL', score: 0.9 }).decision).toMatchObject({ rule: 'emails', format: 'opaque' });
    expect(explainSpan(policy, context, { type: 'PERSON', score: 0.9 }).decision.format).toBeUndefined();
  });

  it('rejects an unknown format name, and a format on a non-mask rule', () => {
    expect(() => parsePolicy('rules:\n  - { id: r, action: mask, format: "[{type}-{n}]" }\n')).toThrow(/expected one of placeholder\|opaque/);
    expect(() => parsePolicy('rules:\n  - { id: r, action: redact, format: fpe }\n')).toThrow(/format applies only to action: mask/);
  });
});
