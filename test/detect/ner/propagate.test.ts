import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { GAZ, type FeatureLexicon } from '../../../src/detect/ner/features.js';
import { createNerDetector } from '../../../src/detect/ner/ner-detector.js';
import { mentionsAcrossTexts, propagateMentions } from '../../../src/detect/ner/propagate.js';
import { DetectionEngine } from '../../../src/detect/engine.js';
import type { RawEntity } from '../../../src/detect/ner/spans.js';
import type { NerLabel } from '../../../src/detect/ner/tags.js';
import { tokenize } from '../../../src/detect/ner/tokenize.js';

const lexicon: FeatureLexicon = {
  gazetteer: new Map([
    ['may', GAZ.CALENDAR | GAZ.FIRST],
    ['dr', GAZ.TITLE],
  ]),
  // "will" is almost never capitalised mid-sentence in running text; "lindqvist" always is.
  capitalisation: new Map([
    ['will', 0],
    ['lindqvist', 4],
  ]),
};

/** Entities for the given (value, label) pairs, each at its first occurrence in `text`. */
function tagged(text: string, ...values: [string, NerLabel][]): RawEntity[] {
  return values.map(([value, label]) => {
    const start = text.indexOf(value);
    if (start < 0) throw new Error(`test setup: '${value}' is not in the text`);
    return { start, end: start + value.length, label };
  });
}

function propagated(text: string, ...values: [string, NerLabel][]): string[] {
  return propagateMentions(tokenize(text), tagged(text, ...values), lexicon).map(
    (e) => `${e.label}:${text.slice(e.start, e.end)}@${e.start}`,
  );
}

describe('propagateMentions', () => {
  it('finds the surname and first name alone after a full name, and repeats of whole mentions', () => {
    const text = 'Maria Lindqvist joined Acme Freight Systems. Lindqvist said Maria liked Acme Freight Systems.';
    expect(propagated(text, ['Maria Lindqvist', 'PERSON'], ['Acme Freight Systems', 'ORG'])).toEqual([
      'PERSON:Maria Lindqvist@0',
      'ORG:Acme Freight Systems@23',
      'PERSON:Lindqvist@45',
      'PERSON:Maria@60',
      'ORG:Acme Freight Systems@72',
    ]);
  });

  it('leaves words alone that are usually lower-case, calendar words, titles and other names', () => {
    const text = 'Will Lindqvist called in May. Will you call back? Lindqvist Holdings sent Dr. May Ward a note.';
    const out = propagated(text, ['Will Lindqvist', 'PERSON']);
    // "Will" the verb, "May" the month and "Lindqvist Holdings" (a different name) are not repeats.
    expect(out).toEqual(['PERSON:Will Lindqvist@0']);
  });

  it('finds a lower-case name part again when it is a listed name that is seldom a word', () => {
    const names: FeatureLexicon = {
      gazetteer: new Map([
        ['dave', GAZ.FIRST],
        ['kowalski', GAZ.LAST],
        ['will', GAZ.FIRST],
        ['smith', GAZ.LAST],
      ]),
      capitalisation: new Map([
        ['dave', 3],
        ['will', 0],
      ]),
    };
    const run = (text: string, value: string): string[] =>
      propagateMentions(tokenize(text), tagged(text, [value, 'PERSON']), names).map((e) => text.slice(e.start, e.end));
    expect(run("yeah it's dave, dave kowalski. kowalski with a k", 'dave kowalski')).toEqual(['dave', 'dave kowalski', 'kowalski']);
    // "will" is a word far more often than a name.
    expect(run('i will call. will smith here', 'will smith')).toEqual(['will smith']);
  });

  it('calls a company named with its legal form by its first word, when that word is a name', () => {
    const text = 'JANE ROE v. ACME LOGISTICS, INC., Defendant. Roe was employed by Acme until 2019.';
    expect(propagated(text, ['ACME LOGISTICS, INC.', 'ORG'])).toEqual(['ORG:ACME LOGISTICS, INC.@12', 'ORG:Acme@65']);
    // A word usually written in lower case ("will") is not a company's short name; nor is the
    // first word of a name without a legal form.
    expect(propagated('Will Freight Systems Ltd said it will grow. Will agreed.', ['Will Freight Systems Ltd', 'ORG'])).toEqual([
      'ORG:Will Freight Systems Ltd@0',
    ]);
    expect(propagated('Acme Freight Systems grew. Acme agreed.', ['Acme Freight Systems', 'ORG'])).toEqual(['ORG:Acme Freight Systems@0']);
  });

  it('only matches exact token texts and never a word inside a tagged span', () => {
    const text = 'Anna Berg met Bergman. Anna Berg left; BERG stayed.';
    const out = propagated(text, ['Anna Berg', 'PERSON']);
    expect(out).toEqual(['PERSON:Anna Berg@0', 'PERSON:Anna Berg@23']);
  });

  it('grows a mention tagged in part to the whole name given elsewhere, and calls a lone surname tagged ORG a person', () => {
    const text = 'Debra Perlingiere\nSee the draft. Regards,\nDebra Perlingiere\nPerlingiere approved it.';
    const first = { start: 0, end: 'Debra'.length, label: 'PERSON' as const };
    const second = text.indexOf('Debra', 1);
    const third = text.lastIndexOf('Perlingiere');
    const entities: RawEntity[] = [
      first,
      { start: second, end: second + 'Debra Perlingiere'.length, label: 'PERSON' },
      { start: third, end: third + 'Perlingiere'.length, label: 'ORG' },
    ];
    const out = propagateMentions(tokenize(text), entities, lexicon).map((e) => `${e.label}:${text.slice(e.start, e.end)}`);
    expect(out).toEqual(['PERSON:Debra Perlingiere', 'PERSON:Debra Perlingiere', 'PERSON:Perlingiere']);
  });

  it('drops a mention that two labels claim', () => {
    const text = 'Jordan Hale flew to Jordan. Later Jordan called.';
    const entities = tagged(text, ['Jordan Hale', 'PERSON']);
    const second = text.indexOf('Jordan', 1);
    entities.push({ start: second, end: second + 'Jordan'.length, label: 'LOCATION' });
    const out = propagateMentions(tokenize(text), entities, lexicon).map((e) => text.slice(e.start, e.end));
    expect(out).toEqual(['Jordan Hale', 'Jordan']);
  });
});

describe('NerDetector mention propagation', () => {
  const on = createNerDetector({ cacheSize: 0 });
  const persons = (spans: readonly Span[], text: string): string[] =>
    spans.filter((s) => s.type === 'PERSON').map((s) => text.slice(s.start, s.end));

  it('reports a surname repeated after the full name', () => {
    const text =
      'Theodora Vasquez-Lindqvist was admitted with chest pain. Overnight the monitor alarmed twice; ' +
      'Vasquez-Lindqvist remained stable and was discharged home.';
    expect(persons(on.detect(text), text)).toEqual(['Theodora Vasquez-Lindqvist', 'Vasquez-Lindqvist']);
  });

  it('never turns numbers, dates or code into repeats', () => {
    const text = 'Ana Silva paid 1,250.00 EUR on 2024-03-01. Run getUserName() twice; Silva 2024 is not a name.';
    for (const span of on.detect(text)) expect(text.slice(span.start, span.end)).toMatch(/\p{L}/u);
    expect(persons(on.detect(text), text)).not.toContain('2024');
  });
});

describe('mentionsAcrossTexts', () => {
  const span = (text: string, value: string, type: string): Span => {
    const start = text.indexOf(value);
    if (start < 0) throw new Error(`test setup: '${value}' is not in the text`);
    return { start, end: start + value.length, type, score: 0.85, detector: 'ner.test' };
  };
  const shown = (texts: readonly string[], added: Span[][]): string[][] =>
    added.map((spans, index) => spans.map((s) => `${s.type}:${(texts[index] ?? '').slice(s.start, s.end)}@${s.start}`));

  it('finds in the other texts the names one text gives: whole, and a person by first or last name', () => {
    const texts = ['Dr. Maria Lindqvist of Acme Freight Systems called.', 'Lindqvist agreed; Maria will ask Acme Freight Systems.', 'BY LINDQVIST'];
    const spans = [[span(texts[0] as string, 'Dr. Maria Lindqvist', 'PERSON'), span(texts[0] as string, 'Acme Freight Systems', 'ORG')], [], []];
    const added = mentionsAcrossTexts(texts, spans, lexicon, 'ner.test');
    expect(shown(texts, added)).toEqual([
      [],
      ['PERSON:Lindqvist@0', 'PERSON:Maria@18', 'ORG:Acme Freight Systems@33'],
      ['PERSON:LINDQVIST@3'],
    ]);
    expect(added[1]?.every((s) => s.detector === 'ner.test' && s.score === 0.85)).toBe(true);
  });

  it('leaves alone words inside other words and spans, other names, usual lower-case words, and names two types claim', () => {
    const texts = ['Will Lindqvist and Jordan Berg wrote.', 'Lindqvistson, Lindqvist Holdings and Will you? Berg', 'Jordan is a country here.', 'Then Jordan called.'];
    const spans = [
      [span(texts[0] as string, 'Will Lindqvist', 'PERSON'), span(texts[0] as string, 'Jordan Berg', 'PERSON')],
      [span(texts[1] as string, 'Berg', 'LOCATION')],
      [span(texts[2] as string, 'Jordan', 'LOCATION')],
      [],
    ];
    const added = mentionsAcrossTexts(texts, spans, lexicon, 'ner.test');
    // "Berg" is already a span of text 1; "Jordan" is a PERSON part in one text and a LOCATION in another.
    expect(shown(texts, added)).toEqual([[], [], [], []]);
    // With one type only, the same lone name is found.
    expect(shown(texts, mentionsAcrossTexts(texts, spans.slice(0, 2), lexicon, 'ner.test'))[3]).toEqual(['PERSON:Jordan@5']);
  });

  it('reads a text word by word when there are many names', () => {
    const people = ['Ana Silva', 'Ben Okafor', 'Chloe Martin', 'Dmitri Volkov', 'Elif Kaya', 'Femi Adeyemi', 'Greta Lund', 'Hugo Brandt'];
    const texts = [...people.map((name) => `Signed by ${name}.`), 'Volkov and KAYA agreed; Brandtson did not; Okafor Holdings is another firm. Silva!'];
    const spans = texts.map((text, index) => (index < people.length ? [span(text, people[index] as string, 'PERSON')] : []));
    const added = mentionsAcrossTexts(texts, spans, lexicon, 'ner.test');
    expect(shown(texts, added).at(-1)).toEqual(['PERSON:Volkov@0', 'PERSON:KAYA@11', 'PERSON:Silva@76']);
    expect(added.slice(0, -1).every((extra) => extra.length === 0)).toBe(true);
  });

  it('looks in the text a name came from only for windows of one text', () => {
    const texts = ['Maria Lindqvist wrote. Later Lindqvist signed.'];
    const spans = [[span(texts[0] as string, 'Maria Lindqvist', 'PERSON')]];
    expect(shown(texts, mentionsAcrossTexts(texts, spans, lexicon, 'ner.test'))).toEqual([[]]);
    expect(shown(texts, mentionsAcrossTexts(texts, spans, lexicon, 'ner.test', { withinText: true }))).toEqual([['PERSON:Lindqvist@29']]);
  });
});

describe('DetectionEngine.relate with the built-in NER', () => {
  it('adds the surname a later text uses alone, under the allow list, and not with propagation off', () => {
    const texts = ['The account holder is Rose Baker.', 'Baker approved it.'];
    const on = new DetectionEngine({ detectors: [createNerDetector()] });
    const found = texts.map((text) => on.detect(text) as Span[]);
    expect(found[1]).toEqual([]);
    const related = on.relate(texts, found);
    expect(related[1]?.map((s) => `${s.type}:${texts[1]?.slice(s.start, s.end)}`)).toEqual(['PERSON:Baker']);
    const allowed = new DetectionEngine({ detectors: [createNerDetector()], allow: { values: ['Baker'] } });
    expect(allowed.relate(texts, texts.map((text) => allowed.detect(text) as Span[]))[1]).toEqual([]);
    const off = new DetectionEngine({ detectors: [createNerDetector({ propagate: false })] });
    expect(off.relate(texts, texts.map((text) => off.detect(text) as Span[]))[1]).toEqual([]);
  });
});
