import { describe, expect, it } from 'vitest';
import { indiaNationalIdDetector } from '../../../src/detect/rules/national-id-in.js';
import { values } from './helpers.js';

describe('Indian Aadhaar numbers and PANs', () => {
  it('takes a grouped Aadhaar with a valid Verhoeff check digit alone', () => {
    expect(values(indiaNationalIdDetector, 'ID 2345 6789 0124 on file')).toEqual(['2345 6789 0124']);
    expect(values(indiaNationalIdDetector, 'ref 2345-6789-0124.')).toEqual(['2345-6789-0124']);
    // Wrong check digit, ungrouped, a leading 0 or 1, or part of a longer number: not alone.
    expect(values(indiaNationalIdDetector, 'ID 2345 6789 0123 on file')).toEqual([]);
    expect(values(indiaNationalIdDetector, 'order 234567890124 shipped')).toEqual([]);
    expect(values(indiaNationalIdDetector, 'ID 1345 6789 0124')).toEqual([]);
    expect(values(indiaNationalIdDetector, 'card 4111 2345 6789 0124')).toEqual([]);
  });

  it('takes any Aadhaar-shaped number after its keyword', () => {
    expect(values(indiaNationalIdDetector, 'My Aadhaar is 2345 6789 0123.')).toEqual(['2345 6789 0123']);
    expect(values(indiaNationalIdDetector, 'aadhaar no: 234567890123')).toEqual(['234567890123']);
  });

  it('takes a PAN with a valid holder letter alone, and any PAN-shaped code after its keyword', () => {
    expect(values(indiaNationalIdDetector, 'PAN of the firm: AAAPL1234C')).toEqual(['AAAPL1234C']);
    expect(values(indiaNationalIdDetector, 'filed with AFZPK7190K today')).toEqual(['AFZPK7190K']);
    expect(values(indiaNationalIdDetector, 'my PAN ABCDE1234F')).toEqual(['ABCDE1234F']);
    expect(values(indiaNationalIdDetector, 'part ABCDE1234F in stock')).toEqual([]);
    expect(values(indiaNationalIdDetector, 'lower afzpk7190k is not one')).toEqual([]);
  });
});
