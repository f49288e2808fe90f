import { describe, expect, it } from 'vitest';
import { dateDetector } from '../../../src/detect/rules/date.js';
import { found } from './helpers.js';

describe('rules.date', () => {
  it.each([
    ['on 2024-01-15 we met', '2024-01-15'],
    ['at 1984-04-27 15:25:53 exactly', '1984-04-27 15:25:53'],
    ['on 12/05/2023 we met', '12/05/2023'],
    ['on 05.12.2023 we met', '05.12.2023'],
    ['on 5 Dec 2023 we met', '5 Dec 2023'],
    ['on December 5, 2023 we met', 'December 5, 2023'],
    ['see you Jan 3rd!', 'Jan 3rd'],
    ['since March 2020', 'March 2020'],
  ])('finds the date in %j', (text, expected) => {
    expect(found(dateDetector, text)).toEqual([`DATE:${expected}`]);
  });

  it('marks dates next to birth words as DATE_OF_BIRTH', () => {
    expect(found(dateDetector, 'DOB: 03/14/1985')).toEqual(['DATE_OF_BIRTH:03/14/1985']);
    expect(found(dateDetector, 'she was born on June 2, 1914 in Ohio')).toEqual(['DATE_OF_BIRTH:June 2, 1914']);
  });

  it('rejects impossible dates, versions, IPs and "may" as a verb', () => {
    expect(found(dateDetector, '32/13/2020 and 2023-13-01')).toEqual([]);
    expect(found(dateDetector, 'version 1.2.33, host 10.1.12.13')).toEqual([]);
    expect(found(dateDetector, 'we may 5 times')).toEqual([]);
  });
});
