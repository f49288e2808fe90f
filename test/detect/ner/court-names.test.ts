import { describe, expect, it } from 'vitest';
import { findBadgeNumbers, findCourtNames } from '../../../src/detect/ner/court-names.js';

const found = (text: string): string[] => findCourtNames(text).map((name) => `${name.type}:${text.slice(name.start, name.end)}`);

describe('names in court papers', () => {
  it('reads the judges under an opinion', () => {
    expect(found('It is so ordered.\n\nWe concur:\nOKAMOTO, A.C.J.\nDRISCOLL, J.\nMARY ANN LEE, P.J.')).toEqual(['PERSON:OKAMOTO', 'PERSON:DRISCOLL', 'PERSON:MARY ANN LEE']);
  });

  it('reads the parties of a caption, a company as an organisation', () => {
    const caption = 'ALEXANDRIA DIVISION\n\nYOHANNES TEKLE GEBREMARIAM,\nPetitioner,\nv.\nMERIDIAN AUTO FINANCE LLC,\nRespondent.';
    expect(found(caption)).toEqual(['PERSON:YOHANNES TEKLE GEBREMARIAM', 'ORG:MERIDIAN AUTO FINANCE LLC']);
  });

  it('leaves headings and prose alone', () => {
    expect(found('I. BACKGROUND\nDISCUSSION, J.R. Smith wrote.\nSECTION 2,\nthe petitioner argues')).toEqual([]);
  });
});

describe('badge numbers after a name', () => {
  const badges = (text: string, names: string[]): string[] =>
    findBadgeNumbers(text, names.map((name) => ({ start: text.indexOf(name), end: text.indexOf(name) + name.length }))).map((badge) => text.slice(badge.start, badge.end));

  it('takes a number with # after any name, and a bare one after a police rank', () => {
    expect(badges('Reporting Officer: Ofc. Daniel Reyes #8841', ['Daniel Reyes'])).toEqual(['8841']);
    expect(badges('Statement taken by: PC L. Bentley 4417, North Yorkshire Police', ['L. Bentley'])).toEqual(['4417']);
    expect(badges('Specialist T. Lindgren #5520 processed the scene', ['T. Lindgren'])).toEqual(['5520']);
  });

  it('leaves years, phone numbers and other numbers after a name alone', () => {
    expect(badges('John Smith 1984 was born', ['John Smith'])).toEqual([]);
    expect(badges('Maria Lopez #1 fan', ['Maria Lopez'])).toEqual([]);
    expect(badges('Call Anna 5550123 later', ['Anna'])).toEqual([]);
  });
});
