/**
 * Clock times on their own (TIME): `14:30`, `09:25 AM`, `23:14:05`, `3pm`, `11 a.m.`,
 * `3 o'clock`, `0800 hours`, `14.30 Uhr`, `kl. 14.30`. A date with its time is the date
 * detector's (`5 May 2024 at 10:30`); this one takes the times that stand apart from a date, as
 * notes, reports and chats write them ("seen at 14:20", "called the police at 11 p.m."). With a
 * day, a time pins an event to the minute, which is why de-identification treats it like a date.
 *
 * Not times: ratios and scores (`16:9`, `2:1`), ports and addresses (`localhost:8080`,
 * `10.0.0.1:443`), decimals (`14.30` without a time word before it), `am` the verb (`I am`,
 * `Part 3 am I right`), durations of hours (`1500 hours of training`).
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.time';

const MERIDIEM = String.raw`(?:[ap]\.m\.?|[AP]\.M\.?|[ap]m|[AP]M)`;
/** Words after which `N am` is a time, not the verb ("at 7 am", "from 9 am"). */
const TIME_WORD_BEFORE = /(?:^|[^\p{L}])(?:at|by|from|until|till|til|around|about|approximately|approx\.|before|after|between|and|to|or|since|@)\s+$|[-–]\s?$/iu;
/**
 * Words before a four-digit military time: only those that name a point in time ("after 1500
 * hours of training" is a duration).
 */
const MILITARY_WORD_BEFORE = /(?:^|[^\p{L}])(?:at|by|from|until|till)\s+$/iu;
/**
 * A time written with a point is a decimal in English ("rose by 0.55", "from 3.43 billion")
 * unless a meridiem or a time zone follows it; other languages write their times so after their
 * time words ("um 14.30", "kl. 14.30", "alle 14.30").
 */
const POINT_TIME_WORD_BEFORE = /(?:^|[^\p{L}])(?:um|om|kl\.?|klo|ore|alle|à|a las|às)\s+$/iu;
const ZONE_AFTER = /^\s?(?:GMT|UTC|CET|CEST|BST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|IST|AEST|hrs?|h)\b/;

const TIMES = new RegExp(
  [
    // 14:30, 14:30:05, 14:30:05.123, 9:25 AM
    String.raw`(?<clock>(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:\s?${MERIDIEM}(?![\p{L}\p{N}]))?)(?![\d:]|\.\d)`,
    // 3pm, 3 p.m., 11 AM; "7 am" only after a time word
    String.raw`(?<meridiem>(?:1[0-2]|0?[1-9])(?:\s?(?:[ap]\.m\.?|[AP]\.M\.?|pm|PM)|am|AM|(?<spacedAm>\s(?:am|AM)))(?![\p{L}\p{N}]))`,
    // 3 o'clock
    String.raw`(?<oclock>(?:1[0-2]|0?[1-9]) o['’]clock)`,
    // 0800 hours, 1430 hrs
    String.raw`(?<military>(?:[01]\d|2[0-3])[0-5]\d\s?(?:hours|hrs|h)(?![\p{L}\p{N}]))`,
    // 14.30 Uhr, 14:30 Uhr
    String.raw`(?<uhr>(?:[01]?\d|2[0-3])[.:][0-5]\d\s?Uhr(?![\p{L}]))`,
    // 14.30 after a time word, 2.00 p.m., 07.00 GMT
    String.raw`(?<point>(?:[01]?\d|2[0-3])\.[0-5]\d(?<pointMeridiem>\s?${MERIDIEM}(?![\p{L}\p{N}]))?)(?![\d]|\.\d|,\d)`,
  ].join('|'),
  'gu',
);

/** A character before a time that makes it part of something else: a word, a number, an address. */
function joinedBefore(text: string, at: number): boolean {
  if (at === 0) return false;
  const code = text.charCodeAt(at - 1);
  // Letters, digits, ':', '.', ',', '/', '-' after a digit, '_': a port, a version, a ratio, a code.
  if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95) return true;
  if (code === 58 || code === 46 || code === 47 || code === 44) return at >= 2 && /[\p{L}\p{N}]/u.test(text[at - 2] as string);
  return code > 127 && /\p{L}/u.test(text[at - 1] as string);
}

export function findTimes(text: string): Span[] {
  // Every form holds a digit beside ':', '.', 'h', 'a', 'p', 'o' or 'U'; most texts have some digit.
  const spans: Span[] = [];
  TIMES.lastIndex = 0;
  for (let match = TIMES.exec(text); match !== null; match = TIMES.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (joinedBefore(text, start)) continue;
    const groups = match.groups ?? {};
    const before = text.slice(Math.max(0, start - 24), start);
    if (groups['spacedAm'] !== undefined && !TIME_WORD_BEFORE.test(before)) continue;
    if (groups['military'] !== undefined && !MILITARY_WORD_BEFORE.test(before)) continue;
    if (groups['point'] !== undefined && groups['pointMeridiem'] === undefined && !ZONE_AFTER.test(text.slice(end, end + 6)) && !POINT_TIME_WORD_BEFORE.test(before)) continue;
    spans.push(span(start, end, 'TIME', 0.8, ID));
  }
  return spans;
}

export const timeDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['TIME'],
  detect: findTimes,
};
