import { describe, expect, it } from 'vitest';
import type { Detector } from '../../src/detect/detector.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { mask } from '../../src/pipeline/mask.js';
import { rehydrate } from '../../src/pipeline/rehydrate.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import type { Span } from '../../src/core/span.js';

function regexDetector(id: string, type: string, pattern: RegExp): Detector {
  return {
    id,
    tier: 'rules',
    types: [type],
    detect(text: string): Span[] {
      return [...text.matchAll(new RegExp(pattern.source, 'g' + pattern.flags.replace('g', '')))].map((match) => ({
        start: match.index,
        end: match.index + match[0].length,
        type,
        score: 0.9,
        detector: id,
      }));
    },
  };
}

const engine = new DetectionEngine({
  detectors: [
    regexDetector('test.email', 'EMAIL', /[\w.]+@[\w.]+\.\w+/i),
    regexDetector('test.name', 'PERSON', /\b(?:Maria|Jon)\b|Zoë/),
    regexDetector('test.card', 'CREDIT_CARD', /\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b/),
  ],
});

async function run(texts: string[], scope = new MemoryTokenScope()) {
  return { scope, result: await mask(texts, { engine, scope }) };
}

describe('mask', () => {
  it('numbers tokens per type in order of first appearance', async () => {
    const { result } = await run(['Maria and Jon mail maria@x.io; Maria again']);
    expect(result.texts[0]).toBe('<<PERSON_1>> and <<PERSON_2>> mail <<EMAIL_1>>; <<PERSON_1>> again');
  });

  it('gives the same token to normalised forms of one value', async () => {
    const { result } = await run(['Maria@X.io / maria@x.io', 'card 4111 1111 1111 1111 or 4111-1111-1111-1111']);
    expect(result.texts).toEqual(['<<EMAIL_1>> / <<EMAIL_1>>', 'card <<CREDIT_CARD_1>> or <<CREDIT_CARD_1>>']);
  });

  it('re-masking the full history gives the same tokens every time', async () => {
    const turn1 = ['Hi, I am Jon (jon@a.com)'];
    const turn2 = [...turn1, 'Hello Jon!', 'My colleague Maria is maria@b.com'];
    const first = await run(turn1);
    const second = await run(turn2);
    const third = await run(turn2, new MemoryTokenScope());
    expect(second.result.texts[0]).toBe(first.result.texts[0]);
    expect(second.result.texts).toEqual(third.result.texts);
    expect(second.result.texts[2]).toBe('My colleague <<PERSON_2>> is <<EMAIL_2>>');
  });

  it('records entities with offsets and no raw values', async () => {
    const input = 'Zoë: zoe@x.io';
    const { result } = await run([input]);
    const serialized = JSON.stringify(result.entities);
    expect(serialized).not.toContain('zoe@x.io');
    expect(serialized).not.toContain('Zoë');
    for (const entity of result.entities) {
      expect(result.texts[0]?.slice(entity.maskedStart, entity.maskedEnd)).toBe(`<<${entity.token}>>`);
    }
    expect(result.entities.map((entity) => input.slice(entity.start, entity.end))).toEqual(['Zoë', 'zoe@x.io']);
    expect([...result.replacedValues].sort()).toEqual(['Zoë', 'zoe@x.io']);
  });

  it('round-trips through rehydrate', async () => {
    const input = 'Maria <maria@x.io> paid with 4111 1111 1111 1111.';
    const { result, scope } = await run([input]);
    expect(rehydrate(result.texts[0] ?? '', scope)).toBe(input);
  });

  it('applies redact, allow and block decisions', async () => {
    const scope = new MemoryTokenScope();
    const result = await mask(['Maria paid 4111 1111 1111 1111 from maria@x.io'], {
      engine,
      scope,
      decide: (span) =>
        span.type === 'PERSON'
          ? { action: 'redact', rule: 'r1' }
          : span.type === 'EMAIL'
            ? { action: 'allow', rule: 'r2' }
            : { action: 'block', rule: 'r3' },
    });
    expect(result.texts[0]).toBe('[PERSON] paid [CREDIT_CARD] from maria@x.io');
    expect(result.blocked.map((entity) => entity.rule)).toEqual(['r3']);
    expect(result.entities.map((entity) => entity.action)).toEqual(['redact', 'block']);
    expect(scope.size).toBe(0);
  });

  it('leaves texts without spans untouched (same string)', async () => {
    const input = 'nothing to see';
    const { result } = await run([input, '']);
    expect(result.texts).toEqual([input, '']);
    expect(result.entities).toEqual([]);
  });
});
