/**
 * Token formats through a vault scope, and rehydration of opaque and fpe tokens (whole text,
 * every stream split, JSON escaping).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { fpeDecrypt } from '../../src/vault/tokens/fpe.js';
import { formatsByType } from '../../src/vault/tokens/formats.js';
import { formatLookupOf, FormatTokenStream, rehydrateFormatTokens, type FormatTokenLookup } from '../../src/vault/tokens/matcher.js';
import { openSivToken } from '../../src/vault/tokens/opaque.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';

const root = mkdtempSync(join(tmpdir(), 'veil-formats-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const vaults: Vault[] = [];
afterEach(async () => {
  for (const vault of vaults.splice(0)) await vault.close();
});

async function openVault(store = new MemoryVaultStore()): Promise<Vault> {
  const vault = await Vault.open({ dataDir: join(root, 'data'), store, masterKey: generateMasterKey(), env: {} });
  vaults.push(vault);
  return vault;
}

const req = (type: string, value: string) => ({ type, value, normalized: normalizeValue(type, value) });

const formats = formatsByType({
  EMAIL: 'opaque',
  PERSON: 'opaque-siv',
  CREDIT_CARD: 'fpe',
  PHONE: 'fpe',
  SSN: 'redact',
  IP: 'hash',
});

describe('token formats in a vault scope', () => {
  it('issues each format, stores only the reversible ones, and resolves them', async () => {
    const store = new MemoryVaultStore();
    const vault = await openVault(store);
    const scope = await vault.openScope({ tenant: 'acme', session: 's1', format: formats });
    const tokens = await scope.tokenize([
      req('EMAIL', 'Maria@Example.com'),
      req('PERSON', 'Maria Lopez'),
      req('CREDIT_CARD', '4111 1111 1111 1111'),
      req('PHONE', '(415) 555-0132'),
      req('SSN', '123-45-6789'),
      req('IP', '10.1.2.3'),
      req('ZIP', '94107'),
    ]);
    const [email, person, card, phone, ssn, ip, zip] = tokens;
    expect(email).toMatch(/^VEIL_EMAIL_K[A-Z2-7]{5}_[A-Z2-7]{26}$/);
    expect(person).toMatch(/^VEIL_PERSON_K[A-Z2-7]{5}_S/);
    expect(card).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(phone).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
    expect(ssn).toBe('[SSN]');
    expect(ip).toMatch(/^HASH_IP_[A-Z2-7]{26}$/);
    expect(zip).toBe('ZIP_1');
    const stored = await store.listScope('acme', 's1');
    expect(stored.map((e) => e.type).sort()).toEqual(['CREDIT_CARD', 'EMAIL', 'PERSON', 'PHONE', 'ZIP']);
    expect(scope.resolve(email ?? '')).toBe('Maria@Example.com');
    expect(scope.resolve((email ?? '').toLowerCase())).toBe('Maria@Example.com');
    expect(scope.resolve(card ?? '')).toBe('4111 1111 1111 1111');
    expect(scope.resolveFpeDigits((phone ?? '').replace(/\D/g, ''))).toBe('(415) 555-0132');
    // The same value again: same tokens, no new rows.
    expect(await scope.tokenize([req('EMAIL', 'maria@example.com'), req('SSN', '123-45-6789')])).toEqual([email, '[SSN]']);
    expect(await store.listScope('acme', 's1')).toHaveLength(5);
    // fpe and SIV tokens open with the tenant's key alone.
    const keys = await vault.formatKeys('acme');
    expect(fpeDecrypt(keys, 'CREDIT_CARD', card ?? '')).toBe('4111 1111 1111 1111');
    expect(openSivToken(keys, person ?? '')).toBe('Maria Lopez');
  });

  it('opaque tokens are the same in every session of a tenant and differ between tenants', async () => {
    const vault = await openVault();
    const one = await vault.openScope({ tenant: 'acme', session: 'a', format: formats });
    const two = await vault.openScope({ tenant: 'acme', session: 'b', format: formats });
    const other = await vault.openScope({ tenant: 'globex', session: 'a', format: formats });
    const value = [req('EMAIL', 'maria@example.com'), req('CREDIT_CARD', '4111111111111111')];
    const [a, b, c] = [await one.tokenize(value), await two.tokenize(value), await other.tokenize(value)];
    expect(a).toEqual(b);
    expect(c?.[0]).not.toBe(a?.[0]);
    expect(c?.[1]).not.toBe(a?.[1]);
    // A SIV token of the tenant resolves in another session without a row there.
    const [siv] = await one.tokenize([req('PERSON', 'Maria Lopez')]);
    expect(two.resolveOpaque(siv ?? '')).toBe('Maria Lopez');
    expect(other.resolveOpaque(siv ?? '')).toBeUndefined();
  });

  it('a reopened scope (another replica) resolves opaque and fpe tokens from the rows', async () => {
    const store = new MemoryVaultStore();
    const vault = await openVault(store);
    const first = await vault.openScope({ tenant: 'acme', session: 's', format: formats });
    const [email, card] = await first.tokenize([req('EMAIL', 'bob@example.com'), req('CREDIT_CARD', '5500 0000 0000 0004')]);
    const reopened = await vault.openScope({ tenant: 'acme', session: 's' });
    expect(reopened.hasFormatTokens()).toBe(true);
    expect(reopened.resolveOpaque(email ?? '')).toBe('bob@example.com');
    expect(reopened.resolveFpeDigits((card ?? '').replace(/\D/g, ''))).toBe('5500 0000 0000 0004');
    // Values first stored as placeholders keep their placeholder even if the format changes.
    const plain = await vault.openScope({ tenant: 'acme', session: 'p' });
    const [placeholder] = await plain.tokenize([req('EMAIL', 'carol@example.com')]);
    const later = await vault.openScope({ tenant: 'acme', session: 'p', format: formats });
    expect(await later.tokenize([req('EMAIL', 'carol@example.com')])).toEqual([placeholder]);
  });
});

describe('rehydrating opaque and fpe tokens', () => {
  const table = new Map([
    ['VEIL_EMAIL_KABCDE_AAAAAAAAAAAAAAAAAAAAAAAAAA', 'maria@example.com'],
    ['VEIL_PERSON_KABCDE_SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Maria "M" Lopez'],
  ]);
  const fpe = new Map([
    ['4539148803436467', '4111 1111 1111 1111'],
    ['2125550199', '(415) 555-0132'],
  ]);
  const lookup: FormatTokenLookup = {
    hasFormatTokens: () => true,
    resolveOpaque: (token) => table.get(token.toUpperCase()),
    resolveFpeDigits: (digits) => fpe.get(digits),
  };
  const text =
    'Mail VEIL_EMAIL_KABCDE_AAAAAAAAAAAAAAAAAAAAAAAAAA (or veil_email_kabcde_aaaaaaaaaaaaaaaaaaaaaaaaaa), ' +
    'person VEIL_PERSON_KABCDE_SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; card 4539-1488-0343-6467 and 4539 1488 0343 6467. ' +
    'Call (212) 555-0199 or +1 212 555 0199, not 2125550198, not VEIL_EMAIL_KABCDE_BBBBBBBBBBBBBBBBBBBBBBBBBB, ' +
    'not X4539148803436467, in 2024 there were 12 345 678 people.';
  const expected =
    'Mail maria@example.com (or maria@example.com), ' +
    'person Maria "M" Lopez; card 4111 1111 1111 1111 and 4111 1111 1111 1111. ' +
    'Call (415) 555-0132 or +1 (415) 555-0132, not 2125550198, not VEIL_EMAIL_KABCDE_BBBBBBBBBBBBBBBBBBBBBBBBBB, ' +
    'not X4539148803436467, in 2024 there were 12 345 678 people.';

  it('replaces only issued tokens, forgiving case and separators', () => {
    expect(rehydrateFormatTokens(text, lookup)).toBe(expected);
  });

  it('a stream gives the same result for every split point, holding back little', () => {
    for (let split = 0; split <= text.length; split += 1) {
      const stream = new FormatTokenStream(lookup);
      const out = stream.feed(text.slice(0, split)) + stream.feed(text.slice(split)) + stream.end();
      expect(out).toBe(expected);
    }
    const stream = new FormatTokenStream(lookup);
    let out = '';
    for (const char of text) {
      out += stream.feed(char);
      expect(stream.held).toBeLessThanOrEqual(60);
    }
    expect(out + stream.end()).toBe(expected);
  });

  it('escapes values for JSON strings, and leaves text alone when nothing was issued', () => {
    expect(rehydrateFormatTokens('{"n":"VEIL_PERSON_KABCDE_SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}', lookup, { escape: 'json' })).toBe(
      '{"n":"Maria \\"M\\" Lopez"}',
    );
    const empty: FormatTokenLookup = { ...lookup, hasFormatTokens: () => false };
    expect(rehydrateFormatTokens(text, empty)).toBe(text);
    expect(formatLookupOf({})).toBeUndefined();
    expect(formatLookupOf(lookup)).toBe(lookup);
  });

  it('works end to end on a vault scope', async () => {
    const vault = await openVault();
    const scope = await vault.openScope({ tenant: 'acme', session: 'e2e', format: formats });
    const [email, card, phone] = await scope.tokenize([
      req('EMAIL', 'maria@example.com'),
      req('CREDIT_CARD', '4111 1111 1111 1111'),
      req('PHONE', '+1 415 555 0132'),
    ]);
    const answer = `Sent to ${email ?? ''}; card ${(card ?? '').replaceAll(' ', '-')}; phone ${phone ?? ''}.`;
    const lookupOfScope = formatLookupOf(scope);
    expect(lookupOfScope).toBeDefined();
    expect(rehydrateFormatTokens(answer, lookupOfScope as FormatTokenLookup)).toBe(
      'Sent to maria@example.com; card 4111 1111 1111 1111; phone +1 415 555 0132.',
    );
  });
});
