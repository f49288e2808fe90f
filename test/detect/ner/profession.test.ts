import { describe, expect, it } from 'vitest';
import { findProfessions } from '../../../src/detect/ner/profession.js';
import { createNerDetector } from '../../../src/detect/ner/ner-detector.js';

/** Job titles found in `text`, with `names` given as the PERSON spans (each at its first occurrence). */
function titles(text: string, ...names: string[]): string[] {
  const people = names.map((name) => {
    const start = text.indexOf(name);
    if (start < 0) throw new Error(`test setup: '${name}' is not in the text`);
    return { start, end: start + name.length };
  });
  return findProfessions(text, people).map((match) => text.slice(match.start, match.end));
}

describe('occupations stated about a person', () => {
  it('reads the title on or under a name\'s line', () => {
    expect(titles('Janka M. Szász\n\nNetwork and computer systems administrator\n\nPersonal Info:', 'Janka M. Szász')).toEqual([
      'Network and computer systems administrator',
    ]);
    expect(titles('Karin M. Beike Leasing consultant Fritz-Armstrong Ltd', 'Karin M. Beike')).toEqual(['Leasing consultant']);
    expect(titles('Matthew Reumer, the Civil drafter, said: "fine"', 'Matthew Reumer')).toEqual(['Civil drafter']);
    expect(titles('Erik Baader  Court, municipal, and license clerk  Phone: 358 0594', 'Erik Baader')).toEqual(['Court, municipal, and license clerk']);
    expect(titles('Cormac Allan\nEchocardiographer\nPlaceilivecom', 'Cormac Allan')).toEqual(['Echocardiographer']);
  });

  it('reads the title after the phrases that introduce one', () => {
    expect(titles('He is a retired machinist who worked 30 years for GE.')).toEqual(['machinist']);
    expect(titles('She works as a school librarian at Lincoln Elementary.')).toEqual(['school librarian']);
    expect(titles('Married to Jorge, a retired firefighter from Chelsea.')).toEqual(['firefighter']);
    expect(titles('Occupation: registered nurse\nEmployer: Mercy')).toEqual(['registered nurse']);
    expect(titles('she is a professor of medicine at Yale')).toEqual(['professor']);
    // An apposition to a person noun, and a title followed by where the person works.
    expect(titles('The applicant, a journalist, was born in 1968.')).toEqual(['journalist']);
    expect(titles('Her husband, a retired farmer, died in 2004.')).toEqual(['farmer']);
    expect(titles('represented by Mr K. Nowacki, a lawyer practising in Łódź.', 'K. Nowacki')).toEqual(['lawyer']);
    // Several people share a title in the plural.
    expect(titles('naming Mr H.K. and Mr S.A., both police officers of the branch.', 'Mr S.A.')).toEqual(['police officers']);
    // "as a" names a role after any word; "the position of" names the job offered.
    expect(titles('She worked at The Copper Kettle as a barista until 2021.')).toEqual(['barista']);
    expect(titles('We offer you the position of Senior Data Engineer in our team.')).toEqual(['Senior Data Engineer']);
    expect(titles('As a result the deal fell through, such as a doctor\'s note.')).toEqual([]);
  });

  it('leaves the offices of the court under a judgment alone', () => {
    const text = 'Pieter van Aalst, Registrar\nHelga Maurstad, President\nMarit Lindqvist, Deputy Registrar';
    expect(titles(text, 'Pieter van Aalst', 'Helga Maurstad', 'Marit Lindqvist')).toEqual([]);
    expect(titles('The report, a draft, was filed.')).toEqual([]);
  });

  it('leaves prose, other nouns and titles of other people alone', () => {
    expect(titles('John Smith called the plumber yesterday.', 'John Smith')).toEqual([]);
    expect(titles('It is a driver issue, not hardware. This is a printer.')).toEqual([]);
    expect(titles('the minister met a descendant of former President Lincoln')).toEqual([]);
    expect(titles('There is an enormous glut of pilots.')).toEqual([]);
    // After a plain space only on a line the name starts, not inside a sentence.
    expect(titles('We met Karin Beike Leasing consultant there', 'Karin Beike')).toEqual([]);
  });

  it('are PROFESSION spans of the built-in NER, which can turn them off', () => {
    const text = 'Mr. Walter Kowalczyk is a retired machinist from Lynn.';
    const types = (detector: ReturnType<typeof createNerDetector>): string[] =>
      detector.detect(text).map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
    expect(types(createNerDetector())).toContain('PROFESSION:machinist');
    expect(types(createNerDetector({ professions: false })).some((value) => value.startsWith('PROFESSION'))).toBe(false);
  });
});
