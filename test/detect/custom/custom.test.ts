import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import type { Detector } from '../../../src/detect/detector.js';
import { KeywordMatcher } from '../../../src/detect/custom/aho-corasick.js';
import { CustomEntityError, createCustomDetectors } from '../../../src/detect/custom/custom-detector.js';

function values(text: string, spans: readonly Span[]): string[] {
  return spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
}

describe('KeywordMatcher', () => {
  it('matches case-insensitively on whole words only', () => {
    const matcher = new KeywordMatcher(['acme', 'Project Falcon']);
    const text = 'ACME and acmeish and project   falcon, but not Falcon alone.';
    expect(matcher.find(text).map((m) => text.slice(m.start, m.end))).toEqual(['ACME']);
    const spaced = 'ask about Project\tFalcon today';
    expect(matcher.find(spaced).map((m) => spaced.slice(m.start, m.end))).toEqual(['Project\tFalcon']);
  });

  it('prefers the longest keyword at a position and handles overlaps', () => {
    const matcher = new KeywordMatcher(['new', 'new york', 'york city', 'he', 'she', 'hers']);
    const text = 'new york city; ushers';
    expect(matcher.find(text).map((m) => text.slice(m.start, m.end))).toEqual(['new york']);
    expect(new KeywordMatcher(['he', 'she', 'hers'], { wholeWords: false }).findAll('ushers').length).toBe(3);
  });

  it('keeps UTF-16 offsets when lower-casing changes length', () => {
    const matcher = new KeywordMatcher(['istanbul']);
    const text = 'İ x istanbul';
    const [match] = matcher.find(text);
    expect(match && text.slice(match.start, match.end)).toBe('istanbul');
  });

  it('scans thousands of keywords quickly', () => {
    const keywords = Array.from({ length: 20000 }, (_, i) => `client${i} ltd`);
    const matcher = new KeywordMatcher(keywords);
    const text = `${'lorem ipsum dolor sit amet '.repeat(80)} Client1234 Ltd and client19999 LTD`;
    const t0 = performance.now();
    let found = 0;
    for (let i = 0; i < 50; i++) found = matcher.find(text).length;
    const perScan = (performance.now() - t0) / 50;
    expect(found).toBe(2);
    expect(perScan).toBeLessThan(5);
  });
});

describe('createCustomDetectors', () => {
  it('finds regex entities, with validators and context words', () => {
    const { detector } = createCustomDetectors({
      entities: [
        { type: 'PROJECT_CODE', pattern: String.raw`\bPRJ-\d{4}\b` },
        { type: 'LOYALTY_CARD', pattern: String.raw`\b\d{12,19}\b`, validator: 'luhn' },
        { type: 'BADGE', pattern: String.raw`\b\d{6}\b`, context: { words: ['badge'], before: 8, after: 0 } },
        { type: 'TICKET', pattern: String.raw`#(\d{5})`, group: 1 },
      ],
    });
    const text = 'PRJ-1234 card 4111111111111111 or 4111111111111112, badge 123456, other 654321, ticket #77777';
    expect(values(text, detector?.detect(text) ?? [])).toEqual([
      'PROJECT_CODE:PRJ-1234',
      'LOYALTY_CARD:4111111111111111',
      'BADGE:123456',
      'TICKET:77777',
    ]);
  });

  it('finds keyword / deny-list entities', () => {
    const { detector } = createCustomDetectors({
      entities: [{ type: 'CLIENT', keywords: ['Globex', 'Initech Corp'], score: 0.95 }],
    });
    const text = 'Meeting with globex and INITECH CORP; Globexia is unrelated.';
    const spans = detector?.detect(text) ?? [];
    expect(values(text, spans)).toEqual(['CLIENT:globex', 'CLIENT:INITECH CORP']);
    expect(spans[0]?.score).toBe(0.95);
    expect(detector?.tier).toBe('custom');
  });

  it('re-types NER labels, optionally filtered by a pattern', () => {
    const ner: Detector = {
      id: 'ner.fake',
      tier: 'ner',
      types: ['ORG', 'PERSON'],
      detect: (text) => [
        { start: 0, end: text.indexOf(' sent'), type: 'ORG', score: 0.8, detector: 'ner.fake' },
        { start: text.indexOf('Acme'), end: text.length, type: 'ORG', score: 0.8, detector: 'ner.fake' },
      ],
    };
    const { mapLabels, detector } = createCustomDetectors({
      entities: [{ type: 'HEALTHCARE_PROVIDER', nerLabel: 'ORG', match: 'hospital|clinic' }],
    });
    expect(detector).toBeUndefined();
    const mapped = mapLabels(ner);
    const text = 'Mercy Hospital sent it to Acme';
    expect(values(text, mapped.detect(text, {}) as Span[])).toEqual(['HEALTHCARE_PROVIDER:Mercy Hospital', 'ORG:Acme']);
    expect(mapped.types).toContain('HEALTHCARE_PROVIDER');
  });

  it('rejects bad definitions at start-up with a clear message', () => {
    expect(() => createCustomDetectors({ entities: [{ type: 'bad name', pattern: 'x' }] })).toThrow(CustomEntityError);
    expect(() => createCustomDetectors({ entities: [{ type: 'X', pattern: '(' }] })).toThrow(/invalid pattern/);
    expect(() => createCustomDetectors({ entities: [{ type: 'X', pattern: 'a*' }] })).toThrow(/empty string/);
    expect(() => createCustomDetectors({ entities: [{ type: 'X', pattern: 'a', validator: 'nope' }] })).toThrow(/unknown validator 'nope'/);
    expect(() => createCustomDetectors({ entities: [{ type: 'X', keywords: [] }] })).toThrow(/empty/);
  });
});
