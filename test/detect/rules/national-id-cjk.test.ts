import { describe, expect, it } from 'vitest';
import { cjkNationalIdDetector, isValidMainlandId, isValidTaiwanId } from '../../../src/detect/rules/national-id-cjk.js';
import { values } from './helpers.js';

describe('rules.national_id_cjk', () => {
  it('finds mainland Resident Identity Card numbers with a valid MOD 11-2 check character', () => {
    expect(isValidMainlandId('11010519491231002X')).toBe(true);
    expect(values(cjkNationalIdDetector, '身份证号：11010519491231002X，谢谢')).toEqual(['11010519491231002X']);
    expect(values(cjkNationalIdDetector, 'id 11010519491231002x.')).toEqual(['11010519491231002x']);
  });

  it('finds Taiwan National Identification numbers with a valid check digit', () => {
    expect(isValidTaiwanId('A123456789')).toBe(true);
    expect(values(cjkNationalIdDetector, '身分證字號 A123456789。')).toEqual(['A123456789']);
  });

  it('rejects a wrong check character, an impossible birth date and longer runs', () => {
    expect(values(cjkNationalIdDetector, '110105194912310021')).toEqual([]);
    expect(values(cjkNationalIdDetector, '110105194913310028')).toEqual([]);
    expect(values(cjkNationalIdDetector, '911010519491231002X')).toEqual([]);
    expect(values(cjkNationalIdDetector, 'A123456788 and A1234567890')).toEqual([]);
  });
});
