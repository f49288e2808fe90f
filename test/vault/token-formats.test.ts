import { randomBytes, randomInt } from 'node:crypto';
import { FF1 } from '@noble/ciphers/ff1.js';
import { describe, expect, it } from 'vitest';
import { deriveTenantKeys, generateDataKey } from '../../src/vault/crypto.js';
import { base32, deriveFormatKeys, fromBase32 } from '../../src/vault/tokens/format-keys.js';
import { fpeApplies, fpeDecrypt, fpeEncrypt, luhnCheckDigit, luhnValid } from '../../src/vault/tokens/fpe.js';
import { hashToken, HASH_TOKEN } from '../../src/vault/tokens/hash.js';
import { openSivToken, opaqueToken, OPAQUE_TOKEN, parseOpaqueToken, sivToken } from '../../src/vault/tokens/opaque.js';
import { redactToken } from '../../src/vault/tokens/redact.js';
import { formatsByType, isStoredFormat, isTokenFormat, renderToken } from '../../src/vault/tokens/formats.js';
import { VeilError } from '../../src/core/errors.js';

const tenantKeys = () => deriveFormatKeys(deriveTenantKeys(generateDataKey()));
const digits = (text: string): number[] => [...text.replace(/\D/g, '')].map(Number);
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const radix36 = (text: string): number[] => [...text].map((c) => parseInt(c, 36));
const fromRadix36 = (values: number[]): string => values.map((v) => v.toString(36)).join('');

describe('FF1 (NIST SP 800-38G samples, as used by the fpe format)', () => {
  const aes128 = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const aes256 = hex('2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94');
  const tweak10 = hex('39383736353433323130');
  const tweak11 = hex('3737373770717273373737');
  const cases: [string, Uint8Array, Uint8Array | undefined, number, string, string][] = [
    ['sample 1 (AES-128, no tweak)', aes128, undefined, 10, '0123456789', '2433477484'],
    ['sample 2 (AES-128, tweak)', aes128, tweak10, 10, '0123456789', '6124200773'],
    ['sample 3 (AES-128, radix 36)', aes128, tweak11, 36, '0123456789abcdefghi', 'a9tv40mll9kdu509eum'],
    ['sample 7 (AES-256, no tweak)', aes256, undefined, 10, '0123456789', '6657667009'],
    ['sample 8 (AES-256, tweak)', aes256, tweak10, 10, '0123456789', '1001623463'],
    ['sample 9 (AES-256, radix 36)', aes256, tweak11, 36, '0123456789abcdefghi', 'xs8a0azh2avyalyzuwd'],
  ];
  for (const [name, key, tweak, radix, plain, cipher] of cases) {
    it(name, () => {
      const ff1 = FF1(radix, key, tweak);
      const encrypted = ff1.encrypt(radix === 10 ? digits(plain) : radix36(plain));
      expect(radix === 10 ? encrypted.join('') : fromRadix36(encrypted)).toBe(cipher);
      expect(ff1.decrypt(encrypted)).toEqual(radix === 10 ? digits(plain) : radix36(plain));
    });
  }
});

describe('fpe format', () => {
  const keys = tenantKeys();

  it('a Luhn-valid card stays a Luhn-valid card of the same length and layout, and decrypts', () => {
    for (const card of ['4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009', '4012888888881881']) {
      const token = fpeEncrypt(keys, 'CREDIT_CARD', card);
      expect(token.replace(/\d/g, '0')).toBe(card.replace(/\d/g, '0'));
      expect(luhnValid(digits(token))).toBe(true);
      expect(token).not.toBe(card);
      expect(fpeDecrypt(keys, 'CREDIT_CARD', token)).toBe(card);
      expect(fpeEncrypt(keys, 'CREDIT_CARD', card)).toBe(token);
    }
    for (let i = 0; i < 200; i += 1) {
      const body = Array.from({ length: 15 }, () => randomInt(10));
      const card = [...body, luhnCheckDigit(body)].join('');
      const token = fpeEncrypt(keys, 'CREDIT_CARD', card);
      expect(token).toHaveLength(16);
      expect(luhnValid(digits(token))).toBe(true);
      expect(fpeDecrypt(keys, 'CREDIT_CARD', token)).toBe(card);
    }
  });

  it('a card number that is not Luhn-valid round-trips and stays not Luhn-valid', () => {
    for (let i = 0; i < 100; i += 1) {
      const body = Array.from({ length: 15 }, () => randomInt(10));
      const card = [...body, (luhnCheckDigit(body) + 1 + randomInt(9)) % 10].join('');
      const token = fpeEncrypt(keys, 'CREDIT_CARD', card);
      expect(luhnValid(digits(token))).toBe(false);
      expect(fpeDecrypt(keys, 'CREDIT_CARD', token)).toBe(card);
    }
  });

  it('a US phone keeps its formatting and country code, and stays a valid-looking NANP number', () => {
    for (const phone of ['(415) 555-0132', '+1 415 555 0132', '415.555.0132', '1-800-555-0199', '4155550132']) {
      const token = fpeEncrypt(keys, 'PHONE', phone);
      expect(token.replace(/\d/g, '0')).toBe(phone.replace(/\d/g, '0'));
      const national = digits(token).slice(-10);
      expect(national[0]).toBeGreaterThanOrEqual(2);
      expect(national[3]).toBeGreaterThanOrEqual(2);
      expect(national[1] === 1 && national[2] === 1).toBe(false);
      if (digits(phone).length === 11) expect(digits(token)[0]).toBe(1);
      expect(fpeDecrypt(keys, 'PHONE', token)).toBe(phone);
    }
    const international = '+44 20 7946 0958';
    const token = fpeEncrypt(keys, 'PHONE', international);
    expect(token.startsWith('+44 ')).toBe(true);
    expect(fpeDecrypt(keys, 'PHONE', token)).toBe(international);
  });

  it('an SSN keeps its dashes, avoids invalid areas, groups and serials, and decrypts', () => {
    for (let i = 0; i < 300; i += 1) {
      const area = 1 + randomInt(899);
      if (area === 666) continue;
      const ssn = `${String(area).padStart(3, '0')}-${String(1 + randomInt(99)).padStart(2, '0')}-${String(1 + randomInt(9999)).padStart(4, '0')}`;
      const token = fpeEncrypt(keys, 'SSN', ssn);
      expect(token).toMatch(/^\d{3}-\d{2}-\d{4}$/);
      const [a, g, s] = token.split('-').map(Number);
      expect(a === 0 || a === 666 || (a ?? 0) >= 900 || g === 0 || s === 0).toBe(false);
      expect(fpeDecrypt(keys, 'SSN', token)).toBe(ssn);
    }
  });

  it('is keyed per tenant and per type, and refuses too few digits', () => {
    const other = tenantKeys();
    expect(fpeEncrypt(other, 'CREDIT_CARD', '4111111111111111')).not.toBe(fpeEncrypt(keys, 'CREDIT_CARD', '4111111111111111'));
    expect(fpeEncrypt(keys, 'ACCOUNT', '12345678')).not.toBe(fpeEncrypt(keys, 'OTHER', '12345678'));
    expect(fpeApplies('12345')).toBe(false);
    expect(() => fpeEncrypt(keys, 'ZIP', '12345')).toThrow(VeilError);
  });
});

describe('opaque, hash and redact formats', () => {
  const keys = tenantKeys();

  it('opaque tokens are deterministic per tenant and type, one word, and parse', () => {
    const token = opaqueToken(keys, 'EMAIL', 'maria@example.com');
    expect(token).toMatch(/^VEIL_EMAIL_K[A-Z2-7]{5}_[A-Z2-7]{26}$/);
    expect(token).toContain(keys.keyId);
    expect(opaqueToken(keys, 'EMAIL', 'maria@example.com')).toBe(token);
    expect(opaqueToken(keys, 'PERSON', 'maria@example.com')).not.toBe(token);
    expect(opaqueToken(tenantKeys(), 'EMAIL', 'maria@example.com')).not.toBe(token);
    expect(parseOpaqueToken(token.toLowerCase())).toMatchObject({ type: 'EMAIL', keyId: keys.keyId, siv: false });
    expect(parseOpaqueToken(opaqueToken(keys, 'US_SSN', 'x'))?.type).toBe('US_SSN');
    expect(parseOpaqueToken(`${token}X`)).toBeUndefined();
    // One lookup tail in 32 starts with S; with a character appended it must not read as SIV.
    const sTail = `VEIL_EMAIL_${keys.keyId}_S${'A'.repeat(25)}`;
    expect(parseOpaqueToken(sTail)).toMatchObject({ siv: false, tail: `S${'A'.repeat(25)}` });
    expect(parseOpaqueToken(`${sTail}X`)).toBeUndefined();
    expect(parseOpaqueToken(`${sTail}XY`)).toBeUndefined();
    expect(OPAQUE_TOKEN.test(`see ${token}.`)).toBe(true);
  });

  it('opaque-siv tokens open with the key alone, and not with another key or when altered', () => {
    const token = sivToken(keys, 'EMAIL', 'Maria@Example.com');
    expect(token).toMatch(/^VEIL_EMAIL_K[A-Z2-7]{5}_S[A-Z2-7]+$/);
    expect(sivToken(keys, 'EMAIL', 'Maria@Example.com')).toBe(token);
    expect(openSivToken(keys, token)).toBe('Maria@Example.com');
    expect(openSivToken(keys, token.toLowerCase())).toBe('Maria@Example.com');
    expect(openSivToken(tenantKeys(), token)).toBeUndefined();
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(openSivToken(keys, `${token.slice(0, -2)}${last}${token.at(-1) ?? ''}`)).toBeUndefined();
    expect(openSivToken(keys, token.replace('VEIL_EMAIL_', 'VEIL_PERSON_'))).toBeUndefined();
    expect(openSivToken(keys, opaqueToken(keys, 'EMAIL', 'x'))).toBeUndefined();
    expect(openSivToken(keys, sivToken(keys, 'PERSON', 'X'))).toBe('X');
  });

  it('hash tokens are keyed per tenant and stable; redact names the type', () => {
    const token = hashToken(keys, 'EMAIL', 'maria@example.com');
    expect(token).toMatch(new RegExp(`^${HASH_TOKEN.source}$`));
    expect(hashToken(keys, 'EMAIL', 'maria@example.com')).toBe(token);
    expect(hashToken(tenantKeys(), 'EMAIL', 'maria@example.com')).not.toBe(token);
    expect(token).not.toContain(opaqueToken(keys, 'EMAIL', 'maria@example.com').split('_').at(-1));
    expect(redactToken('EMAIL')).toBe('[EMAIL]');
  });

  it('base32 round-trips and rejects non-canonical text', () => {
    for (let n = 0; n < 40; n += 1) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(fromBase32(base32(bytes))).toEqual(bytes);
    }
    expect(fromBase32('A1')).toBeUndefined();
    expect(fromBase32('AB')).toBeUndefined();
  });

  it('formats: names, which are stored, choosers and rendering', () => {
    expect(isTokenFormat('fpe')).toBe(true);
    expect(isTokenFormat('rot13')).toBe(false);
    expect(isStoredFormat('hash')).toBe(false);
    expect(isStoredFormat('opaque')).toBe(true);
    const choose = formatsByType({ CREDIT_CARD: 'fpe' }, 'opaque');
    expect([choose('CREDIT_CARD'), choose('EMAIL')]).toEqual(['fpe', 'opaque']);
    expect(renderToken('EMAIL_1')).toBe('<<EMAIL_1>>');
    expect(renderToken('US_SSN_12')).toBe('<<US_SSN_12>>');
    expect(renderToken('[EMAIL]')).toBe('[EMAIL]');
    expect(renderToken('4539 1488 0343 6467')).toBe('4539 1488 0343 6467');
    expect(renderToken(opaqueToken(keys, 'EMAIL', 'x'))).toMatch(/^VEIL_/);
  });
});
