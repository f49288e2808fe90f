/**
 * The vault's cryptography, in one place so it can be reviewed as a whole.
 *
 * - Values are sealed with AES-256-GCM under a key derived from the tenant's data key. The
 *   output is `iv (12) | tag (16) | ciphertext`; a fresh random IV per value, so equal values
 *   never give equal ciphertexts.
 * - The ciphertext is bound to where it belongs (tenant, scope, entity type) as additional
 *   authenticated data: a row copied into another scope or tenant does not decrypt.
 * - Lookups by value use HMAC-SHA256 under a second derived key, so the store can find "the
 *   entry for this value" without ever holding the value.
 * - One random 32-byte data key per tenant is the only secret that must be wrapped and stored;
 *   the two working keys are derived from it with HKDF-SHA256 and distinct info strings, so
 *   the encryption key and the lookup key are independent.
 * @module
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { VeilError, VeilErrorCode } from '../core/errors.js';

export const DATA_KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

const CIPHER = 'aes-256-gcm';
// A fixed, public salt: the data key is already uniformly random, the salt only separates
// Veil's derivations from anyone else's use of the same key material.
const HKDF_SALT = Buffer.from('veil/vault/hkdf-salt/v1', 'utf8');
const INFO_ENCRYPTION = 'veil/vault/value-encryption/v1';
const INFO_LOOKUP = 'veil/vault/value-lookup/v1';

/** The working keys of one tenant. KeyObjects, so the bytes never show up in a dump or log. */
export interface TenantKeys {
  readonly encryption: KeyObject;
  readonly lookup: KeyObject;
}

/** Where a sealed value belongs; bound into the ciphertext as AAD. */
export interface ValueContext {
  readonly tenant: string;
  readonly scope: string;
  readonly type: string;
}

/** A fresh random data key. */
export function generateDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES));
}

/** Derives a tenant's encryption and lookup keys from its data key. */
export function deriveTenantKeys(dataKey: Uint8Array): TenantKeys {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new VeilError(VeilErrorCode.Key, `data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  }
  const derive = (info: string): KeyObject =>
    createSecretKey(Buffer.from(hkdfSync('sha256', dataKey, HKDF_SALT, info, 32)));
  return { encryption: derive(INFO_ENCRYPTION), lookup: derive(INFO_LOOKUP) };
}

/** AES-256-GCM: returns `iv | tag | ciphertext`. */
export function sealBytes(key: KeyObject | Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
}

/**
 * Opens `iv | tag | ciphertext`. Returns undefined when the data does not authenticate (wrong
 * key, wrong AAD, tampered or truncated), so callers choose the error that fits.
 */
export function openBytes(key: KeyObject | Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv(CIPHER, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  decipher.setAAD(aad);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]));
  } catch {
    return undefined;
  }
}

/** Encrypts a value for (tenant, scope, type). */
export function encryptValue(keys: TenantKeys, context: ValueContext, value: string): Uint8Array {
  return sealBytes(keys.encryption, Buffer.from(value, 'utf8'), valueAad(context));
}

/** Decrypts a value sealed by `encryptValue`, or undefined when it does not authenticate. */
export function tryDecryptValue(keys: TenantKeys, context: ValueContext, sealed: Uint8Array): string | undefined {
  const plain = openBytes(keys.encryption, sealed, valueAad(context));
  return plain === undefined ? undefined : Buffer.from(plain).toString('utf8');
}

/** Like `tryDecryptValue`, but a failure is a Vault error (which names no value). */
export function decryptValue(keys: TenantKeys, context: ValueContext, sealed: Uint8Array): string {
  const value = tryDecryptValue(keys, context, sealed);
  if (value === undefined) {
    throw new VeilError(VeilErrorCode.Vault, 'a vault entry could not be decrypted (wrong key or corrupted data)', {
      data: { scope: context.scope, type: context.type },
    });
  }
  return value;
}

/**
 * The keyed lookup of a normalised value in a scope: hex HMAC-SHA256. Scope and type are part
 * of the MAC so the same value in two scopes or of two types has unrelated lookups.
 */
export function lookupOf(keys: TenantKeys, scope: string, type: string, normalized: string): string {
  return createHmac('sha256', keys.lookup).update(encodeFields(['lookup/v1', scope, type, normalized])).digest('hex');
}

/** A short, non-secret fingerprint of key material (first 16 hex chars of a domain-separated SHA-256). */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update('veil/key-id/v1\u0000').update(key).digest('hex').slice(0, 16);
}

function valueAad(context: ValueContext): Uint8Array {
  return encodeFields(['value/v1', context.tenant, context.scope, context.type]);
}

/**
 * Length-prefixed encoding, so that no two different field lists give the same bytes
 * (`("a|b", "c")` vs `("a", "b|c")`).
 */
function encodeFields(fields: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}
