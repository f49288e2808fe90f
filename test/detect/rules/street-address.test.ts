import { describe, expect, it } from 'vitest';
import { createDefaultEngine } from '../../../src/detect/registry.js';
import { streetAddressDetector } from '../../../src/detect/rules/street-address.js';
import { values } from './helpers.js';

describe('rules.street_address', () => {
  it('finds a house number, capitalised street words and a suffix, with direction and unit', () => {
    expect(values(streetAddressDetector, 'Deliver to 1600 Pennsylvania Avenue NW, Washington, DC 20500 or 221B Baker Street.')).toEqual([
      '1600 Pennsylvania Avenue NW',
      '221B Baker Street',
    ]);
    expect(values(streetAddressDetector, 'Office: 500 Boylston St., Suite 1200, Boston')).toEqual(['500 Boylston St., Suite 1200']);
    expect(values(streetAddressDetector, 'Meet at 350 5th Avenue, Apt 4B.')).toEqual(['350 5th Avenue, Apt 4B']);
    expect(values(streetAddressDetector, 'The patient resides at 19 Willow Creek Dr. in Austin.')).toEqual(['19 Willow Creek Dr.']);
    expect(values(streetAddressDetector, 'Mail: PO Box 4471, Anchorage; or P.O. Box 12')).toEqual(['PO Box 4471', 'P.O. Box 12']);
  });

  it('leaves counts, amounts, saints and numbers on another line alone', () => {
    expect(values(streetAddressDetector, 'We filed 3 Supreme Court briefs and took 10 Long Island Rail Road trains.')).toEqual([]);
    expect(values(streetAddressDetector, 'It cost $3 Main Street prices; 1,200 Main Street fans came.')).toEqual([]);
    expect(values(streetAddressDetector, 'Result: 1 Paris St Germain 0. He has 2 Dr. appointments.')).toEqual([]);
    expect(values(streetAddressDetector, 'Round 33\nZenit St')).toEqual([]);
  });

  it('wins the merge over a model span that stopped early', () => {
    const text = 'Deliver to 1600 Pennsylvania Avenue NW, Washington, DC 20500.';
    const spans = createDefaultEngine({ cache: false }).detectSync(text);
    expect(spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}`)).toContain('ADDRESS:1600 Pennsylvania Avenue NW');
  });
});
