import { describe, expect, it } from 'vitest';
import type { EvalRecord } from '../../src/eval/record.js';
import { summarize } from '../../src/eval/report.js';
import {
  coversHalf,
  EvalTally,
  percentile,
  scoreRecord,
  significantWords,
  type PredictedSpan,
} from '../../src/eval/scoring.js';

/** Masks the predicted spans like the engine would, so leak rates follow from the spans. */
function masked(text: string, spans: readonly PredictedSpan[]): string {
  let out = '';
  let last = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    out += `${text.slice(last, span.start)}<<${span.type}_1>>`;
    last = span.end;
  }
  return out + text.slice(last);
}

function score(record: EvalRecord, spans: readonly PredictedSpan[]) {
  return scoreRecord(record, { masked: masked(record.text, spans), spans });
}

const text = 'Call Maria Lopez at 415 555 0132 today';
//            0    5          16 19 20           32
const record: EvalRecord = {
  id: 'r',
  text,
  spans: [
    { start: 5, end: 16, label: 'PERSON' },
    { start: 20, end: 32, label: 'PHONE' },
  ],
};

describe('overlap rule', () => {
  const gold = { start: 0, end: 10, label: 'PERSON' };
  it('counts a prediction covering exactly half', () => {
    expect(coversHalf(gold, { start: 5, end: 20, type: 'PERSON' })).toBe(true);
  });
  it('does not count one covering less than half', () => {
    expect(coversHalf(gold, { start: 6, end: 20, type: 'PERSON' })).toBe(false);
  });
  it('needs one prediction to cover half, not several together', () => {
    const outcome = score({ id: undefined, text: 'abcdefghij', spans: [gold] }, [
      { start: 0, end: 4, type: 'PERSON' },
      { start: 5, end: 9, type: 'PERSON' },
    ]);
    expect(outcome.gold[0]?.found).toBe(false);
  });
});

describe('scoreRecord', () => {
  it('finds spans loosely with any type and strictly by parent type', () => {
    const outcome = score(record, [
      { start: 5, end: 10, type: 'PERSON' }, // 'Maria' covers 5 of 11: under half
      { start: 5, end: 16, type: 'ORG' }, // whole name, wrong type
      { start: 20, end: 32, type: 'PHONE' },
    ]);
    expect(outcome.gold.map((g) => [g.label, g.found, g.foundStrict])).toEqual([
      ['PERSON', true, false],
      ['PHONE', true, true],
    ]);
  });

  it('scores fine types by their parent', () => {
    const dob: EvalRecord = { id: undefined, text: 'born 1990-01-02', spans: [{ start: 5, end: 15, label: 'DATE' }] };
    expect(score(dob, [{ start: 5, end: 15, type: 'DATE_OF_BIRTH' }]).gold[0]?.foundStrict).toBe(true);
  });

  it('marks predictions overlapping no gold span as unmatched', () => {
    const outcome = score(record, [
      { start: 0, end: 4, type: 'PERSON' },
      { start: 15, end: 18, type: 'PERSON' },
    ]);
    expect(outcome.predictions.map((p) => p.matched)).toEqual([false, true]);
  });

  it('measures span and token leaks on the masked text', () => {
    const outcome = score(record, [{ start: 5, end: 10, type: 'PERSON' }]);
    const person = outcome.gold[0];
    // 'Lopez' still there: the span leaks; words Maria, Lopez -> 1 of 2 leaks.
    expect(person).toMatchObject({ leaked: false, words: 2, leakedWords: 1 });
    const phone = outcome.gold[1];
    // '415', '555', '0132' all still present.
    expect(phone).toMatchObject({ leaked: true, words: 3, leakedWords: 3 });
  });

  it('counts a leak when the value appears elsewhere in the record', () => {
    const twice: EvalRecord = { id: undefined, text: 'Ana met Ana', spans: [{ start: 0, end: 3, label: 'PERSON' }] };
    expect(score(twice, [{ start: 0, end: 3, type: 'PERSON' }]).gold[0]?.leaked).toBe(true);
  });

  it('matches leaked words as whole words only', () => {
    const r: EvalRecord = { id: undefined, text: 'Bob Bobson', spans: [{ start: 4, end: 10, label: 'PERSON' }] };
    const outcome = scoreRecord(r, { masked: 'Bob <<PERSON_1>>', spans: [{ start: 4, end: 10, type: 'PERSON' }] });
    expect(outcome.gold[0]).toMatchObject({ words: 1, leakedWords: 0 });
  });
});

describe('significantWords', () => {
  it('keeps runs of 3+ letters or digits, in any script', () => {
    expect(significantWords('Dr. Jo Ødegård, 12 Main St., 90210, 東京都')).toEqual(['Ødegård', 'Main', '90210', '東京都']);
  });
});

describe('EvalTally and summarize', () => {
  function tallyOf(labels?: readonly string[]): EvalTally {
    const tally = new EvalTally(labels === undefined ? {} : { labels });
    tally.add(
      score(record, [
        { start: 5, end: 16, type: 'PERSON' },
        { start: 20, end: 32, type: 'PHONE' },
        { start: 33, end: 38, type: 'DATE' }, // 'today': false positive
      ]),
      1,
    );
    tally.add(score({ id: undefined, text: 'mail ops@x.io now', spans: [] }, [{ start: 5, end: 13, type: 'EMAIL' }]), 2);
    tally.add(score({ id: undefined, text: 'nothing here', spans: [] }, []), 3);
    tally.add(score({ id: undefined, text: 'Ana', spans: [{ start: 0, end: 3, label: 'PERSON' }] }, []), 10);
    return tally;
  }

  it('reports per label and overall', () => {
    const report = summarize(tallyOf(), { file: 'f.jsonl', annotatedLabels: ['PERSON', 'PHONE', 'DATE'] });
    expect(report.records).toBe(4);
    expect(report.records_with_spans).toBe(2);
    expect(report.labels['PERSON']).toMatchObject({ gold: 2, recall: 0.5, recall_strict: 0.5, precision: 1, span_leak_rate: 0.5 });
    expect(report.labels['PHONE']).toMatchObject({ gold: 1, recall: 1, precision: 1, span_leak_rate: 0 });
    expect(report.labels['DATE']).toMatchObject({ gold: 0, recall: null, predicted: 1, precision: 0 });
    expect(report.overall).toMatchObject({
      gold: 3,
      recall: 2 / 3,
      predicted: 3,
      false_positives: 1,
      precision: 2 / 3,
      span_leak_rate: 1 / 3,
      // words: Maria, Lopez, 415, 555, 0132, Ana -> only Ana leaks
      token_leak_rate: 1 / 6,
      over_masking_rate: 0.5,
      over_masking_rate_annotated: 0,
      over_masked_char_rate: 8 / (17 + 12),
      span_free_records: 2,
      unscored_predictions: { EMAIL: 1 },
    });
    expect(report.latency_ms).toEqual({ p50: 2, p95: 10 });
    expect(report.annotated_labels_source).toBe('manifest');
  });

  it('counts precision only on annotated labels', () => {
    const report = summarize(tallyOf(), { file: 'f.jsonl', annotatedLabels: ['PERSON'] });
    expect(report.labels['PHONE']?.precision).toBeNull();
    expect(report.labels['DATE']).toBeUndefined();
    expect(report.overall).toMatchObject({ predicted: 1, false_positives: 0, precision: 1 });
    expect(report.overall.unscored_predictions).toEqual({ PHONE: 1, DATE: 1, EMAIL: 1 });
  });

  it('counts over-masking of annotated labels separately', () => {
    const report = summarize(tallyOf(), { file: 'f.jsonl', annotatedLabels: ['EMAIL'] });
    expect(report.overall).toMatchObject({ over_masking_rate: 0.5, over_masking_rate_annotated: 0.5 });
  });

  it('falls back to the gold labels without a manifest', () => {
    const report = summarize(tallyOf(), { file: 'f.jsonl', annotatedLabels: undefined });
    expect(report.annotated_labels_source).toBe('gold');
    expect([...report.annotated_labels].sort()).toEqual(['PERSON', 'PHONE']);
    expect(report.overall.false_positives).toBe(0);
  });

  it('restricts everything to --labels', () => {
    const report = summarize(tallyOf(['PHONE']), { file: 'f.jsonl', annotatedLabels: ['PERSON', 'PHONE', 'DATE'], labels: ['PHONE'] });
    expect(Object.keys(report.labels)).toEqual(['PHONE']);
    expect(report.overall).toMatchObject({ gold: 1, recall: 1, predicted: 1, precision: 1, over_masking_rate: 0 });
  });
});

describe('percentile', () => {
  it('uses nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('significantWords with combining marks', () => {
  it('keeps a word with vowel signs whole', () => {
    expect(significantWords('श्री राम')).toEqual(['श्री', 'राम']);
  });
});
