/**
 * National identity numbers of mainland China and Taiwan, both with check characters, so they
 * are taken without context:
 * - Resident Identity Card (GB 11643): six-digit area code, birth date YYYYMMDD, three-digit
 *   sequence and an ISO 7064 MOD 11-2 check character (0-9 or X).
 * - Taiwan National Identification Card: a region letter, 1 or 2 (or 8/9 for resident
 *   certificates), eight digits, weighted mod-10 check.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.national_id_cjk';
const MAINLAND = /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
const TAIWAN = /(?<![0-9A-Za-z])[A-Z][1289]\d{8}(?![0-9A-Za-z])/g;
const MAINLAND_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const MAINLAND_CHECK = '10X98765432';
/** Region letter values of the Taiwan scheme (A=10 ... Z=33, in the order the ministry assigns). */
const TAIWAN_LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';

export function isValidMainlandId(value: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(value)) return false;
  let sum = 0;
  for (let index = 0; index < 17; index++) sum += (value.charCodeAt(index) - 48) * (MAINLAND_WEIGHTS[index] as number);
  return MAINLAND_CHECK[sum % 11] === value[17]?.toUpperCase();
}

export function isValidTaiwanId(value: string): boolean {
  if (!/^[A-Z][1289]\d{8}$/.test(value)) return false;
  const code = TAIWAN_LETTERS.indexOf(value[0] as string) + 10;
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let index = 1; index < 9; index++) sum += (value.charCodeAt(index) - 48) * (9 - index);
  sum += value.charCodeAt(9) - 48;
  return sum % 10 === 0;
}

export function findCjkNationalIds(text: string): Span[] {
  const spans: Span[] = [];
  MAINLAND.lastIndex = 0;
  for (let match = MAINLAND.exec(text); match !== null; match = MAINLAND.exec(text)) {
    if (isValidMainlandId(match[0])) spans.push(span(match.index, match.index + match[0].length, 'NATIONAL_ID', 0.95, ID));
  }
  TAIWAN.lastIndex = 0;
  for (let match = TAIWAN.exec(text); match !== null; match = TAIWAN.exec(text)) {
    if (isValidTaiwanId(match[0])) spans.push(span(match.index, match.index + match[0].length, 'NATIONAL_ID', 0.9, ID));
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const cjkNationalIdDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['NATIONAL_ID'],
  detect: findCjkNationalIds,
};
