import { describe, expect, it } from 'vitest';
import { findTitledNames, type TitleLexicon } from '../../../src/detect/ner/titled.js';
import { createNerDetector } from '../../../src/detect/ner/ner-detector.js';

const NOT_NAMES = new Set(['department', 'street', 'monday']);
const COMMON = new Set(['who', 'pepper']);
const lexicon: TitleLexicon = { isNotNameWord: (lower) => NOT_NAMES.has(lower), isCommonWord: (lower) => COMMON.has(lower) };
const names = (text: string): string[] => findTitledNames(text, lexicon).map((name) => text.slice(name.start, name.end));

describe('names after a title', () => {
  it('takes the name, not the title', () => {
    expect(names('Ms. Walters approached one of the women.')).toEqual(['Walters']);
    expect(names('District Court Judge Robert E. Jones appeared to agree.')).toEqual(['Robert E. Jones']);
    expect(names("Sgt O'Neill and Prof. Anna-Lena Schmidt-Weber wrote to Dr J. R. Okafor.")).toEqual(["O'Neill", 'Anna-Lena Schmidt-Weber', 'J. R. Okafor']);
    // Patronymics and particles inside a name, never at its end.
    expect(names('Mr Elnur Rafig oglu Huseynov and Dr Maria dos Santos met Mr Smith de la')).toEqual(['Elnur Rafig oglu Huseynov', 'Maria dos Santos', 'Smith']);
  });

  it('stops at words that are no name', () => {
    expect(names('The Justice Department met Doctor Who and Dr. Pepper on President Street.')).toEqual([]);
    expect(names('Mr. Smith Street is closed; ask Mr. J. about it.')).toEqual(['Smith']);
    expect(names('Mr. lowercase and Dr.')).toEqual([]);
  });
});

describe('the NER detector', () => {
  it('never returns spans that overlap in part: the shared title goes to the person', async () => {
    const detector = createNerDetector({ cacheSize: 0 });
    const text = 'On Jan. 31, Oregon Federal District Court Judge Robert E. Jones appeared to agree with them.';
    const spans = await detector.detect(text);
    for (let index = 1; index < spans.length; index++) expect((spans[index] as { start: number }).start).toBeGreaterThanOrEqual((spans[index - 1] as { end: number }).end);
    const people = spans.filter((span) => span.type === 'PERSON').map((span) => text.slice(span.start, span.end));
    expect(people.some((person) => person.includes('Robert E. Jones'))).toBe(true);
  });

  it('joins the pieces the model found of a titled name into one person', async () => {
    const detector = createNerDetector({ cacheSize: 0 });
    const text = 'lodged by an Azerbaijani national, Mr Elnur Rafig oglu Huseynov ("the applicant"), on 21 August 2007.';
    const people = (await detector.detect(text)).filter((span) => span.type === 'PERSON').map((span) => text.slice(span.start, span.end));
    expect(people).toEqual(['Mr Elnur Rafig oglu Huseynov']);
  });
});
