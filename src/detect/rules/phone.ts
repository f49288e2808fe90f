/**
 * Phone numbers. A linear candidate scan finds runs of digit groups; each run is then judged by
 * its shape: international (+CC, checked against libphonenumber-js metadata), North American
 * (NPA-NXX-XXXX), or any grouped national number when a phone word stands next to it. Dates,
 * times, prices, versions, IPs, SSNs and card numbers are rejected by shape before scoring.
 * @module
 */
import {
  getCountries,
  getCountryCallingCode,
  Metadata,
  parsePhoneNumberFromString,
} from 'libphonenumber-js';
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { PHONE_CONTEXT } from './context.js';
import { countDigits, isAlnumCode, luhnValid, span } from './rule-kit.js';

const ID = 'rules.phone';

// Runs of six or more digits and separators; the separators are checked after matching, so the
// pattern has no nested ambiguity and short numbers never reach the scoring code.
const CANDIDATE = /(?:\+ ?|\()?\d[\d .\-()/]{4,}\d/g;
const VALID_SEPARATOR = /^(?:[ .\-/]| - | ?\( ?| ?\) ?|\)[.-]|[.-]\()$/;
const EXTENSION = / ?(?:x|ext\.?|extension|#) ?(\d{1,6})(?![\w])/iy;
const DATE_PREFIX = /^(?:(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|[12]\d|3[01])[-./](?:19|20)?\d\d)(?!\d|[.\-/]\d)/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

const PHONE_WORD_JUST_BEFORE = { ...PHONE_CONTEXT, before: 12, after: 0 };

let lengthsByCallingCode: Map<string, Set<number>> | undefined;

/** National number lengths per calling code, from libphonenumber-js metadata (built once). */
function callingCodeLengths(): Map<string, Set<number>> {
  if (lengthsByCallingCode !== undefined) return lengthsByCallingCode;
  const table = new Map<string, Set<number>>();
  const metadata = new Metadata();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    metadata.selectNumberingPlan(country);
    const lengths = table.get(code) ?? new Set<number>();
    for (const length of metadata.numberingPlan?.possibleLengths() ?? []) lengths.add(length);
    table.set(code, lengths);
  }
  lengthsByCallingCode = table;
  return table;
}

/** The calling code that prefixes `digits` with a possible national length, if any. */
function internationalSplit(digits: string): string | undefined {
  const table = callingCodeLengths();
  for (let size = 1; size <= 3; size++) {
    const lengths = table.get(digits.slice(0, size));
    if (lengths !== undefined) return lengths.has(digits.length - size) ? digits.slice(0, size) : undefined;
  }
  return undefined;
}

function nanpValid(national: string): boolean {
  return national.length === 10 && national.charCodeAt(0) >= 50 && national.charCodeAt(3) >= 50;
}

interface Group {
  readonly start: number;
  readonly end: number;
}

/** Splits a candidate into digit groups, cutting wherever a separator is not phone-like. */
function segments(text: string, start: number, end: number): Group[][] {
  const result: Group[][] = [];
  let current: Group[] = [];
  let index = start;
  while (index < end) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      const groupStart = index;
      while (index < end && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57) index++;
      current.push({ start: groupStart, end: index });
      continue;
    }
    const sepStart = index;
    while (index < end && !(text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57)) index++;
    const single = index - sepStart === 1 ? text.charCodeAt(sepStart) : 0;
    const plain = single === 32 || single === 46 || single === 45 || single === 47;
    if (current.length > 0 && !plain && !VALID_SEPARATOR.test(text.slice(sepStart, index))) {
      result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * True when a capitalised word (a town or a country: "Berlin 10115 ...") ends right before
 * `index`, up to two spaces between. A lower-case word ("call her on 07700 900 254") is prose.
 */
function followsWord(text: string, index: number): boolean {
  let cursor = index;
  while (cursor > index - 3 && cursor > 0 && text.charCodeAt(cursor - 1) === 32) cursor--;
  const code = text.charCodeAt(cursor - 1);
  if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 191)) return false;
  let wordStart = cursor - 1;
  while (wordStart > 0 && /\p{L}/u.test(text.charAt(wordStart - 1))) wordStart--;
  const first = text.charAt(wordStart);
  return first !== first.toLowerCase();
}

function digitsOfGroups(text: string, groups: readonly Group[]): string {
  return groups.map((group) => text.slice(group.start, group.end)).join('');
}

function looksLikeCard(digits: string): boolean {
  return digits.length >= 13 && luhnValid(digits);
}

/**
 * Whether `+digits` is a valid number by libphonenumber's metadata, remembered for the rest of
 * one text: a number repeated in a text (a signature, a quoted thread) is parsed once.
 */
type ValidityMemo = Map<string, boolean>;

function validInternational(digits: string, memo: ValidityMemo): boolean {
  let valid = memo.get(digits);
  if (valid === undefined) {
    valid = parsePhoneNumberFromString(`+${digits}`)?.isValid() === true;
    memo.set(digits, valid);
  }
  return valid;
}

function scoreSegment(text: string, groups: Group[], plus: boolean, spans: Span[], memo: ValidityMemo): void {
  let first = groups[0];
  if (first === undefined) return;
  // A five-digit group right after a word (a country or town) is a postal code, not a prefix.
  if (!plus && groups.length > 1 && first.end - first.start === 5 && text.charCodeAt(first.start - 1) !== 40) {
    const rest = groups.slice(1).reduce((sum, group) => sum + group.end - group.start, 0);
    if (rest >= 6 && followsWord(text, first.start) && !hasContext(text, first.start, first.start, PHONE_WORD_JUST_BEFORE)) {
      groups = groups.slice(1);
      first = groups[0];
      if (first === undefined) return;
    }
  }
  // A North American number after an unrelated number (an office code, a ZIP+4): keep the tail.
  if (!plus && groups.length > 3) {
    const tail = groups.slice(-3);
    const [a, b, c] = tail as [Group, Group, Group];
    const lead = text.slice(groups[groups.length - 4]?.end ?? a.start, a.start);
    const prefix = digitsOfGroups(text, groups.slice(0, -3));
    if (a.end - a.start === 3 && b.end - b.start === 3 && c.end - c.start === 4 && /^ \(?$/.test(lead) &&
        prefix !== '1' && prefix !== '001' && prefix !== '011') {
      groups = tail;
      first = a;
    }
  }
  const last = groups[groups.length - 1];
  if (last === undefined) return;
  let start = first.start;
  if (plus) start = text.lastIndexOf('+', first.start);
  // An opening bracket belongs to the number only when it is closed inside it: "(415) 555-0132".
  else if (text.charCodeAt(first.start - 1) === 40 && text.indexOf(')', first.start) !== -1 && text.indexOf(')', first.start) < last.end)
    start = first.start - 1;
  let end = last.end;

  const raw = text.slice(first.start, end);
  if (DATE_PREFIX.test(raw) || IPV4_SHAPE.test(raw)) return;
  // A clock time follows (2024-01-15 10:30) or the run is a decimal number.
  if (text.charCodeAt(end) === 58 && text.charCodeAt(end + 1) >= 48 && text.charCodeAt(end + 1) <= 57) return;

  // "(0)" after an international prefix is the optional trunk zero; it is not dialled.
  let digits = '';
  const sizes: number[] = [];
  for (const group of groups) {
    const value = text.slice(group.start, group.end);
    if (plus && value === '0' && text.charCodeAt(group.start - 1) === 40 && text.charCodeAt(group.end) === 41) continue;
    digits += value;
    sizes.push(value.length);
  }
  let separators = '';
  for (let index = first.start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) separators += text[index];
  }

  let extension = false;
  EXTENSION.lastIndex = end;
  const ext = EXTENSION.exec(text);
  if (ext !== null) {
    end = EXTENSION.lastIndex;
    extension = true;
  } else if (isAlnumCode(text.charCodeAt(end)) || text.charCodeAt(end) === 95) return;

  const context = hasContext(text, start, end, PHONE_CONTEXT);
  let score = 0;
  if (plus) {
    if (digits.startsWith('1')) {
      if (digits.length !== 11) return;
      score = nanpValid(digits.slice(1)) ? 0.9 : 0.7;
    } else {
      const code = internationalSplit(digits);
      if (code === undefined) return;
      score = 0.85;
      if (!context) score = validInternational(digits, memo) ? 0.9 : 0.7;
    }
  } else if (digits.length > 15 || (looksLikeCard(digits) && !context)) {
    return;
  } else if (sizes.length === 3 && sizes[0] === 3 && sizes[1] === 2 && sizes[2] === 4 && /^(?:--| {2})$/.test(separators)) {
    return; // SSN shape
  } else if (/^(?:00|011)/.test(digits) && digits.length >= 10 && sizes.length > 1) {
    const rest = digits.slice(digits.startsWith('011') ? 3 : 2);
    if (rest.startsWith('1') ? rest.length !== 11 : internationalSplit(rest) === undefined) return;
    score = 0.75;
  } else if (isNanpShape(sizes, digits)) {
    score = nanpValid(digits.slice(-10)) ? 0.75 : 0.6;
  } else {
    if (digits.length < 6 || (digits.length < 7 && sizes.length < 2)) return;
    if (sizes.length === 2 && separators === '.') return; // a decimal number
    if (/^(?:19|20)\d\d-(?:19|20)\d\d$/.test(raw)) return; // a range of years
    if (/^\d{5}-\d{4}$/.test(raw)) return; // ZIP+4
    if (context) score = digits.length >= 8 ? 0.65 : 0.55;
    // A national trunk prefix (0) and phone-like grouping: 020 7946 0958, 07700 900123.
    else if (digits.startsWith('0') && !digits.startsWith('00') && digits.length >= 9 && digits.length <= 12 &&
        (sizes.length >= 3 || (sizes.length === 2 && digits.length >= 10)) && !separators.includes('.') && !separators.includes('/'))
      score = 0.5;
    else return;
  }
  if (context) score = Math.min(0.98, score + 0.15);
  if (extension) score = Math.min(0.98, score + 0.02);
  spans.push(span(start, end, 'PHONE', Math.round(score * 100) / 100, ID));
}

function isNanpShape(sizes: readonly number[], digits: string): boolean {
  const n = sizes.length;
  if (n === 3 && sizes[0] === 3 && sizes[1] === 3 && sizes[2] === 4) return true;
  if (n === 4 && sizes[0] === 1 && digits.startsWith('1') && sizes[1] === 3 && sizes[2] === 3 && sizes[3] === 4) return true;
  return false;
}

export function findPhones(text: string): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, 6) < 6) return spans;
  const memo: ValidityMemo = new Map();
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const start = match.index;
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    // Glued to a word, an amount, a path, an anchor or another number: not a phone number.
    if (isAlnumCode(before) || before === 95 || before === 36 || before === 8364 || before === 163 || before === 165 ||
        before === 64 || before === 35 || before === 47 || before === 46 || before === 45 || before === 43) continue;
    // After a comma only when the comma is not a thousands separator.
    if (before === 44 && isAlnumCode(text.charCodeAt(start - 2))) continue;
    const plus = match[0].startsWith('+');
    let end = start + match[0].length;
    while (end > start && !(text.charCodeAt(end - 1) >= 48 && text.charCodeAt(end - 1) <= 57)) end--;
    if (end - start < 6) continue;
    const parts = segments(text, start, end);
    for (let index = 0; index < parts.length; index++) {
      const groups = parts[index] as Group[];
      let count = 0;
      for (const group of groups) count += group.end - group.start;
      if (count >= 6) scoreSegment(text, groups, plus && index === 0, spans, memo);
    }
  }
  return spans;
}

export const phoneDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['PHONE'],
  detect: findPhones,
};
