/**
 * `opaque` tokens: `VEIL_<TYPE>_<keyId>_<base32>`, deterministic per tenant and type, so the
 * same value gets the same token in every session and on every replica.
 *
 * - Lookup mode (default): the tail is a 130-bit HMAC-SHA256 tag of (type, normalised value).
 *   Not reversible by itself; the value comes back from the vault row that holds the token.
 * - SIV mode: the tail is AES-SIV (RFC 5297, deterministic authenticated encryption) of the
 *   original value with (type) as associated data, so anyone holding the tenant's key can
 *   recover the value without a vault row. Longer tokens, and equal normalised values written
 *   differently (`Maria@…` / `maria@…`) get different tokens, because the exact surface form is
 *   what is encrypted.
 * The key id in the token names the key set that made it (rotation: old ids stay resolvable
 * from their rows).
 * @module
 */
import { createHmac } from 'node:crypto';
import { aessiv } from '@noble/ciphers/aes.js';
import { base32, fields, fromBase32, type FormatKeys } from './format-keys.js';

/** HMAC tag length: 130 bits in 26 base32 characters. */
const TAG_CHARS = 26;

/**
 * Shortest SIV tail: the 16-byte synthetic IV plus at least one byte of value, 28 base32
 * characters. Detected values are never empty, and requiring this keeps a lookup token whose tail
 * happens to start with `S` (one in 32) from reading as a SIV token once a character follows it.
 */
const MIN_SIV_CHARS = 28;

/** `VEIL_<TYPE>_<KEYID>_<TAIL>`; the type may contain `_`. Matched case-insensitively. */
export const OPAQUE_TOKEN = /VEIL_([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)_(K[A-Z2-7]{5})_(S?)([A-Z2-7]{26,})/i;

export interface ParsedOpaqueToken {
  readonly type: string;
  readonly keyId: string;
  /** True for SIV (recoverable) tokens. */
  readonly siv: boolean;
  readonly tail: string;
}

/** The lookup-mode token of a normalised value. */
export function opaqueToken(keys: FormatKeys, type: string, normalized: string): string {
  const tag = createHmac('sha256', keys.opaque).update(fields(['opaque/v1', type, normalized])).digest();
  return `VEIL_${type}_${keys.keyId}_${base32(tag).slice(0, TAG_CHARS)}`;
}

/** The SIV-mode token of a value (reversible with `openSivToken`). */
export function sivToken(keys: FormatKeys, type: string, value: string): string {
  const sealed = aessiv(keys.siv, fields(['opaque-siv/v1', type])).encrypt(Buffer.from(value, 'utf8'));
  return `VEIL_${type}_${keys.keyId}_S${base32(sealed)}`;
}

/**
 * The value inside a SIV token made with `keys`, or undefined (another tenant's or key set's
 * token, a lookup-mode token, or a tampered one: SIV authenticates).
 */
export function openSivToken(keys: FormatKeys, token: string): string | undefined {
  const parsed = parseOpaqueToken(token);
  if (parsed === undefined || !parsed.siv || parsed.keyId !== keys.keyId) return undefined;
  const sealed = fromBase32(parsed.tail);
  if (sealed === undefined || sealed.length < 16) return undefined;
  try {
    return Buffer.from(aessiv(keys.siv, fields(['opaque-siv/v1', parsed.type])).decrypt(sealed)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Splits a whole opaque token (any case), or undefined when `text` is not exactly one. */
export function parseOpaqueToken(text: string): ParsedOpaqueToken | undefined {
  const match = new RegExp(`^${OPAQUE_TOKEN.source}$`, 'i').exec(text);
  if (match === null) return undefined;
  const [, type = '', keyId = '', siv = '', tail = ''] = match;
  if (siv === '' ? tail.length !== TAG_CHARS : tail.length < MIN_SIV_CHARS) return undefined;
  return { type: type.toUpperCase(), keyId: keyId.toUpperCase(), siv: siv !== '', tail: tail.toUpperCase() };
}
