/**
 * Requests without a session use the tenant's format keys when the engine has a vault, so an
 * opaque or fpe token is the same with or without a session, and the same for a second engine
 * (another replica) on the same vault.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';

const root = mkdtempSync(join(tmpdir(), 'veil-sessionless-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const card = { type: 'CREDIT_CARD', value: '4111 1111 1111 1111', normalized: normalizeValue('CREDIT_CARD', '4111 1111 1111 1111'), format: 'fpe' as const };
const email = { type: 'EMAIL', value: 'maria@example.com', normalized: normalizeValue('EMAIL', 'maria@example.com'), format: 'opaque' as const };

describe('sessionless scopes with a vault', () => {
  it('issue the tenant’s fpe and opaque tokens, as a session does and as another engine does', async () => {
    const store = new MemoryVaultStore();
    const masterKey = generateMasterKey();
    const vault = await Vault.open({ dataDir: join(root, 'a'), store, masterKey, env: {} });
    const veil = new Veil({ vault });
    const sessionless = await veil.openScope({ tenant: 'acme' });
    const [cardToken, emailToken] = await sessionless.tokenize([card, email]);
    expect(cardToken).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(cardToken).not.toBe(card.value);
    expect(emailToken).toMatch(/^VEIL_EMAIL_/);

    const session = await veil.openScope({ tenant: 'acme', session: 's1' });
    expect(await session.tokenize([card, email])).toEqual([cardToken, emailToken]);

    const replica = new Veil({ vault: await Vault.open({ dataDir: join(root, 'b'), store, masterKey, env: {} }) });
    expect(await (await replica.openScope({ tenant: 'acme' })).tokenize([card, email])).toEqual([cardToken, emailToken]);

    const otherTenant = await veil.openScope({ tenant: 'globex' });
    expect((await otherTenant.tokenize([card]))[0]).not.toBe(cardToken);
    await vault.close();
  });
});
