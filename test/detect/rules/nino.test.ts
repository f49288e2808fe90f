import { describe, expect, it } from 'vitest';
import { ninoDetector } from '../../../src/detect/rules/nino.js';
import { values } from './helpers.js';

describe('rules.nino', () => {
  it('finds National Insurance numbers alone when the prefix is one HMRC issues', () => {
    expect(values(ninoDetector, 'ref AB 12 34 56 C on file')).toEqual(['AB 12 34 56 C']);
    expect(values(ninoDetector, 'JG103759A')).toEqual(['JG103759A']);
  });

  it('takes reserved prefixes and lower case only next to an NI word', () => {
    expect(values(ninoDetector, 'NI number QQ 12 34 56 C')).toEqual(['QQ 12 34 56 C']);
    expect(values(ninoDetector, 'national insurance: qq123456c')).toEqual(['qq123456c']);
    expect(values(ninoDetector, 'code QQ 12 34 56 C')).toEqual([]);
    expect(values(ninoDetector, 'batch GB123456A')).toEqual([]);
    expect(values(ninoDetector, 'part ab123456c')).toEqual([]);
  });

  it('needs the whole shape: six digits, one suffix letter A-D, consistent spacing', () => {
    expect(values(ninoDetector, 'AB 12 34 56 E')).toEqual([]);
    expect(values(ninoDetector, 'AB 1234 56 C')).toEqual([]);
    expect(values(ninoDetector, 'XAB123456C')).toEqual([]);
  });
});
