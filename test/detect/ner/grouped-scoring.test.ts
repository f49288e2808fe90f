/**
 * The tagger adds up each word form's feature groups once and caches the sums (model.ts). This
 * checks that doing so gives exactly what the plain sum over `extractFeatures` (the features
 * training sees) gives, on a model with random weights so that every feature matters.
 */
import { describe, expect, it } from 'vitest';
import { extractFeatures, GAZ, textCase } from '../../../src/detect/ner/features.js';
import { NerModel, type NerModelHeader } from '../../../src/detect/ner/model.js';
import { TAG_COUNT, viterbi } from '../../../src/detect/ner/tags.js';
import { tokenize } from '../../../src/detect/ner/tokenize.js';

const BITS = 12;

function randomModel(): { model: NerModel; weights: Int16Array; transitions: number[] } {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % 2001 - 1000;
  };
  const weights = Int16Array.from({ length: (1 << BITS) * TAG_COUNT }, next);
  const transitions = Array.from({ length: (TAG_COUNT + 1) * TAG_COUNT }, next);
  const header: NerModelHeader = {
    format: 1,
    bits: BITS,
    tags: ['O', 'B-PERSON', 'I-PERSON', 'B-LOCATION', 'I-LOCATION', 'B-ORG', 'I-ORG'],
    transitions,
    gazetteer: { paris: GAZ.CITY, john: GAZ.FIRST, smith: GAZ.LAST | GAZ.FIRST, inc: GAZ.ORG_SUFFIX, dr: GAZ.TITLE },
    capitalisation: { paris: 4, john: 4, the: 0, smith: 3 },
    trainedOn: [],
    attribution: [],
    created: 'test',
  };
  return { model: new NerModel(header, weights), weights, transitions };
}

function plainEmissions(text: string, model: NerModel, weights: Int16Array, bias: number): Float64Array {
  const tokens = tokenize(text);
  const { features, offsets } = extractFeatures(tokens, model.lexicon, textCase(text));
  const emissions = new Float64Array(tokens.length * TAG_COUNT);
  const mask = (1 << BITS) - 1;
  for (let i = 0; i < tokens.length; i++) {
    for (let f = offsets[i]!; f < offsets[i + 1]!; f++) {
      for (let tag = 0; tag < TAG_COUNT; tag++) emissions[i * TAG_COUNT + tag]! += weights[(features[f]! & mask) * TAG_COUNT + tag]!;
    }
    emissions[i * TAG_COUNT]! -= bias;
  }
  return emissions;
}

describe('grouped NER scoring', () => {
  it('scores exactly as the plain sum over every extracted feature, and tags accordingly', () => {
    const { model, weights, transitions } = randomModel();
    const texts = [
      'Dr. John Smith moved to Paris in 2019. He works at Acme Inc. with Maria.',
      'JOHN SMITH FROM PARIS CALLED AGAIN ABOUT THE INVOICE',
      'john smith from paris called again about the invoice',
      'Hi,\n\nthanks @maria_k! see https://example.org and #Paris.\nBest, John',
      'x',
    ];
    // Twice: the second pass reads the cached sums.
    for (const round of [1, 2]) {
      for (const text of texts) {
        const plain = plainEmissions(text, model, weights, 3);
        expect(Array.from(model.emissions(text, tokenize(text), 3)), `${text} (pass ${round})`).toEqual(Array.from(plain));
        expect(Array.from(model.tag(text, 3).tags)).toEqual(Array.from(viterbi(plain, tokenize(text).length, transitions)));
      }
    }
  });
});
