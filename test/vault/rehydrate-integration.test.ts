/**
 * Rehydration of opaque and fpe tokens through the pipeline's `rehydrate` and
 * `StreamRehydrator` (placeholders first, then the format matcher), whole and streamed,
 * JSON-escaped too.
 */
import { describe, expect, it } from 'vitest';
import { rehydrate, StreamRehydrator } from '../../src/pipeline/rehydrate.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { formatsByType, renderToken } from '../../src/vault/tokens/formats.js';
import { formatLookupOf, type FormatTokenLookup } from '../../src/vault/tokens/matcher.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';

// The pipeline's own rehydrators, which chain the placeholder and format matchers.
const rehydrateAll = rehydrate;
const ChainedStream = StreamRehydrator;

describe('rehydrating every reversible format through the pipeline rehydrator', () => {
  it('whole text, every stream split, and JSON escaping agree', async () => {
    const vault = await Vault.open({ dataDir: '/unused', store: new MemoryVaultStore(), masterKey: generateMasterKey(), env: {} });
    try {
      const scope = await vault.openScope({
        tenant: 'acme',
        session: 's',
        format: formatsByType({ EMAIL: 'opaque', CREDIT_CARD: 'fpe', PHONE: 'fpe', PERSON: 'opaque-siv' }),
      });
      const values: [string, string][] = [
        ['EMAIL', 'maria@example.com'],
        ['CREDIT_CARD', '4111 1111 1111 1111'],
        ['PHONE', '+1 (415) 555-0132'],
        ['PERSON', 'Maria "Mia" Lopez'],
        ['IBAN', 'GB82 WEST 1234 5698 7654 32'],
      ];
      const tokens = await scope.tokenize(values.map(([type, value]) => ({ type, value, normalized: normalizeValue(type, value) })));
      const [email, card, phone, person, iban] = tokens.map((token) => renderToken(token ?? ''));
      expect(iban).toBe('<<IBAN_1>>');
      const answer = `Dear ${person}, we wrote to ${email} about ${iban}; card ${card} and phone ${phone} are on file. Bye.`;
      const expected = `Dear Maria "Mia" Lopez, we wrote to maria@example.com about GB82 WEST 1234 5698 7654 32; card 4111 1111 1111 1111 and phone +1 (415) 555-0132 are on file. Bye.`;
      expect(rehydrateAll(answer, scope)).toBe(expected);
      for (let split = 0; split <= answer.length; split += 1) {
        const stream = new ChainedStream(scope);
        expect(stream.feed(answer.slice(0, split)) + stream.feed(answer.slice(split)) + stream.end()).toBe(expected);
      }
      const json = JSON.stringify({ text: answer }).slice(1, -1);
      expect(rehydrateAll(json, scope, { escape: 'json' })).toBe(JSON.stringify({ text: expected }).slice(1, -1));
      expect(formatLookupOf(scope) as FormatTokenLookup).toBe(scope);
    } finally {
      await vault.close();
    }
  });
});
