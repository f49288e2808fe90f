import { describe, expect, it } from 'vitest';
import { isValidVin, vinDetector } from '../../../src/detect/rules/vin.js';
import { values } from './helpers.js';

describe('rules.vin', () => {
  it('finds VINs with a valid check digit', () => {
    expect(isValidVin('1HGCM82633A004352')).toBe(true);
    expect(values(vinDetector, 'car 1HGCM82633A004352.')).toEqual(['1HGCM82633A004352']);
  });

  it('rejects a wrong check digit unless a VIN word vouches for it', () => {
    expect(isValidVin('1HGCM82634A004352')).toBe(false);
    expect(values(vinDetector, 'code 1HGCM82634A004352')).toEqual([]);
    expect(values(vinDetector, 'VIN: WVWZZZ1JZXW000001')).toEqual(['WVWZZZ1JZXW000001']);
  });

  it('rejects I/O/Q, all-digit runs and other lengths', () => {
    expect(values(vinDetector, 'VIN 1HGCM82633A00435O and 12345678901234567 and 1HGCM82633A0043521')).toEqual([]);
  });
});
