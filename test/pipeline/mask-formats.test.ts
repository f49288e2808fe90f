/**
 * mask() with token formats chosen per span by policy: the rule's `format` reaches the scope,
 * in memory and in the vault, and the default path is unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultEngine } from '../../src/detect/registry.js';
import { mask, type MaskResult } from '../../src/pipeline/mask.js';
import { rehydrate } from '../../src/pipeline/rehydrate.js';
import { parsePolicy } from '../../src/policy/load.js';
import { decideFor } from '../../src/policy/rules.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import type { TokenRequest, TokenScope } from '../../src/vault/token-scope.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { fpeDecrypt, luhnValid } from '../../src/vault/tokens/fpe.js';
import { formatsByType } from '../../src/vault/tokens/formats.js';
import { Vault } from '../../src/vault/vault.js';

const root = mkdtempSync(join(tmpdir(), 'veil-mask-formats-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CARD = '4111 1111 1111 1111';
const EMAIL = 'maria.garcia@example.com';
const TEXT = `Charge ${CARD} and mail ${EMAIL}, SSN 123-45-6789, from 10.20.30.40.`;

const policy = parsePolicy(`
rules:
  - { id: cards, when: { entity: CREDIT_CARD }, action: mask, format: fpe }
  - { id: emails, when: { entity: EMAIL }, action: mask, format: opaque }
  - { id: ips, when: { entity: IP }, action: mask, format: hash }
  - { id: rest, action: mask }
`);
const decide = decideFor(policy, { tenant: 'acme' });
const engine = createDefaultEngine();

async function run(scope: TokenScope, text = TEXT): Promise<MaskResult> {
  return mask([text], { engine, scope, decide });
}

function tokenOf(result: MaskResult, type: string): string {
  const token = result.entities.find((entity) => entity.type === type)?.token;
  if (token === undefined) throw new Error(`no ${type} token`);
  return token;
}

describe('mask() applies the format of the deciding rule', () => {
  it('in memory: fpe card, opaque e-mail, hash IP, placeholder for the rest', async () => {
    const result = await run(new MemoryTokenScope('acme'));
    const masked = result.texts[0] ?? '';
    const card = tokenOf(result, 'CREDIT_CARD');
    expect(card).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(luhnValid([...card.replace(/\D/g, '')].map(Number))).toBe(true);
    expect(tokenOf(result, 'EMAIL')).toMatch(/^VEIL_EMAIL_K[A-Z2-7]{5}_[A-Z2-7]{26}$/);
    expect(tokenOf(result, 'IP')).toMatch(/^HASH_IP_/);
    expect(masked).toContain('<<SSN_1>>');
    expect(masked).not.toContain(CARD);
    expect(masked).not.toContain(EMAIL);
    expect(result.entities.map((entity) => entity.rule)).toEqual(['cards', 'emails', 'rest', 'ips']);
  });

  it('the default path sends requests without a format property', async () => {
    const seen: TokenRequest[] = [];
    const scope = new MemoryTokenScope('acme');
    const spy: TokenScope = {
      tenant: 'acme',
      session: undefined,
      get size() {
        return scope.size;
      },
      tokenize: (requests) => {
        seen.push(...requests);
        return scope.tokenize(requests);
      },
      resolve: (key) => scope.resolve(key),
      issuedTypes: () => scope.issuedTypes(),
    };
    await mask([TEXT], { engine, scope: spy, decide: decideFor(parsePolicy('rules: []\n'), { tenant: 'acme' }) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((request) => !('format' in request))).toBe(true);
  });

  it('in the vault: the rule format wins over the scope default, is the same across sessions, and rehydrates', async () => {
    const vault = await Vault.open({ dataDir: join(root, 'data'), store: new MemoryVaultStore(), masterKey: generateMasterKey(), env: {} });
    try {
      // The scope's own default would make cards placeholders; the policy says fpe.
      const one = await vault.openScope({ tenant: 'acme', session: 's1', format: formatsByType({ CREDIT_CARD: 'placeholder' }) });
      const two = await vault.openScope({ tenant: 'acme', session: 's2' });
      const first = await run(one);
      const second = await run(two);
      expect(tokenOf(first, 'CREDIT_CARD')).toBe(tokenOf(second, 'CREDIT_CARD'));
      expect(tokenOf(first, 'EMAIL')).toBe(tokenOf(second, 'EMAIL'));
      expect(fpeDecrypt(await vault.formatKeys('acme'), 'CREDIT_CARD', tokenOf(first, 'CREDIT_CARD'))).toBe(CARD);
      const answer = `Done: ${tokenOf(first, 'CREDIT_CARD')} / ${tokenOf(first, 'EMAIL').toLowerCase()} / <<SSN_1>>`;
      expect(rehydrate(answer, one)).toBe(`Done: ${CARD} / ${EMAIL} / 123-45-6789`);
      // A reopened session resolves the stored format tokens too.
      const reopened = await vault.openScope({ tenant: 'acme', session: 's1' });
      expect(rehydrate(answer, reopened)).toBe(`Done: ${CARD} / ${EMAIL} / 123-45-6789`);
    } finally {
      await vault.close();
    }
  });
});
