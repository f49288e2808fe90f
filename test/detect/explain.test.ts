import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/span.js';
import type { Detector } from '../../src/detect/detector.js';
import { DetectionEngine } from '../../src/detect/engine.js';

function fixed(id: string, tier: Detector['tier'], spans: Omit<Span, 'detector'>[]): Detector {
  return { id, tier, types: [...new Set(spans.map((span) => span.type))], detect: () => spans.map((span) => ({ ...span, detector: id })) };
}

const TEXT = 'Call Acme Corp about Maria Lopez at maria@example.com today.';

describe('DetectionEngine.explain', () => {
  const engine = new DetectionEngine({
    detectors: [
      fixed('rules.email', 'rules', [{ start: 36, end: 53, type: 'EMAIL', score: 0.95 }]),
      fixed('ner.builtin', 'ner', [
        { start: 5, end: 14, type: 'ORG', score: 0.9 },
        { start: 21, end: 32, type: 'PERSON', score: 0.8 },
        { start: 36, end: 41, type: 'PERSON', score: 0.7 },
        { start: 54, end: 59, type: 'DATE', score: 0.3 },
      ]),
      fixed('custom.names', 'custom', [{ start: 21, end: 26, type: 'PERSON', score: 0.99 }]),
      fixed('onnx.weak', 'ner', [{ start: 21, end: 32, type: 'PERSON', score: 0.55 }]),
    ],
    allow: { values: ['acme corp'] },
    minScore: 0.5,
    thresholds: { PERSON: 0.6 },
  });

  it('keeps what detect keeps and says why each other span was dropped', async () => {
    const explained = await engine.explain(TEXT);
    expect(explained.spans).toEqual(engine.detect(TEXT));
    const reasons = explained.dropped.map(({ span, reason }) => `${span.detector} ${span.type} ${span.start}-${span.end}: ${reason.kind}`);
    expect(reasons.sort()).toEqual([
      'custom.names PERSON 21-26: overlap',
      'ner.builtin DATE 54-59: min_score',
      'ner.builtin ORG 5-14: allow_list',
      'ner.builtin PERSON 36-41: overlap',
      'onnx.weak PERSON 21-32: type_threshold',
    ]);
    const lost = explained.dropped.find(({ span }) => span.detector === 'custom.names')!.reason;
    expect(lost).toMatchObject({ kind: 'overlap', winner: { detector: 'ner.builtin', start: 21, end: 32 } });
    expect(explained.dropped.find(({ span }) => span.detector === 'onnx.weak')!.reason).toEqual({ kind: 'type_threshold', threshold: 0.6 });
    expect(explained.detectors.map((run) => [run.detector, run.tier, run.found])).toEqual([
      ['rules.email', 'rules', 1],
      ['ner.builtin', 'ner', 4],
      ['custom.names', 'custom', 1],
      ['onnx.weak', 'ner', 1],
    ]);
  });

  it('applies per-type thresholds in detect too', () => {
    const spans = engine.detect(TEXT) as Span[];
    expect(spans.map((span) => `${span.detector}:${span.type}`)).toEqual(['ner.builtin:PERSON', 'rules.email:EMAIL']);
  });
});
