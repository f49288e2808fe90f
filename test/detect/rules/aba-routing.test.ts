import { describe, expect, it } from 'vitest';
import { abaRoutingDetector, isValidAbaRouting } from '../../../src/detect/rules/aba-routing.js';
import { values } from './helpers.js';

describe('rules.aba_routing', () => {
  it('finds a valid routing number after a routing word', () => {
    expect(isValidAbaRouting('021000021')).toBe(true);
    expect(values(abaRoutingDetector, 'routing number: 021000021, account 12345')).toEqual(['021000021']);
    expect(values(abaRoutingDetector, 'ABA 011000015')).toEqual(['011000015']);
  });

  it('rejects a bad checksum or prefix, and valid numbers without context', () => {
    expect(isValidAbaRouting('021000022')).toBe(false);
    expect(isValidAbaRouting('991000021')).toBe(false);
    expect(values(abaRoutingDetector, 'routing 021000022')).toEqual([]);
    expect(values(abaRoutingDetector, 'ticket 021000021')).toEqual([]);
  });
});
