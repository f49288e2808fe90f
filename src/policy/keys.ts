/**
 * Gateway API keys. A key is `veil_` plus 32 random bytes in base64url; the policy file stores
 * only its SHA-256 (`sha256:<hex>`), so a leaked file does not leak a key. SHA-256 without a salt
 * is enough here because keys are random, not chosen by people.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'veil_';

/** A new random gateway key. */
export function newApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The hex SHA-256 of a key (what the policy stores after `sha256:`). */
export function hashApiKeyHex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The form written in veil.yaml: `sha256:<hex>`. */
export function hashApiKey(key: string): string {
  return `sha256:${hashApiKeyHex(key)}`;
}

/** True for strings shaped like a Veil key (the prefix is what tells it from a provider key). */
export function looksLikeVeilKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX) && value.length > KEY_PREFIX.length;
}
