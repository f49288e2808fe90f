import { describe, expect, it } from 'vitest';
import { findNameHashtags, findSpacedHandles, type NameLexicon } from '../../../src/detect/ner/social.js';
import { createNerDetector } from '../../../src/detect/ner/ner-detector.js';

const FIRST = new Set(['james', 'mark', 'johnny', 'michael', 'luke', 'justin', 'paul']);
const LAST = new Set(['foley', 'sanchez', 'winter', 'batty', 'brown']);
const COMMON = new Set(['home', 'work', 'my', 'words', 'watch', 'it', 'brookewylie', 'least']);
const lexicon: NameLexicon = {
  isFirstName: (lower) => FIRST.has(lower),
  isLastName: (lower) => LAST.has(lower),
  isCommonWord: (lower) => COMMON.has(lower),
};
const texts = (text: string, found: readonly { start: number; end: number }[]): string[] => found.map((name) => text.slice(name.start, name.end));

describe('handles written with a space after the at sign', () => {
  it('takes the at sign and the handle', () => {
    const text = 'Raids underway in the south (@ brookewylie) and more via @ Jeremy_Hardy84.';
    expect(texts(text, findSpacedHandles(text, lexicon))).toEqual(['@ brookewylie', '@ Jeremy_Hardy84']);
  });

  it('leaves words, times, numbers and the venues of check-ins alone', () => {
    for (const text of ["I'm @ home now", 'Game @ 7:30PM tonight', 'call me @ 410-336-3234', 'Dinner (@ Nottingham Railway Station)', 'lol (@ YouTube http://t.co/x)', 'mail me at jane@ example']) {
      expect(findSpacedHandles(text, lexicon), text).toEqual([]);
    }
  });
});

describe('hashtags that name a person', () => {
  it('reads CamelCase and run-together names', () => {
    const text = 'Justice for #MichaelBrown. So sad #RIPJohnnyWinter, and #marksanchez again; #JamesFoley.';
    expect(texts(text, findNameHashtags(text, lexicon))).toEqual(['#MichaelBrown', '#RIPJohnnyWinter', '#marksanchez', '#JamesFoley']);
  });

  it('leaves phrases that start with a first name alone', () => {
    for (const text of ['#MarkMyWords', '#JustinWatchIt please', '#HappyBirthday', '#lovewins', '#marks', 'issue #12345']) {
      expect(findNameHashtags(text, lexicon), text).toEqual([]);
    }
  });
});

describe('the NER detector with the built-in model', () => {
  it('masks a spaced handle with its at sign', async () => {
    const detector = createNerDetector({ cacheSize: 0 });
    const text = 'Fair point @ kyle28walker. See you there (@ lipporocks)';
    const people = (await detector.detect(text)).filter((span) => span.type === 'PERSON').map((span) => text.slice(span.start, span.end));
    expect(people).toEqual(['@ kyle28walker', '@ lipporocks']);
  });
  it('takes handles with dashes whole and leaves the at-words of code alone', async () => {
    const detector = createNerDetector({ cacheSize: 0 });
    const people = async (text: string): Promise<string[]> => (await detector.detect(text)).filter((span) => span.type === 'PERSON').map((span) => text.slice(span.start, span.end));
    expect(await people('venmo me @Chris-Dang-7 or @Sam-Okonjo tonight')).toEqual(['@Chris-Dang-7', '@Sam-Okonjo']);
    expect(await people('@media (max-width: 600px) { a { color: red } } @font-face { font-family: X }')).toEqual([]);
    expect(await people('/** @param name the value @returns nothing @deprecated */')).toEqual([]);
  });

  it('reads handles with a dot and Reddit user names as people, never an address\'s tail', () => {
    const text = 'hey @dana.kowal and @zaid.runs, write to a@example.com or @example.com. Posted by u/throwaway_kettle22 in r/LegalAdviceUK';
    const people = createNerDetector().detect(text).filter((span) => span.type === 'PERSON').map((span) => text.slice(span.start, span.end));
    expect(people).toEqual(['@dana.kowal', '@zaid.runs', 'u/throwaway_kettle22']);
  });
});
