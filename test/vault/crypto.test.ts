import { describe, expect, it } from 'vitest';
import {
  IV_BYTES,
  TAG_BYTES,
  decryptValue,
  deriveTenantKeys,
  encryptValue,
  generateDataKey,
  keyFingerprint,
  lookupOf,
  openBytes,
  sealBytes,
  tryDecryptValue,
} from '../../src/vault/crypto.js';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';

const context = { tenant: 'acme', scope: 'chat-1', type: 'EMAIL' };

describe('vault crypto', () => {
  it('round-trips a value with iv | tag | ciphertext layout and a fresh IV each time', () => {
    const keys = deriveTenantKeys(generateDataKey());
    const value = 'maria@example.com — ünïcødé 🔐';
    const a = encryptValue(keys, context, value);
    const b = encryptValue(keys, context, value);
    expect(a.length).toBe(IV_BYTES + TAG_BYTES + Buffer.byteLength(value, 'utf8'));
    expect(Buffer.from(a.subarray(0, IV_BYTES))).not.toEqual(Buffer.from(b.subarray(0, IV_BYTES)));
    expect(Buffer.from(a)).not.toEqual(Buffer.from(b));
    expect(decryptValue(keys, context, a)).toBe(value);
    expect(decryptValue(keys, context, b)).toBe(value);
    expect(Buffer.from(a).includes(Buffer.from('maria'))).toBe(false);
  });

  it('binds the ciphertext to tenant, scope and type', () => {
    const keys = deriveTenantKeys(generateDataKey());
    const sealed = encryptValue(keys, context, 'secret');
    expect(tryDecryptValue(keys, { ...context, tenant: 'other' }, sealed)).toBeUndefined();
    expect(tryDecryptValue(keys, { ...context, scope: 'chat-2' }, sealed)).toBeUndefined();
    expect(tryDecryptValue(keys, { ...context, type: 'PHONE' }, sealed)).toBeUndefined();
    // Field boundaries matter: ('acme', 'chat-1') is not ('acmechat-', '1').
    expect(tryDecryptValue(keys, { ...context, tenant: 'acmechat-', scope: '1' }, sealed)).toBeUndefined();
  });

  it('rejects a wrong key, tampering and truncation without revealing the value', () => {
    const keys = deriveTenantKeys(generateDataKey());
    const sealed = encryptValue(keys, context, 'secret value');
    expect(tryDecryptValue(deriveTenantKeys(generateDataKey()), context, sealed)).toBeUndefined();
    const tampered = Uint8Array.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(tryDecryptValue(keys, context, tampered)).toBeUndefined();
    expect(tryDecryptValue(keys, context, sealed.subarray(0, 20))).toBeUndefined();
    let error: unknown;
    try {
      decryptValue(keys, { ...context, scope: 'x' }, sealed);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VeilError);
    expect((error as VeilError).code).toBe(VeilErrorCode.Vault);
    expect(JSON.stringify({ m: (error as VeilError).message, d: (error as VeilError).data })).not.toContain('secret');
  });

  it('derives independent encryption and lookup keys', () => {
    const dataKey = generateDataKey();
    const keys = deriveTenantKeys(dataKey);
    const again = deriveTenantKeys(dataKey);
    expect(keys.encryption.export().equals(again.encryption.export())).toBe(true);
    expect(keys.encryption.export().equals(keys.lookup.export())).toBe(false);
    expect(keys.encryption.export().equals(Buffer.from(dataKey))).toBe(false);
    expect(() => deriveTenantKeys(new Uint8Array(16))).toThrow(VeilError);
  });

  it('lookups are deterministic keyed hex HMACs that depend on key, scope and type', () => {
    const keys = deriveTenantKeys(generateDataKey());
    const l = lookupOf(keys, 'chat-1', 'EMAIL', 'maria@example.com');
    expect(l).toMatch(/^[0-9a-f]{64}$/);
    expect(lookupOf(keys, 'chat-1', 'EMAIL', 'maria@example.com')).toBe(l);
    expect(lookupOf(keys, 'chat-2', 'EMAIL', 'maria@example.com')).not.toBe(l);
    expect(lookupOf(keys, 'chat-1', 'URL', 'maria@example.com')).not.toBe(l);
    expect(lookupOf(deriveTenantKeys(generateDataKey()), 'chat-1', 'EMAIL', 'maria@example.com')).not.toBe(l);
    expect(lookupOf(keys, 'chat-1', 'EMAIL', 'maria@example.co')).not.toBe(l);
  });

  it('seals raw bytes and fingerprints keys without exposing them', () => {
    const key = generateDataKey();
    const aad = Buffer.from('aad');
    const sealed = sealBytes(key, Buffer.from('payload'), aad);
    expect(Buffer.from(openBytes(key, sealed, aad) ?? []).toString()).toBe('payload');
    expect(openBytes(key, sealed, Buffer.from('other'))).toBeUndefined();
    const id = keyFingerprint(key);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(key).toString('hex')).not.toContain(id);
    expect(keyFingerprint(generateDataKey())).not.toBe(id);
  });
});
