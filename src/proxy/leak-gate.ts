/**
 * The leak gate: the last check before a body leaves. Whatever extraction or masking missed
 * (an adapter bug, a field nobody listed, a value repeated in metadata), no value that this
 * request masked may appear in the serialised upstream body. Fails closed.
 *
 * Besides the exact value it looks for the JSON-escaped form, the digits-only form of numbers
 * (a card or phone written without separators) and the lower-case form of e-mail addresses.
 * Matches must sit on word boundaries so that a masked "Ann" does not trip on "Annual".
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';

/** Values shorter than this are not searched: they cannot be told apart from ordinary text. */
const MIN_LENGTH = 3;
const MIN_DIGITS = 7;

function isWordCode(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return /[\p{L}\p{N}]/u.test(String.fromCharCode(code));
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function containsBounded(haystack: string, needle: string, isBoundary: (code: number) => boolean): boolean {
  const checkStart = isBoundary(needle.charCodeAt(0));
  const checkEnd = isBoundary(needle.charCodeAt(needle.length - 1));
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) return false;
    const end = at + needle.length;
    const startOk = !checkStart || at === 0 || !isBoundary(haystack.charCodeAt(at - 1));
    const endOk = !checkEnd || end >= haystack.length || !isBoundary(haystack.charCodeAt(end));
    if (startOk && endOk) return true;
    from = at + 1;
  }
}

/** True when JSON.stringify would escape something in `value` (quote, backslash, control). */
function needsEscape(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 32 || code === 34 || code === 92) return true;
  }
  return false;
}

/** The digits of a value written with separators (a card, a phone), when there are enough to search. */
function digitsOf(value: string): string | undefined {
  // Counted first: most values (names, e-mails) have too few digits, and then no string is built.
  let count = 0;
  for (let index = 0; index < value.length; index++) if (isDigitCode(value.charCodeAt(index))) count++;
  if (count < MIN_DIGITS || count === value.length) return undefined;
  return value.replace(NON_DIGITS, '');
}

const NON_DIGITS = /\D/g;

/** Number of masked values still present in `body` (0 means the body may leave). */
export function countLeaks(body: string, values: readonly string[]): number {
  let leaks = 0;
  let lowerBody: string | undefined;
  for (const value of values) {
    if (value.length < MIN_LENGTH) continue;
    if (containsBounded(body, value, isWordCode)) {
      leaks++;
      continue;
    }
    if (needsEscape(value) && containsBounded(body, JSON.stringify(value).slice(1, -1), isWordCode)) {
      leaks++;
      continue;
    }
    if (value.includes('@')) {
      lowerBody ??= body.toLowerCase();
      if (containsBounded(lowerBody, value.toLowerCase(), isWordCode)) {
        leaks++;
        continue;
      }
    }
    const digits = digitsOf(value);
    if (digits !== undefined && containsBounded(body, digits, isDigitCode)) leaks++;
  }
  return leaks;
}

/** Throws `veil_leak_prevented` when any masked value is still in the body. */
export function assertNoLeak(body: string, values: readonly string[]): void {
  if (values.length === 0) return;
  const leaks = countLeaks(body, values);
  if (leaks > 0) {
    throw new VeilError(
      VeilErrorCode.LeakPrevented,
      `Veil stopped this request: ${leaks} masked value(s) would still have been sent upstream. Nothing was forwarded.`,
      { data: { leaks } },
    );
  }
}
