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
    expect(found(dateDetector, 'he was born in 1985 in Leeds')).toEqual(['DATE_OF_BIRTH:1985']);
    expect(found(dateDetector, 'DOB: 1985, born 1990')).toEqual(['DATE_OF_BIRTH:1985', 'DATE_OF_BIRTH:1990']);
  });

  it.each([
    ['Tuesday, March 5, 2024 at 3 pm works', 'Tuesday, March 5, 2024 at 3 pm'],
    ['Date: Tue, 05 Dec 2023 10:00:00 GMT', 'Tue, 05 Dec 2023 10:00:00'],
    ['on the 5th of March at 10:30 sharp', '5th of March at 10:30'],
    ['see you March the 5th', 'March the 5th'],
    ['card expires 12/2023.', '12/2023'],
    ['the office opens in March again', 'March'],
    ['the band was founded in 1977. Since then', '1977'],
    ['the Civil Rights Act of 1964 protects', '1964'],
    ['it grew fast during the late 1990s', '1990s'],
    ['admitted on 03-Mar-2024 at 10:15', '03-Mar-2024 at 10:15'],
    ['results for Q3 2024 are in', '2024'],
  ])('finds the worded date in %j', (text, expected) => {
    expect(found(dateDetector, text)).toEqual([`DATE:${expected}`]);
  });

  it.each([
    ['On 5 and 6 May 2005 the lawyer came', '5 and 6 May 2005'],
    ['on the night of 3-4 March 2004, he', '3-4 March 2004'],
    ['hearings on 5, 6 and 7 May were held', '5, 6 and 7 May'],
    ['from 3 to 5 June 2001 inclusive', '3 to 5 June 2001'],
    ['the conference on May 5-6, 2005 in Oslo', 'May 5-6, 2005'],
    ['admitted March 3 and 4 for tests', 'March 3 and 4'],
  ])('takes every day of a range or list around one month in %j', (text, expected) => {
    expect(found(dateDetector, text)).toEqual([`DATE:${expected}`]);
  });

  it.each([
    ['vielen Dank für Ihr Schreiben vom 12. März 2024.', '12. März 2024'],
    ['nous avons reçu votre dossier le 3 avril 2023.', '3 avril 2023'],
    ['le escribimos el 5 de mayo de 2024 sobre', '5 de mayo de 2024'],
    ['recebido em 5 de maio de 2024', '5 de maio de 2024'],
    ['Im Mai 2024 zog sie um', 'Mai 2024'],
    ['född den 3 mars 1990 i Lund', '3 mars 1990'],
    ['dnia 3 marca 2024 r.', '3 marca 2024'],
    ['presuda od 3. ožujka 2024. godine', '3. ožujka 2024'],
    ['2024年3月12日に会いました', '2024年3月12日'],
    ['他3月12日到了上海', '3月12日'],
  ])('finds the date in another language or script in %j', (text, expected) => {
    expect(found(dateDetector, text)).toEqual([`DATE:${expected}`]);
  });

  it('takes a month name that is also a name or a word only with a day and a year', () => {
    expect(found(dateDetector, 'the Mars 2024 mission; 3 Maja went home; Mail 2024; 13 marsvin')).toEqual([]);
    expect(found(dateDetector, 'on 3 Maja 2024 in Kraków')).toEqual(['DATE:3 Maja 2024']);
    expect(found(dateDetector, '생년월일 1990년 3월 12일')).toEqual(['DATE_OF_BIRTH:1990년 3월 12일']);
  });

  it('takes a year alone in brackets and a two-digit year after a time word', () => {
    expect(found(dateDetector, 's/p CABG (2079, Dr. Patel); see Miranda v. Arizona, 384 U.S. 436 (1966); as shown (Smith, 2019).')).toEqual([
      'DATE:2079',
      'DATE:1966',
      'DATE:2019',
    ]);
    expect(found(dateDetector, "former smoker, quit in '98; the class of ’04")).toEqual(["DATE:'98", 'DATE:’04']);
    expect(found(dateDetector, "dose (2000 mg); rock n' roll 99; a total of '12 things")).toEqual([]);
  });

  it('takes a span of years as CVs and records write it, not a code or a backwards pair', () => {
    expect(found(dateDetector, 'Cobalt Robotics (2019–2023)\nEDUCATION\n2011 – 2017    M.Sc.')).toEqual(['DATE:2019', 'DATE:2023', 'DATE:2011', 'DATE:2017']);
    expect(found(dateDetector, 'part ABC-2019-2023; ratio 2023-1950; 1890-1999')).toEqual([]);
  });

  it('reads a clinical note\'s date shorthand, but not its scores and clock times', () => {
    const note =
      'HPI: 72F w/ h/o HTN, DM, s/p ureteroscopy 2018, presented 3/1 after a fall. TTE 10/2: LVEF 55%. Last seen July. ' +
      'Sat 11/27 Pt denies SOB. Pain 5/10 at rest, 7/10 w/ activity. Strength 5/5. Smoking 1/2 ppd. Last dose 2000. NSG 0700-1900. Meds: ASA 81 mg.';
    expect(found(dateDetector, note)).toEqual(['DATE:2018', 'DATE:3/1', 'DATE:10/2', 'DATE:July', 'DATE:Sat 11/27']);
    // The same shorthand outside a note is a fraction, a score or a count.
    expect(found(dateDetector, 'mix 3/1 with water; rated 7/10; the 2018 model; back in July')).toEqual(['DATE:July']);
  });

  it('takes a holiday named as a point in time in a clinical note', () => {
    const note = 'HPI: pt w/ h/o HTN, DM. Denies SOB. knee pain since Thanksgiving; a mass noticed around New Year\'s; fine on Christmas Eve; a trip over Tet';
    expect(found(dateDetector, note)).toEqual([
      'DATE:Thanksgiving',
      "DATE:New Year's",
      'DATE:Christmas Eve',
      'DATE:Tet',
    ]);
    expect(found(dateDetector, 'HPI: pt w/ h/o HTN, DM. Denies SOB. a Christmas tree and Easter eggs; the Tet Offensive')).toEqual([]);
    expect(found(dateDetector, 'on the last Sunday before Labor Day we met')).not.toContain('DATE:Labor Day');
  });

  it('takes a day named alone, in digits or spelled out as transcripts write it, after a time word or a weekday', () => {
    expect(found(dateDetector, 'it should arrive by friday the fourteenth.')).toContain('DATE:friday the fourteenth');
    expect(found(dateDetector, 'the earliest i have is the nineteenth at two fifteen')).toEqual(['DATE:nineteenth']);
    expect(found(dateDetector, 'free the week of the 15th for a kickoff; cake on Thursday the 28th')).toEqual(['DATE:15th', 'DATE:Thursday the 28th']);
    expect(found(dateDetector, 'on the second floor; after the first one; on the third try; is the first step')).toEqual([]);
  });

  it('joins a weekday in other languages and a web server log\'s time to the date', () => {
    expect(found(dateDetector, 'Mein Termin war am Dienstag, 18. Juni um 9:30 Uhr.')).toEqual(['DATE:Dienstag, 18. Juni']);
    expect(found(dateDetector, 'Are you free Wednesday 12 June or Saturday 13 June?')).toEqual(['DATE:Wednesday 12 June', 'DATE:Saturday 13 June']);
    expect(found(dateDetector, '198.51.100.23 - - [12/Mar/2024:10:14:22 +0000] "POST /api')).toEqual(['DATE:12/Mar/2024:10:14:22 +0000']);
  });

  it('does not run a date on into a number that follows it', () => {
    expect(found(dateDetector, 'on March 3, 4 people came')).toEqual(['DATE:March 3']);
    expect(found(dateDetector, 'between 1999 and 6 May 2004')).toEqual(['DATE:1999', 'DATE:6 May 2004']);
  });

  it('finds every year of a range or list a time word introduces', () => {
    expect(found(dateDetector, 'between 1990 and 1995, and in 2019, 2020 or 2021')).toEqual([
      'DATE:1990',
      'DATE:1995',
      'DATE:2019',
      'DATE:2020',
      'DATE:2021',
    ]);
  });

  it('takes a month/day with no year only after a date word, and never a fraction', () => {
    expect(found(dateDetector, 'seen on 10/11, since 3/14, follow up by 12/1.')).toEqual(['DATE:10/11', 'DATE:3/14', 'DATE:12/1']);
    expect(found(dateDetector, 'on 1/2 of the dose; take 1/2 tablet; by 3/4 cup; scored 10/11 on the test; 24/7 service')).toEqual([]);
    expect(found(dateDetector, 'on 2/3 patients improved')).toEqual([]);
  });

  it('takes a weekday named as a point in time, with its part of the day', () => {
    expect(found(dateDetector, 'flew to Oslo on Tuesday morning; see you next Friday; open since monday')).toEqual([
      'DATE:Tuesday morning',
      'DATE:Friday',
      'DATE:monday',
    ]);
    // A day of the month alone after a time preposition; never a century, a floor or a place.
    expect(found(dateDetector, 'Dr. Ingram saw her on the 14th; on the 3rd floor; since the 19th century')).toEqual(['DATE:14th']);
    // Appointments: a meeting verb before it, or a time after it.
    expect(found(dateDetector, "We'll meet Thursday at Recargo; call me Friday; Monday at 3 works")).toEqual([
      'DATE:Thursday',
      'DATE:Friday',
      'DATE:Monday',
    ]);
  });

  it('does not take counts, amounts or weekdays alone for dates', () => {
    expect(found(dateDetector, 'seen in 2000 patients, a total of 1999 cases, in 2010 km')).toEqual([]);
    expect(found(dateDetector, 'room 2001, pay $2000 in cash, version 2019.1, page 2010 of 2020')).toEqual([]);
    expect(found(dateDetector, 'shipped Monday; Mondays are slow; sun, sat and wed alone are words')).toEqual([]);
    expect(found(dateDetector, 'May I help? March on, April.')).toEqual([]);
  });

  it('rejects impossible dates, versions, IPs and "may" as a verb', () => {
    expect(found(dateDetector, '32/13/2020 and 2023-13-01')).toEqual([]);
    expect(found(dateDetector, 'version 1.2.33, host 10.1.12.13')).toEqual([]);
    expect(found(dateDetector, 'we may 5 times')).toEqual([]);
  });
});
