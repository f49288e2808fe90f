/**
 * `hash`: `HASH_<TYPE>_<base32>`, a keyed HMAC-SHA256 of the normalised value under a key
 * derived per tenant. Stable, so analytics can join on it, but not reversible: nothing is
 * stored, and without the tenant's key nobody can test guesses against it (unlike a plain
 * SHA-256 of a phone number, which is brute-forced in seconds). Two tenants hash the same
 * value differently.
 * @module
 */
import { createHmac } from 'node:crypto';
import { base32, fields, type FormatKeys } from './format-keys.js';

export const HASH_TOKEN = /HASH_([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)_([A-Z2-7]{26})/;

export function hashToken(keys: FormatKeys, type: string, normalized: string): string {
  const tag = createHmac('sha256', keys.hash).update(fields(['hash/v1', type, normalized])).digest();
  return `HASH_${type}_${base32(tag).slice(0, 26)}`;
}
