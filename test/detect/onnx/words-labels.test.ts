import { describe, expect, it } from 'vitest';
import { entitiesOf, groupWords, parseLabel, type WordLabel } from '../../../src/detect/onnx/labels.js';
import { splitWords, windowsOf, type Word } from '../../../src/detect/onnx/words.js';

function wordsOf(text: string): string[] {
  return splitWords(text).map((word) => text.slice(word.start, word.end));
}

describe('splitWords', () => {
  it('splits on whitespace and isolates punctuation, as a BERT pre-tokenizer does', () => {
    expect(wordsOf("Alice's e-mail: alice@acme.com (Zürich)!")).toEqual([
      'Alice', "'", 's', 'e', '-', 'mail', ':', 'alice', '@', 'acme', '.', 'com', '(', 'Zürich', ')', '!',
    ]);
  });

  it('keeps combining marks and astral characters inside words, with UTF-16 offsets', () => {
    const text = '😀 Zu\u0308rich\u00a0東京\tx';
    const words = splitWords(text);
    expect(words.map((word) => text.slice(word.start, word.end))).toEqual(['😀', 'Zu\u0308rich', '東', '京', 'x']);
    expect(words[1]).toEqual({ start: 3, end: 10 });
  });

  it('finds no words in blank text', () => {
    expect(splitWords(' \n\t\u200b ')).toEqual([]);
  });
});

function fakeWords(pieces: readonly number[]): Word[] {
  return pieces.map((count, index) => ({ start: index, end: index + 1, ids: Array.from({ length: count }, () => 7) }));
}

describe('windowsOf', () => {
  it('puts a short text in one window', () => {
    expect(windowsOf(fakeWords([1, 2, 1]), 10, 2)).toEqual([{ from: 0, to: 3 }]);
  });

  it('covers every word, stays in budget and overlaps neighbours', () => {
    const words = fakeWords(Array.from({ length: 50 }, (_, index) => 1 + (index % 3)));
    const windows = windowsOf(words, 12, 4);
    expect(windows[0]!.from).toBe(0);
    expect(windows[windows.length - 1]!.to).toBe(50);
    for (const [index, window] of windows.entries()) {
      const tokens = words.slice(window.from, window.to).reduce((sum, word) => sum + word.ids.length, 0);
      expect(tokens).toBeLessThanOrEqual(12);
      const next = windows[index + 1];
      if (next !== undefined) {
        expect(next.from).toBeGreaterThan(window.from);
        expect(next.from).toBeLessThan(window.to);
      }
    }
  });

  it('gives a word longer than the budget a window of its own and moves on', () => {
    expect(windowsOf(fakeWords([1, 30, 1]), 8, 2)).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 3 },
    ]);
  });
});

describe('labels', () => {
  it('parses IO, BIO, BIOES and BILOU labels', () => {
    expect(parseLabel('O')).toEqual({ entity: undefined, begins: false, ends: false });
    expect(parseLabel('PER')).toEqual({ entity: 'PER', begins: false, ends: false });
    expect(parseLabel('B-PER')).toEqual({ entity: 'PER', begins: true, ends: false });
    expect(parseLabel('I_LOC')).toEqual({ entity: 'LOC', begins: false, ends: false });
    expect(parseLabel('S-ORG')).toEqual({ entity: 'ORG', begins: true, ends: true });
    expect(parseLabel('L-ORG')).toEqual({ entity: 'ORG', begins: false, ends: true });
    expect(entitiesOf(['O', 'B-PER', 'I-PER', 'B-LOC', 'MISC'])).toEqual(['PER', 'LOC', 'MISC']);
  });

  function labelled(...labels: string[]): WordLabel[] {
    return labels.map((label, index) => ({ start: index * 10, end: index * 10 + 5, label: parseLabel(label), score: 0.5 + index / 10 }));
  }

  it('groups BIO words: B starts, I continues the same entity, O and a new entity end', () => {
    const spans = groupWords(labelled('B-PER', 'I-PER', 'O', 'I-LOC', 'B-LOC', 'I-PER', 'B-PER'));
    expect(spans.map((span) => [span.entity, span.start, span.end])).toEqual([
      ['PER', 0, 15],
      ['LOC', 30, 35],
      ['LOC', 40, 45],
      ['PER', 50, 55],
      ['PER', 60, 65],
    ]);
    expect(spans[0]!.score).toBeCloseTo(0.55);
  });

  it('groups IO words by entity and BIOES words by their end tags', () => {
    expect(groupWords(labelled('PER', 'PER', 'LOC')).map((span) => [span.entity, span.start, span.end])).toEqual([
      ['PER', 0, 15],
      ['LOC', 20, 25],
    ]);
    expect(groupWords(labelled('S-PER', 'I-PER', 'E-PER', 'I-PER')).map((span) => [span.entity, span.start, span.end])).toEqual([
      ['PER', 0, 5],
      ['PER', 10, 25],
      ['PER', 30, 35],
    ]);
  });
});
