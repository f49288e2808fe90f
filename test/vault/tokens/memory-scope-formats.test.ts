/** Per-span token formats in the in-memory scope: what each format issues, keeps and puts back. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rehydrate, StreamRehydrator } from '../../../src/pipeline/rehydrate.js';
import { MemoryTokenScope } from '../../../src/vault/memory-scope.js';
import type { TokenRequest } from '../../../src/vault/token-scope.js';
import { ephemeralFormatKeys } from '../../../src/vault/tokens/format-keys.js';
import type { TokenFormatName } from '../../../src/vault/tokens/formats.js';
import { fpeDecrypt, luhnValid } from '../../../src/vault/tokens/fpe.js';
import { normalizeValue } from '../../../src/vault/tokens/normalize.js';
import { openSivToken } from '../../../src/vault/tokens/opaque.js';
import { generateMasterKey } from '../../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../../src/vault/stores/memory.js';
import { Vault } from '../../../src/vault/vault.js';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'maria.garcia@example.com';

function request(type: string, value: string, format?: TokenFormatName): TokenRequest {
  return { type, value, normalized: normalizeValue(type, value), ...(format === undefined ? {} : { format }) };
}

function tokenize(scope: MemoryTokenScope, requests: TokenRequest[]): string[] {
  const tokens = scope.tokenize(requests);
  if (tokens instanceof Promise) throw new Error('memory scopes answer synchronously');
  return tokens;
}

describe('MemoryTokenScope with per-span formats', () => {
  it('issues an fpe card that is still a Luhn-valid 16-digit card with the same layout', () => {
    const scope = new MemoryTokenScope('acme');
    const [token = ''] = tokenize(scope, [request('CREDIT_CARD', CARD, 'fpe')]);
    expect(token).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(token).not.toBe(CARD);
    expect(luhnValid([...token.replace(/\D/g, '')].map(Number))).toBe(true);
    expect(fpeDecrypt(ephemeralFormatKeys('acme'), 'CREDIT_CARD', token)).toBe(CARD);
    expect(scope.resolveFpeDigits(token.replace(/\D/g, ''))).toBe(CARD);
    expect(scope.fpeTypeOf(token.replace(/\D/g, ''))).toBe('CREDIT_CARD');
  });

  it('issues VEIL_<TYPE>_<keyid>_<tag> opaque tokens and SIV tokens that open with the key', () => {
    const scope = new MemoryTokenScope('acme');
    const [opaque = '', siv = ''] = tokenize(scope, [request('EMAIL', EMAIL, 'opaque'), request('PERSON', 'Maria Garcia', 'opaque-siv')]);
    expect(opaque).toMatch(/^VEIL_EMAIL_K[A-Z2-7]{5}_[A-Z2-7]{26}$/);
    expect(siv).toMatch(/^VEIL_PERSON_K[A-Z2-7]{5}_S[A-Z2-7]+$/);
    expect(openSivToken(ephemeralFormatKeys('acme'), siv)).toBe('Maria Garcia');
    expect(scope.resolveOpaque(opaque.toLowerCase())).toBe(EMAIL);
    expect(scope.hasFormatTokens()).toBe(true);
  });

  it('is deterministic per tenant: same value, same token in every scope; other tenants differ', () => {
    const first = tokenize(new MemoryTokenScope('acme'), [request('EMAIL', EMAIL, 'opaque'), request('CREDIT_CARD', CARD, 'fpe')]);
    const again = tokenize(new MemoryTokenScope('acme'), [request('EMAIL', 'Maria.Garcia@Example.com', 'opaque'), request('CREDIT_CARD', '4111-1111-1111-1111', 'fpe')]);
    const other = tokenize(new MemoryTokenScope('globex'), [request('EMAIL', EMAIL, 'opaque'), request('CREDIT_CARD', CARD, 'fpe')]);
    expect(again[0]).toBe(first[0]);
    expect(again[1]?.replace(/\D/g, '')).toBe(first[1]?.replace(/\D/g, ''));
    expect(other[0]).not.toBe(first[0]);
    expect(other[1]).not.toBe(first[1]);
  });

  it('redact and hash are one-way: nothing kept, nothing put back', () => {
    const scope = new MemoryTokenScope('acme');
    const [redacted, hashed] = tokenize(scope, [request('EMAIL', EMAIL, 'redact'), request('IP', '10.20.30.40', 'hash')]);
    expect(redacted).toBe('[EMAIL]');
    expect(hashed).toMatch(/^HASH_IP_[A-Z2-7]{26}$/);
    expect(scope.size).toBe(0);
    expect(rehydrate(`${redacted} ${hashed}`, scope)).toBe(`${redacted} ${hashed}`);
  });

  it('placeholder stays the default and a value keeps its first token', () => {
    const scope = new MemoryTokenScope('acme');
    expect(tokenize(scope, [request('EMAIL', EMAIL), request('EMAIL', EMAIL, 'opaque')])).toEqual(['EMAIL_1', 'EMAIL_1']);
    expect(scope.hasFormatTokens()).toBe(false);
  });

  it('fpe falls back to a placeholder when the value has too few digits', () => {
    const scope = new MemoryTokenScope('acme');
    expect(tokenize(scope, [request('ZIP', '94107', 'fpe')])).toEqual(['ZIP_1']);
  });

  it('rehydrates every reversible format, whole and streamed at every split, also JSON-escaped', () => {
    const scope = new MemoryTokenScope('acme');
    const [card = '', email = '', person = ''] = tokenize(scope, [
      request('CREDIT_CARD', CARD, 'fpe'),
      request('EMAIL', EMAIL, 'opaque'),
      request('PERSON', 'Maria "M" Garcia', 'placeholder'),
    ]);
    const answer = `Charged ${card.replace(/ /g, '-')} for ${email}, dear <<${person}>>.`;
    const expected = `Charged ${CARD} for ${EMAIL}, dear Maria "M" Garcia.`;
    expect(rehydrate(answer, scope)).toBe(expected);
    expect(rehydrate(answer, scope, { escape: 'json' })).toBe(expected.replace(/"/g, '\\"'));
    for (let cut = 0; cut <= answer.length; cut++) {
      const stream = new StreamRehydrator(scope);
      expect(stream.feed(answer.slice(0, cut)) + stream.feed(answer.slice(cut)) + stream.end()).toBe(expected);
    }
  });

  it('uses the key source it is given (the vault tenant keys, in the gateway)', () => {
    const keys = ephemeralFormatKeys('someone-else');
    const [token] = tokenize(new MemoryTokenScope('acme', undefined, { formatKeys: () => keys }), [request('EMAIL', EMAIL, 'opaque')]);
    const [theirs] = tokenize(new MemoryTokenScope('someone-else'), [request('EMAIL', EMAIL, 'opaque')]);
    expect(token).toBe(theirs);
  });

  it("takes the vault tenant's keys asynchronously: the same tokens as the tenant's sessions", async () => {
    const vault = await Vault.open({ dataDir: mkdtempSync(join(tmpdir(), 'veil-memory-formats-')), store: new MemoryVaultStore(), masterKey: generateMasterKey(), env: {} });
    try {
      const requests = [request('EMAIL', EMAIL, 'opaque'), request('CREDIT_CARD', CARD, 'fpe'), request('PERSON', 'Maria', 'placeholder')];
      const scope = new MemoryTokenScope('acme', undefined, { formatKeys: () => vault.formatKeys('acme') });
      const pending = scope.tokenize(requests);
      expect(pending).toBeInstanceOf(Promise);
      const tokens = await pending;
      const session = await (await vault.openScope({ tenant: 'acme', session: 's' })).tokenize(requests);
      expect(tokens).toEqual(session);
      // Keys are loaded once: later calls answer synchronously.
      expect(scope.tokenize([request('EMAIL', 'other@example.com', 'opaque')])).not.toBeInstanceOf(Promise);
      // Placeholders and redactions never wait for keys.
      expect(new MemoryTokenScope('acme', undefined, { formatKeys: () => vault.formatKeys('acme') }).tokenize([request('EMAIL', EMAIL, 'redact')])).toEqual(['[EMAIL]']);
    } finally {
      await vault.close();
    }
  });
});
