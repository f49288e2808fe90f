import { describe, expect, it } from 'vitest';
import { findBusinessNames, type BusinessLexicon } from '../../../src/detect/ner/business-names.js';

const COMMON = new Set(['great', 'pizza', 'liberty', 'garage', 'door', 'skylight', 'summit', 'excellent', 'social', 'just', 'storage', 'training', 'correctional', 'military']);
const PROPER = new Set(['caldwell', 'ashdown', 'ray', 'burch', 'barry', 'tiger']);
const lexicon = (lowerCaseText = false): BusinessLexicon => ({
  isCommonWord: (lower) => COMMON.has(lower),
  isProperWord: (lower) => PROPER.has(lower),
  lowerCaseText,
});
const names = (text: string, lowerCaseText = false): string[] => findBusinessNames(text, lexicon(lowerCaseText)).map((name) => text.slice(name.start, name.end));

describe('business names', () => {
  it('finds a name before the kind of business', () => {
    expect(names("Ray 's Pizza is just too good. I will use Caldwell insurance again.")).toEqual(["Ray 's Pizza", 'Caldwell insurance']);
    expect(names('Ashdown Horse Transport were fantastic. Thank You Barry s Auto Tech! Burch \'s Karate rocks')).toEqual([
      'Ashdown Horse Transport',
      'Barry s Auto Tech',
      "Burch 's Karate",
    ]);
  });

  it('reads lower-case transcripts by the words the language does not have', () => {
    expect(names('thank you for calling the harborview hotel reservations', true)).toEqual(['harborview hotel']);
    expect(names('its derek from summit roofing uh following up', true)).toEqual([]);
  });

  it('leaves descriptions alone', () => {
    for (const text of [
      'This is the best pizza in town, a great local bakery and the Italian restaurant.',
      'Excellent Pizza!! Garage Door Repair in Woodinville. Liberty construction shows up.',
      'I love Cuban coffee and the Western media. Social Media and Operating Systems.',
      'Skylight repair: my skylight was leaking.',
    ]) {
      expect(names(text), text).toEqual([]);
    }
  });
  it('finds the institutions that hold people, by a name word of their own', () => {
    const text = 'He was placed in the Diyarbakır E-type Prison, then taken to Baku Pre-Trial Detention Facility No. 1 and the Pleven Military Garrison.';
    expect(names(text)).toEqual(['Diyarbakır E-type Prison', 'Baku Pre-Trial Detention Facility No. 1', 'Pleven Military Garrison']);
    expect(names('the Storage Facility and our Training Facility')).toEqual([]);
  });
});
