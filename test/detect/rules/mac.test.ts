import { describe, expect, it } from 'vitest';
import { macDetector } from '../../../src/detect/rules/mac.js';
import { values } from './helpers.js';

describe('rules.mac', () => {
  it('finds colon, dash and Cisco dotted forms', () => {
    expect(values(macDetector, 'mac 00:1A:2B:3C:4D:5E.')).toEqual(['00:1A:2B:3C:4D:5E']);
    expect(values(macDetector, 'mac 00-1a-2b-3c-4d-5e')).toEqual(['00-1a-2b-3c-4d-5e']);
    expect(values(macDetector, 'cisco 001a.2b3c.4d5e')).toEqual(['001a.2b3c.4d5e']);
  });

  it('rejects mixed separators, wrong lengths and all-digit dashed references', () => {
    expect(values(macDetector, '00:1A-2B:3C:4D:5E and 00:1A:2B:3C:4D')).toEqual([]);
    expect(values(macDetector, 'ref 12-34-56-78-90-12')).toEqual([]);
  });
});
