import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Vault } from '../../src/vault/vault.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';

const root = mkdtempSync(join(tmpdir(), 'veil-vault-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VALUES: [string, string][] = [
  ['EMAIL', 'Maria.Lopez@Example.com'],
  ['PHONE', '+1 415 555 0132'],
  ['CREDIT_CARD', '4111 1111 1111 1111'],
  ['PERSON', 'Maria Lopez'],
  ['IBAN', 'GB82 WEST 1234 5698 7654 32'],
  ['SSN', '078-05-1120'],
  ['SECRET', 'sk-live-THISISASECRETKEYVALUE0123456789'],
  ['ADDRESS', 'Rue de Lausanne 12, Genève'],
];

/** Every form of a value that must not be found in the vault's files. */
function needles(type: string, value: string): Buffer[] {
  const normalized = normalizeValue(type, value);
  const forms = new Set([value, normalized, value.toLowerCase(), value.toUpperCase()]);
  const out: Buffer[] = [];
  for (const form of forms) {
    out.push(Buffer.from(form, 'utf8'), Buffer.from(form, 'utf16le'), Buffer.from(form, 'utf8').subarray(0, 10));
    out.push(Buffer.from(Buffer.from(form, 'utf8').toString('base64')));
    // An unkeyed hash would be a dictionary-attack lookup: it must not be there either.
    out.push(Buffer.from(createHash('sha256').update(form).digest('hex')), createHash('sha256').update(form).digest());
  }
  return out;
}

function vaultFiles(dir: string): Buffer[] {
  return ['vault.db', 'vault.db-wal', 'vault.db-shm']
    .map((name) => join(dir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file));
}

describe('nothing readable in the SQLite file', () => {
  it('holds no masked value (nor its normalised form) in vault.db or its WAL', async () => {
    const dir = join(root, 'data');
    const vault = await Vault.open({ dataDir: dir, env: {} });
    for (const session of ['chat-1', 'chat-2']) {
      const scope = await vault.openScope({ tenant: 'acme', session, ttlSeconds: 3600 });
      const requests = VALUES.map(([type, value]) => ({ type, value, normalized: normalizeValue(type, value) }));
      const tokens = await scope.tokenize(requests);
      expect(tokens).toHaveLength(VALUES.length);
    }
    const check = (files: Buffer[]): void => {
      expect(files.length).toBeGreaterThan(0);
      for (const [type, value] of VALUES) {
        for (const needle of needles(type, value)) {
          for (const file of files) {
            if (file.includes(needle)) throw new Error(`a form of a ${type} value was found in the vault files`);
          }
        }
      }
    };
    // While open, the new pages live in the WAL; after close they are checkpointed into the db.
    const whileOpen = vaultFiles(dir);
    expect(existsSync(join(dir, 'vault.db-wal'))).toBe(true);
    check(whileOpen);
    await vault.close();
    check(vaultFiles(dir));
    // Sanity check of the check: the tenant name is stored in clear, and is found.
    expect(vaultFiles(dir).some((file) => file.includes(Buffer.from('acme')))).toBe(true);
  });
});
