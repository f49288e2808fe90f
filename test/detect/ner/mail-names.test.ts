import { describe, expect, it } from 'vitest';
import { findDisplayNames, findSignOffs, type SignOffLexicon } from '../../../src/detect/ner/mail-names.js';

const FIRST = new Set(['vince', 'anna', 'tom', 'june', 'may']);
const COMMON = new Set(['the', 'help', 'success', 'conclusion', 'sugar', 'npm', 'end', 'why', 'red', 'may']);
const PROPER = new Set(['perlingiere']);
const lexicon: SignOffLexicon = { isFirstName: (lower) => FIRST.has(lower), isCommonWord: (lower) => COMMON.has(lower), isProperWord: (lower) => PROPER.has(lower) };
const texts = (text: string, found: readonly { start: number; end: number }[]): string[] => found.map((name) => text.slice(name.start, name.end));

describe('display names of e-mail addresses', () => {
  it('takes the quoted name before an address', () => {
    const text = 'From: "Townsend, George" <gtownsend@manorisd.net>\nCc: "TJO"<tjo@example.org>, "  Ana Lima " <ana@example.com>';
    expect(texts(text, findDisplayNames(text))).toEqual(['Townsend, George', 'TJO', 'Ana Lima']);
  });

  it('leaves organisations, roles and anything with digits alone', () => {
    for (const text of ['"Support Team" <help@acme.com>', '"Acme Inc." <sales@acme.com>', '"John 3:16" <a@b.co>', 'say "hello" to <a@b.co>?']) {
      expect(findDisplayNames(text), text).toEqual([]);
    }
  });
});

describe('sign-offs under a message', () => {
  it('reads initials and names on their own line after a closing', () => {
    const cases: [string, string[]][] = [
      ['Please clarify, do you intend 10MM as well? Thx\ndp\nDebra Perlingiere', ['dp']],
      ['It smelled awful. Talk to you later\nGT', ['GT']],
      ['FYI\nVince\nP.S. Tom, please call Vernon', ['Vince']],
      ['Thanks!\nAnna', ['Anna']],
      ['See you soon.\nTom\n-----Original Message-----\nFrom: x', ['Tom']],
      ['The owner is a hoot to deal with.\nMo', ['Mo']],
      ['11/29/2000 04:31 PM\nRegards,\nbd\nAttached is the referenced agreement.', ['bd']],
      ['Let me know if you need anything else. dp\nDebra Perlingiere\nAnna,\nAttached is the file.', ['dp', 'Anna']],
    ];
    for (const [text, expected] of cases) expect(texts(text, findSignOffs(text, lexicon)), text).toEqual(expected);
  });

  it('leaves words on their own line alone', () => {
    for (const text of [
      'Run the following command:\nnpm install\nThen restart.',
      'The results are below.\nSuccess\n',
      'Ingredients:\nSugar\nFlour',
      'I went there yesterday.\nThe',
      'What should I do?\nHelp',
      'Status: done.\nOK',
      'Is this fine?\nYes',
      'Summary.\nConclusion',
      'The answer is 4.\nWhy',
      'One line only',
      'Dear team\nAnna will join us',
      'It was fine.\nAnna\nand then we left',
      'Hi all,\nGreat news.',
      'However,\nwe disagree.',
      'The list:\nApples,\npears',
    ]) {
      expect(findSignOffs(text, lexicon), text).toEqual([]);
    }
  });
});

describe('the NER detector with the built-in model', () => {
  it('masks a display name whole as one person, and a sign-off', async () => {
    const { createNerDetector } = await import('../../../src/detect/ner/ner-detector.js');
    const detector = createNerDetector({ cacheSize: 0 });
    const text = '"Lenhart, Matthew" <mlenhart@example.com> wrote the memo. Talk to you later\nGT';
    const found = (await detector.detect(text)).map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
    expect(found).toEqual(['PERSON:Lenhart, Matthew', 'PERSON:GT']);
  });
});
