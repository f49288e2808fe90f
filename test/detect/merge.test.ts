import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/span.js';
import { mergeSpans } from '../../src/detect/merge.js';

const at = (start: number, end: number, type: string, score = 0.85, detector = 'test'): Span => ({ start, end, type, score, detector });
const tierOf = (detector: string) => (detector.startsWith('ner.') ? 'ner' : 'rules') as 'ner' | 'rules';

describe('mergeSpans', () => {
  it('keeps the longer of two overlapping spans, then the higher score', () => {
    expect(mergeSpans([at(0, 10, 'PERSON'), at(2, 6, 'LOCATION')])).toEqual([at(0, 10, 'PERSON')]);
    expect(mergeSpans([at(0, 5, 'PERSON', 0.7), at(0, 5, 'ORG', 0.9)])).toEqual([at(0, 5, 'ORG', 0.9)]);
    expect(mergeSpans([at(0, 4, 'A'), at(6, 9, 'B')])).toEqual([at(0, 4, 'A'), at(6, 9, 'B')]);
  });

  it('never leaves the part of a losing span that sticks out in clear: the winner grows over it', () => {
    // "...Latvia\n61" (an address run on into a phone number) beats "61 51 81" by length.
    const text = 'Villa Darwin, Latvia\n61 51 81 office';
    const address = at(0, 23, 'ADDRESS', 0.85, 'ner.builtin');
    const phone = at(21, 29, 'PHONE', 0.9, 'rules.phone');
    expect(text.slice(address.start, address.end)).toBe('Villa Darwin, Latvia\n61');
    const merged = mergeSpans([address, phone], tierOf);
    expect(merged).toEqual([{ ...address, end: 29 }]);
    expect(text.slice(0, 29).endsWith('61 51 81')).toBe(true);
  });

  it('absorbs every kept span the grown one reaches, in a chain', () => {
    const merged = mergeSpans(
      [at(0, 10, 'ADDRESS', 0.85, 'ner.builtin'), at(8, 14, 'PHONE', 0.9, 'rules.phone'), at(13, 16, 'ID', 0.9, 'rules.keyword_id'), at(20, 22, 'EMAIL')],
      tierOf,
    );
    expect(merged).toEqual([at(0, 16, 'ADDRESS', 0.85, 'ner.builtin'), at(20, 22, 'EMAIL')]);
  });

  it('keeps the first of two overlapping readings from one detector, as before', () => {
    expect(mergeSpans([at(0, 19, 'CREDIT_CARD', 0.9, 'rules.x'), at(15, 34, 'CREDIT_CARD', 0.9, 'rules.x')], tierOf)).toEqual([at(0, 19, 'CREDIT_CARD', 0.9, 'rules.x')]);
  });

  it('does not grow over a model span that sticks out: those are stray words more often than values', () => {
    // "IBAN GB82" tagged ORG by the model loses to the IBAN; the label word stays readable.
    const merged = mergeSpans([at(0, 9, 'ORG', 0.85, 'ner.builtin'), at(5, 32, 'IBAN', 0.95, 'rules.iban')], tierOf);
    expect(merged).toEqual([at(5, 32, 'IBAN', 0.95, 'rules.iban')]);
  });

  it('keeps the words of a model span that took in the first number of a date, when the text is given', () => {
    const text = 'deadline 16 September 2025 at 23:59 Lisbon time';
    const date = at(9, 35, 'DATE', 0.9, 'rules.date');
    const place = at(33, 42, 'ADDRESS', 0.85, 'ner.builtin');
    expect(text.slice(place.start, place.end)).toBe('59 Lisbon');
    const merged = mergeSpans([date, place], tierOf, undefined, text);
    expect(merged.map((span) => text.slice(span.start, span.end))).toEqual(['16 September 2025 at 23:59', 'Lisbon']);
    // Without the text, as before: the date alone.
    expect(mergeSpans([date, place], tierOf)).toEqual([date]);
    // A remainder without a word of three letters is not kept.
    const short = 'on 5 May at 3 pm';
    expect(mergeSpans([at(3, 8, 'DATE', 0.9, 'rules.date'), at(0, 4, 'ORG', 0.85, 'ner.builtin')], tierOf, undefined, short)).toEqual([at(3, 8, 'DATE', 0.9, 'rules.date')]);
  });
});
