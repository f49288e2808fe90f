import { describe, expect, it } from 'vitest';
import { timeDetector } from '../../../src/detect/rules/time.js';
import { createDefaultEngine } from '../../../src/detect/registry.js';
import { values } from './helpers.js';

describe('rules.time', () => {
  it.each([
    ['seen at 14:20 and again at 23:14:05', ['14:20', '23:14:05']],
    ['called the police at 11 p.m. and left at 7 am', ['11 p.m.', '7 am']],
    ["meet 3pm or 10 AM, or at 3 o'clock", ['3pm', '10 AM', "3 o'clock"]],
    ['the patrol arrived at 0800 hours', ['0800 hours']],
    ['Termin um 14.30 Uhr; møde kl. 14.30', ['14.30 Uhr', '14.30']],
    ['open 9:00-17:00 daily', ['9:00', '17:00']],
    ['Joan Woodson\n08/10/2000 08:28 AM', ['08:28 AM']],
    ['shares were down at 2.00 p.m. (0400 GMT); sales are held from 07.00 GMT', ['2.00 p.m.', '07.00']],
  ])('finds the time in %j', (text, expected) => {
    expect(values(timeDetector, text)).toEqual(expected);
  });

  it.each([
    ['ratios, scores, ports and versions', 'ratio 16:9, score 2:1, localhost:8080, 10.0.0.1:443, v1.2:30'],
    ['the verb am', 'I am 3 am I right? Part 3 am'],
    ['durations and decimals', 'after 1500 hours of training the price was 14.30; it rose from 3.43 billion by 0.55 percent to 14.00'],
    ['a time inside a timestamp (the date takes it)', '2024-03-18T14:22:10.004Z ERROR'],
  ])('leaves %s alone', (_, text) => {
    expect(values(timeDetector, text)).toEqual([]);
  });

  it('leaves a date with its time to the date detector', () => {
    const text = 'admitted on 5 May 2024 at 10:30, discharged at 16:45';
    const found = createDefaultEngine().detectSync(text).map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
    expect(found).toEqual(['DATE:5 May 2024 at 10:30', 'TIME:16:45']);
  });
});
