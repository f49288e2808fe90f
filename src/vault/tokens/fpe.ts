/**
 * `fpe`: format-preserving encryption with FF1 (NIST SP 800-38G) over the digits of a value,
 * AES-256 under the tenant's fpe key, the entity type as tweak. The result looks like the
 * original (same length, same separators in the same places) and is reversible with the key.
 *
 * - CREDIT_CARD: a Luhn-valid number stays Luhn-valid: the digits before the check digit are
 *   encrypted and the check digit recomputed. A number that is not Luhn-valid is encrypted
 *   whole and cycle-walked until the result is not Luhn-valid either, so decryption knows
 *   which case it is in and every input round-trips.
 * - PHONE with 10 NANP digits (optionally `1` / `+1` before them): the area code and the
 *   exchange stay in NANP's valid ranges (first digit 2-9, no N11 area code), via cycle-walking.
 *   Other phones keep their first two digits (country code) and encrypt the rest.
 * - SSN / ITIN (9 digits): stay out of the invalid areas (000, 666, 900-999), group 00 and
 *   serial 0000, via cycle-walking; dashes stay where they were.
 * - Anything else: every digit is encrypted (at least 6 digits: SP 800-38G Rev. 1 requires a
 *   domain of at least a million).
 *
 * Cycle-walking: encrypt again until the result is in the allowed set. FF1 is a permutation, so
 * restricting it this way is a permutation of the allowed set, and decryption walks back the
 * same way. Values already outside the allowed set are walked within the complement instead,
 * which keeps every input reversible.
 * @module
 */
import { FF1 } from '@noble/ciphers/ff1.js';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { FormatKeys } from './format-keys.js';

/** SP 800-38G Rev. 1: radix^minlen >= 1,000,000. */
export const FPE_MIN_DIGITS = 6;
/** A card or phone has far fewer; the bound keeps cycle-walking and FF1 cheap. */
export const FPE_MAX_DIGITS = 64;
const MAX_WALK = 10_000;

type Cipher = ReturnType<typeof FF1>;
type Predicate = (digits: readonly number[]) => boolean;

/** Whether `fpeEncrypt` can take this value (enough digits). */
export function fpeApplies(value: string): boolean {
  const count = digitsOf(value).length;
  return count >= FPE_MIN_DIGITS && count <= FPE_MAX_DIGITS;
}

/** Encrypts the digits of `value` in place; everything that is not a digit stays. */
export function fpeEncrypt(keys: FormatKeys, type: string, value: string): string {
  return transform(keys, type, value, 'encrypt');
}

/** Inverse of `fpeEncrypt` with the same keys and type. */
export function fpeDecrypt(keys: FormatKeys, type: string, token: string): string {
  return transform(keys, type, token, 'decrypt');
}

function transform(keys: FormatKeys, type: string, text: string, direction: 'encrypt' | 'decrypt'): string {
  const digits = digitsOf(text);
  if (digits.length < FPE_MIN_DIGITS || digits.length > FPE_MAX_DIGITS) {
    throw new VeilError(VeilErrorCode.BadInput, `fpe needs ${FPE_MIN_DIGITS} to ${FPE_MAX_DIGITS} digits`, {
      data: { type, digits: digits.length },
    });
  }
  const cipher = cipherFor(keys, type);
  const out = direction === 'encrypt' ? encryptDigits(cipher, type, digits) : decryptDigits(cipher, type, digits);
  return placeDigits(text, out);
}

/** Key schedules per key set and type: building one costs more than encrypting a card. */
const ciphers = new WeakMap<FormatKeys, Map<string, Cipher>>();

function cipherFor(keys: FormatKeys, type: string): Cipher {
  let byType = ciphers.get(keys);
  if (byType === undefined) {
    byType = new Map();
    ciphers.set(keys, byType);
  }
  let cipher = byType.get(type);
  if (cipher === undefined) {
    cipher = FF1(10, keys.fpe, Buffer.from(`veil/fpe/v1/${type}`, 'utf8'));
    byType.set(type, cipher);
  }
  return cipher;
}

function encryptDigits(cipher: Cipher, type: string, digits: number[]): number[] {
  if (type === 'CREDIT_CARD') {
    if (luhnValid(digits)) {
      const body = cipher.encrypt(digits.slice(0, -1));
      return [...body, luhnCheckDigit(body)];
    }
    return walk(cipher.encrypt, digits, (d) => !luhnValid(d));
  }
  const [keep, rest, allowed] = split(type, digits);
  return [...keep, ...walk(cipher.encrypt, rest, sameSide(allowed, rest))];
}

function decryptDigits(cipher: Cipher, type: string, digits: number[]): number[] {
  if (type === 'CREDIT_CARD') {
    if (luhnValid(digits)) {
      const body = cipher.decrypt(digits.slice(0, -1));
      return [...body, luhnCheckDigit(body)];
    }
    return walk(cipher.decrypt, digits, (d) => !luhnValid(d));
  }
  const [keep, rest, allowed] = split(type, digits);
  return [...keep, ...walk(cipher.decrypt, rest, sameSide(allowed, rest))];
}

/**
 * Which leading digits stay as they are, which are encrypted, and the set the encrypted part
 * must stay in (undefined: any digits).
 */
function split(type: string, digits: number[]): [number[], number[], Predicate | undefined] {
  if (type === 'PHONE') {
    if (digits.length === 10) return [[], digits, validNanp];
    if (digits.length === 11 && digits[0] === 1) return [[1], digits.slice(1), validNanp];
    if (digits.length >= FPE_MIN_DIGITS + 2) return [digits.slice(0, 2), digits.slice(2), undefined];
    return [[], digits, undefined];
  }
  if ((type === 'SSN' || type === 'ITIN') && digits.length === 9) return [[], digits, validSsn];
  return [[], digits, undefined];
}

/** Walk within the allowed set when the input is in it, else within its complement. */
function sameSide(allowed: Predicate | undefined, input: readonly number[]): Predicate | undefined {
  if (allowed === undefined) return undefined;
  return allowed(input) ? allowed : (d) => !allowed(d);
}

function walk(step: (x: number[]) => number[], digits: number[], allowed: Predicate | undefined): number[] {
  let current = step(digits);
  if (allowed === undefined) return current;
  for (let i = 0; !allowed(current); i += 1) {
    // Cannot happen for the sets used here (each is a sizeable fraction of its domain); a
    // bound keeps a bug from spinning forever.
    if (i >= MAX_WALK) throw new VeilError(VeilErrorCode.Internal, 'fpe cycle-walk did not converge');
    current = step(current);
  }
  return current;
}

/** NANP: NPA and NXX start with 2-9; N11 codes are service codes, not area codes. */
function validNanp(d: readonly number[]): boolean {
  const [a = 0, b = 0, c = 0, e = 0] = d;
  return a >= 2 && !(b === 1 && c === 1) && e >= 2;
}

/** SSA: area not 000, 666 or 9xx; group not 00; serial not 0000. */
function validSsn(d: readonly number[]): boolean {
  const area = Number(d.slice(0, 3).join(''));
  const group = Number(d.slice(3, 5).join(''));
  const serial = Number(d.slice(5, 9).join(''));
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

export function luhnValid(digits: readonly number[]): boolean {
  return digits.length > 1 && luhnCheckDigit(digits.slice(0, -1)) === digits[digits.length - 1];
}

/** The check digit that makes `body` + digit Luhn-valid. */
export function luhnCheckDigit(body: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    // Doubling starts from the digit next to the (future) check digit.
    let digit = body[body.length - 1 - i] ?? 0;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

function digitsOf(text: string): number[] {
  const out: number[] = [];
  for (const char of text) if (char >= '0' && char <= '9') out.push(char.charCodeAt(0) - 48);
  return out;
}

function placeDigits(template: string, digits: readonly number[]): string {
  let index = 0;
  let out = '';
  for (const char of template) out += char >= '0' && char <= '9' ? String(digits[index++] ?? 0) : char;
  return out;
}
