/**
 * Cryptocurrency addresses: Bitcoin legacy/P2SH (base58check, verified with a double SHA-256),
 * Bitcoin bech32/bech32m (bc1..., checksum verified) and Ethereum (0x + 40 hex digits).
 * @module
 */
import { hash } from 'node:crypto';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { longTokenRuns, span } from './rule-kit.js';

const ID = 'rules.crypto_wallet';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const CANDIDATE = /^(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{8,87}|0x[0-9a-fA-F]{40})$/;

function base58Decode(value: string): Uint8Array | undefined {
  const bytes: number[] = [0];
  for (const char of value) {
    let carry = BASE58.indexOf(char);
    if (carry < 0) return undefined;
    for (let index = 0; index < bytes.length; index++) {
      carry += (bytes[index] ?? 0) * 58;
      bytes[index] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (let index = 0; index < value.length && value[index] === '1'; index++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

export function isValidBase58Check(value: string): boolean {
  const bytes = base58Decode(value);
  if (bytes === undefined || bytes.length !== 25) return false;
  const payload = bytes.subarray(0, 21);
  // One-shot hashing: a createHash object per check costs more than the hashing itself.
  const first = hash('sha256', payload, 'buffer');
  const second = hash('sha256', first, 'buffer');
  for (let index = 0; index < 4; index++) if (second[index] !== bytes[21 + index]) return false;
  return true;
}

function polymod(values: readonly number[]): number {
  const generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let bit = 0; bit < 5; bit++) if ((top >>> bit) & 1) checksum ^= generator[bit] ?? 0;
  }
  return checksum >>> 0;
}

/** Bech32 (BIP-173) or bech32m (BIP-350) checksum of a lower-case `bc1...` address. */
export function isValidBech32Address(value: string): boolean {
  const separator = value.lastIndexOf('1');
  if (separator < 1 || value.length - separator < 7) return false;
  const hrp = value.slice(0, separator);
  const data: number[] = [];
  for (const char of value.slice(separator + 1)) {
    const index = BECH32.indexOf(char);
    if (index < 0) return false;
    data.push(index);
  }
  const expanded: number[] = [];
  for (const char of hrp) expanded.push(char.charCodeAt(0) >> 5);
  expanded.push(0);
  for (const char of hrp) expanded.push(char.charCodeAt(0) & 31);
  const check = polymod([...expanded, ...data]);
  return check === 1 || check === 0x2bc830a3;
}

export function findCryptoWallets(text: string): Span[] {
  const spans: Span[] = [];
  for (const run of longTokenRuns(text)) {
    if (run.end - run.start < 26) continue;
    const value = text.slice(run.start, run.end);
    if (!CANDIDATE.test(value)) continue;
    let score = 0;
    if (value.startsWith('0x')) score = 0.85;
    else if (value.startsWith('bc1')) score = isValidBech32Address(value) ? 0.95 : 0;
    else score = isValidBase58Check(value) ? 0.95 : 0;
    if (score > 0) spans.push(span(run.start, run.end, 'CRYPTO_WALLET', score, ID));
  }
  return spans;
}

export const cryptoWalletDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['CRYPTO_WALLET'],
  detect: findCryptoWallets,
};
