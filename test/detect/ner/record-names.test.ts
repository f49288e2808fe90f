import { describe, expect, it } from 'vitest';
import { findCredentialedNames, findDictationInitials, findLastFirstNames, stateAfterCity } from '../../../src/detect/ner/record-names.js';

const texts = (text: string, found: readonly { start: number; end: number }[]): string[] => found.map((name) => text.slice(name.start, name.end));

describe('names as records write them', () => {
  it('reads surname-first names after a field label or before demographics', () => {
    const note = 'Pt: NAKAMURA, HIROSHI   Rm 712B\nPATIENT NAME: Haddad, Layla\nChen, Wei-Ming | 59 M | Acct A0098817432\nEmergency contact: Wojcik, Piotr (husband)';
    expect(texts(note, findLastFirstNames(note))).toEqual(['NAKAMURA, HIROSHI', 'Haddad, Layla', 'Chen, Wei-Ming', 'Wojcik, Piotr']);
  });

  it('leaves places and lists written with a comma alone', () => {
    for (const text of ['We went to Paris, France and Rome, Italy.', 'Diagnosis: Hypertension, Diabetes', 'Boston, MA 02115 | 617']) {
      expect(findLastFirstNames(text), text).toEqual([]);
    }
  });

  it('reads a name before a credential, not a role', () => {
    const text = 'Report called to: Tom RN, Sequoia ED. Nurse: Min-seo RN. Charge RN and ICU RN; Kristen Alvarez, PT';
    expect(texts(text, findCredentialedNames(text, (lower) => lower === 'charge' || lower === 'report'))).toEqual(['Tom', 'Min-seo', 'Kristen Alvarez']);
  });

  it('reads the dictation and typing initials of a note', () => {
    const text = 'Entirely submitted in B1-B2. (MK/dsl)\nDD: 08/11/98\nTR: bcw\nJob: 774120 / rmk';
    expect(texts(text, findDictationInitials(text))).toEqual(['MK', 'dsl', 'bcw', 'rmk']);
  });

  it('ends a city with its state code', () => {
    const text = 'Ridgeview Family Practice, Melrose, MA and Evansville, IN 47708; Paris, FR';
    const end = (city: string): string | undefined => {
      const at = stateAfterCity(text, text.indexOf(city) + city.length);
      return at === undefined ? undefined : text.slice(text.indexOf(city), at);
    };
    expect([end('Melrose'), end('Evansville'), end('Paris')]).toEqual(['Melrose, MA', 'Evansville, IN', undefined]);
  });
});
