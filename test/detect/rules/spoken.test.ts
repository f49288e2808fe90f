import { describe, expect, it } from 'vitest';
import { spokenDateDetector } from '../../../src/detect/rules/spoken-dates.js';
import { spokenEmailDetector } from '../../../src/detect/rules/spoken-email.js';
import { spokenNumberDetector } from '../../../src/detect/rules/spoken-numbers.js';
import { createDefaultEngine } from '../../../src/detect/registry.js';
import { found } from './helpers.js';

describe('rules.spoken_number', () => {
  it.each([
    ['sure, my number is five five five, two one three, four four nine eight', 'PHONE:five five five, two one three, four four nine eight'],
    ['my card number is four one one one one one one one one one one one one one one one.', 'CREDIT_CARD:four one one one one one one one one one one one one one one one'],
    ['My social is one two three four five six seven eight nine', 'SSN:one two three four five six seven eight nine'],
    ['and my zip is nine four one one zero.', 'ZIP:nine four one one zero'],
    ['the PIN is four four two one', 'SECRET:four four two one'],
    ['account number seven seven double three nine', 'ACCOUNT:seven seven double three nine'],
    ['call me on oh seven seven double oh, nine double oh one two three', 'PHONE:oh seven seven double oh, nine double oh one two three'],
    ['it is 555 two one three four four nine eight', 'PHONE:555 two one three four four nine eight'],
    ['reference: one two three four', 'ID:one two three four'],
    ['read it back: six one four two two nine nine eight one', 'ID:six one four two two nine nine eight one'],
  ])('reads %j', (text, expected) => {
    expect(found(spokenNumberDetector, text)).toEqual([expected]);
  });

  it('leaves counts, short runs and numerals alone', () => {
    for (const text of [
      'one or two of them, maybe three',
      'we need five, six, seven chairs',
      'The top three: one, two and four.',
      'call 555 213 4498 today',
      'it happened one two many times',
    ]) {
      expect(found(spokenNumberDetector, text), text).toEqual([]);
    }
  });
});

describe('rules.spoken_email', () => {
  it.each([
    ['my email is john dot smith at gmail dot com', 'john dot smith at gmail dot com'],
    ['write to j underscore doe at acme dot co dot uk please', 'j underscore doe at acme dot co dot uk'],
    ['it is maria.garcia at example dot org', 'maria.garcia at example dot org'],
  ])('reads %j', (text, expected) => {
    expect(found(spokenEmailDetector, text)).toEqual([`EMAIL:${expected}`]);
  });

  it('needs a spoken dot and a real top-level domain', () => {
    expect(found(spokenEmailDetector, 'meet me at noon, dot the i and cross the t')).toEqual([]);
    expect(found(spokenEmailDetector, 'see you at example.com')).toEqual([]);
    expect(found(spokenEmailDetector, 'she was at home dot matrix')).toEqual([]);
  });
});

describe('rules.spoken_date', () => {
  it.each([
    ['my date of birth is june third nineteen ninety', 'DATE_OF_BIRTH:june third nineteen ninety'],
    ['I was born on the third of June, nineteen eighty four.', 'DATE_OF_BIRTH:third of June, nineteen eighty four'],
    ['the appointment is March twenty-first', 'DATE:March twenty-first'],
    ['since the twenty first of March 2024', 'DATE:twenty first of March 2024'],
    ['she was born in nineteen seventy two', 'DATE_OF_BIRTH:nineteen seventy two'],
    ['moved here in two thousand and five', 'DATE:two thousand and five'],
    ['it closed in October twenty twenty', 'DATE:October twenty twenty'],
  ])('reads %j', (text, expected) => {
    expect(found(spokenDateDetector, text)).toEqual([expected]);
  });

  it('leaves written dates to the date rule and verbs alone', () => {
    expect(found(spokenDateDetector, 'on June 3, 1990')).toEqual([]);
    expect(found(spokenDateDetector, 'you may second the motion')).toEqual([]);
    expect(found(spokenDateDetector, 'twenty people came in March')).toEqual([]);
  });
});

describe('spoken values in the default engine', () => {
  it('masks a call transcript end to end, whole values only', async () => {
    const text =
      "CALLER: it's five five five, two one three, four four nine eight, and my email is kwame dot mensah at gmail dot com. " +
      'Date of birth june third nineteen ninety.';
    const spans = await createDefaultEngine().detect(text);
    const taken = spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
    expect(taken).toEqual(
      expect.arrayContaining([
        'PHONE:five five five, two one three, four four nine eight',
        'EMAIL:kwame dot mensah at gmail dot com',
        'DATE_OF_BIRTH:june third nineteen ninety',
      ]),
    );
  });
});
