import { describe, expect, it } from 'vitest';
import { findLowerCasePlaces, type PlaceLexicon } from '../../../src/detect/ner/lower-places.js';

const PLACES = new Set(['noida', 'orlando', 'york', 'diego', 'mobile', 'reading', 'nice', 'central']);
const COMMON = new Set(['mobile', 'reading', 'nice']);
const lexicon: PlaceLexicon = { isPlace: (lower) => PLACES.has(lower), isCommonWord: (lower) => COMMON.has(lower) };
const places = (text: string): string[] => findLowerCasePlaces(text, lexicon).map((place) => text.slice(place.start, place.end));

describe('places in lower case', () => {
  it('takes a known place after a word that introduces one', () => {
    expect(places('transport between noida and greater noida? done w guys from orlando')).toEqual(['noida', 'greater noida', 'orlando']);
    expect(places('we drove to new york and then to san diego')).toEqual(['new york', 'san diego']);
  });

  it('leaves words of the language and place words used otherwise alone', () => {
    expect(places('I moved to mobile and reading is fun; in nice weather; in central heating; orlando said hi')).toEqual([]);
  });
});
