/**
 * Per-tenant keys of the token formats that need one (opaque, fpe, hash).
 *
 * They are derived from the tenant's lookup key (itself HKDF-derived from the tenant's data
 * key) with HMAC-SHA256 and distinct labels: HMAC under a uniformly random key is a PRF, so
 * each format key is independent of the others and of the lookup key, and nothing new has to
 * be wrapped or stored. Consequences: the tokens are deterministic per tenant (the same across
 * sessions and replicas), and crypto-shredding a tenant (deleting its data key) also makes its
 * fpe and SIV tokens undecryptable.
 * @module
 */
import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { deriveTenantKeys, type TenantKeys } from '../crypto.js';

export interface FormatKeys {
  /** Short public id of this key set (`K` + 5 base32 chars), written into opaque tokens. */
  readonly keyId: string;
  /** HMAC key of `opaque` (lookup-only) tokens. */
  readonly opaque: KeyObject;
  /** 64-byte AES-SIV key (two AES-256 halves) of recoverable opaque tokens. */
  readonly siv: Uint8Array;
  /** AES-256 key of FF1 (`fpe`) tokens. */
  readonly fpe: Uint8Array;
  /** HMAC key of `hash` tokens. */
  readonly hash: KeyObject;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Derives the format keys of a tenant from its working keys. */
export function deriveFormatKeys(keys: TenantKeys): FormatKeys {
  const derive = (label: string, bytes = 32): Uint8Array => {
    const out = Buffer.alloc(bytes);
    // Counter mode over HMAC for outputs longer than one block (the 64-byte SIV key).
    for (let offset = 0, counter = 1; offset < bytes; offset += 32, counter += 1) {
      createHmac('sha256', keys.lookup).update(`veil/token-format/${label}/v1\u0000${counter}`).digest().copy(out, offset);
    }
    return new Uint8Array(out);
  };
  const opaque = derive('opaque');
  const id = createHash('sha256').update('veil/token-key-id/v1\u0000').update(opaque).digest();
  return {
    keyId: `K${base32(id).slice(0, 5)}`,
    opaque: createSecretKey(opaque),
    siv: derive('siv', 64),
    fpe: derive('fpe'),
    hash: createSecretKey(derive('hash')),
  };
}

/** Random once per process: the root of `ephemeralFormatKeys`. */
let processSecret: Buffer | undefined;
const ephemeral = new Map<string, FormatKeys>();

/**
 * Format keys of a tenant for scopes that have no vault behind them (requests without a session,
 * an engine without a vault): derived per tenant from a random per-process secret. Tokens are
 * deterministic per tenant for the life of the process (the same card gets the same fpe token
 * in every request) and die with it; scopes opened through the vault use the tenant's own keys
 * (`deriveFormatKeys`), which hold across sessions, restarts and replicas.
 */
export function ephemeralFormatKeys(tenant: string): FormatKeys {
  let keys = ephemeral.get(tenant);
  if (keys === undefined) {
    processSecret ??= randomBytes(32);
    const dataKey = createHmac('sha256', processSecret).update(`veil/ephemeral-tenant-key/v1\u0000${tenant}`).digest();
    keys = deriveFormatKeys(deriveTenantKeys(new Uint8Array(dataKey)));
    ephemeral.set(tenant, keys);
  }
  return keys;
}

/** RFC 4648 base32, upper-case, no padding: survives the rehydrator's upper-casing and is one word. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Inverse of `base32`; undefined when `text` is not canonical base32 of some bytes. */
export function fromBase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.toUpperCase()) {
    const value = BASE32.indexOf(char);
    if (value < 0) return undefined;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // Leftover bits must be zero padding of fewer than 5 bits, or the text was not canonical.
  if (bits >= 5 || buffer !== 0) return undefined;
  return Uint8Array.from(out);
}

/** Length-prefixed fields, so no two field lists give the same bytes. */
export function fields(parts: readonly string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}
