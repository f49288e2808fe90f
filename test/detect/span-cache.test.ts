import { describe, expect, it } from 'vitest';
import type { Detector } from '../../src/detect/detector.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { SpanCache } from '../../src/detect/span-cache.js';
import type { Span } from '../../src/core/span.js';

function countingDetector(): Detector & { calls: number } {
  const detector = {
    id: 'test.count',
    tier: 'rules' as const,
    types: ['EMAIL'],
    calls: 0,
    detect(text: string): Span[] {
      detector.calls++;
      const at = text.indexOf('a@b.io');
      return at === -1 ? [] : [{ start: at, end: at + 6, type: 'EMAIL', score: 1, detector: 'test.count' }];
    },
  };
  return detector;
}

const LONG = `${'history line without secrets. '.repeat(4)}mail a@b.io`;

describe('detection cache', () => {
  it('answers a repeated text from the cache with the same spans', () => {
    const detector = countingDetector();
    const engine = new DetectionEngine({ detectors: [detector] });
    const first = engine.detect(LONG);
    const second = engine.detect(LONG);
    expect(second).toEqual(first);
    expect(detector.calls).toBe(1);
    expect(engine.cache?.hits).toBe(1);
  });

  it('returns copies, so callers cannot alter cached results', () => {
    const engine = new DetectionEngine({ detectors: [countingDetector()] });
    (engine.detect(LONG) as Span[]).length = 0;
    expect(engine.detect(LONG)).toHaveLength(1);
  });

  it('can be turned off', () => {
    const detector = countingDetector();
    const engine = new DetectionEngine({ detectors: [detector], cache: false });
    engine.detect(LONG);
    engine.detect(LONG);
    expect(detector.calls).toBe(2);
    expect(engine.cache).toBeUndefined();
  });

  it('does not cache short texts', () => {
    const detector = countingDetector();
    const engine = new DetectionEngine({ detectors: [detector] });
    engine.detect('a@b.io');
    engine.detect('a@b.io');
    expect(detector.calls).toBe(2);
  });

  it('evicts the least recently used entries', () => {
    const cache = new SpanCache({ maxEntries: 2, minChars: 1 });
    cache.set('one', []);
    cache.set('two', []);
    cache.get('one');
    cache.set('three', []);
    expect(cache.get('two')).toBeUndefined();
    expect(cache.get('one')).toEqual([]);
    expect(cache.size).toBe(2);
  });

  it('keeps digests, never the texts', () => {
    const engine = new DetectionEngine({ detectors: [countingDetector()] });
    engine.detect(LONG);
    const keys = [...(engine.cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('a@b.io');
    expect(keys[0]?.length).toBeLessThan(64);
  });
});
