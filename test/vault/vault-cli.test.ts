/** `veil vault forget|purge|tenants`, on SQLite and (when reachable) PostgreSQL. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { vaultCommand } from '../../src/cli/commands/vault.js';
import { generateMasterKey } from '../../src/vault/keys/local.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';
import { Vault } from '../../src/vault/vault.js';
import { dropSchemas, newSchema, pgProbe } from './pg-harness.js';

const root = mkdtempSync(join(tmpdir(), 'veil-vault-cli-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await dropSchemas();
});

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await vaultCommand.run(args, { stdin: new PassThrough(), stdout, stderr, stderrIsTTY: false, env, cwd: root });
  return { code, stdout: out, stderr: err };
}

const email = (value: string) => ({ type: 'EMAIL', value, normalized: normalizeValue('EMAIL', value) });

async function seed(env: NodeJS.ProcessEnv, dataDir: string): Promise<void> {
  let now = Date.now();
  const vault = await Vault.open({ dataDir, env, now: () => now });
  try {
    for (const [tenant, session] of [['acme', 'chat-1'], ['acme', 'chat-2'], ['globex', 'chat-1']] as const) {
      const scope = await vault.openScope({ tenant, session });
      await scope.tokenize([email(`a@${tenant}.example`), email(`b@${tenant}.example`)]);
    }
    // Two entries that are already expired.
    now -= 10_000;
    const old = await vault.openScope({ tenant: 'globex', session: 'old', ttlSeconds: 1 });
    await old.tokenize([email('x@old.example'), email('y@old.example')]);
  } finally {
    await vault.close();
  }
}

function suite(name: string, makeEnv: (dataDir: string) => NodeJS.ProcessEnv): void {
  describe(`veil vault (${name})`, () => {
    it('forget --session, forget --tenant (crypto-shredding), purge, tenants, with audit events', async () => {
      const dataDir = mkdtempSync(join(root, 'd-'));
      const env = makeEnv(dataDir);
      await seed(env, dataDir);

      expect((await run(['tenants'], env)).stdout).toBe('acme\nglobex\n');
      const session = await run(['forget', '--tenant', 'acme', '--session', 'chat-2'], env);
      expect(session).toMatchObject({ code: 0, stderr: '' });
      expect(session.stdout).toBe('forgot session "chat-2" of tenant "acme": 2 entries deleted\n');

      const refused = await run(['forget', '--tenant', 'acme'], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--yes');

      const tenant = await run(['forget', '--tenant', 'acme', '--yes'], env);
      expect(tenant).toMatchObject({ code: 0, stderr: '' });
      expect(tenant.stdout).toBe('forgot tenant "acme": 2 entries deleted in all sessions; data key deleted (crypto-shredded)\n');

      const purged = await run(['purge', '--json'], env);
      expect(purged.code).toBe(0);
      expect(JSON.parse(purged.stdout)).toMatchObject({ purged: 2 });
      expect((await run(['tenants'], env)).stdout).toBe('globex\n');

      const vault = await Vault.open({ dataDir, env });
      try {
        expect(await vault.store.getDataKey('acme')).toBeUndefined();
        expect((await vault.openScope({ tenant: 'acme', session: 'chat-1' })).size).toBe(0);
        expect((await vault.openScope({ tenant: 'globex', session: 'chat-1' })).resolve('EMAIL_2')).toBe('b@globex.example');
      } finally {
        await vault.close();
      }

      const auditDir = join(dataDir, 'audit');
      expect(existsSync(auditDir)).toBe(true);
      const events = readdirSync(auditDir)
        .filter((file) => file.endsWith('.jsonl'))
        .flatMap((file) => readFileSync(join(auditDir, file), 'utf8').split('\n').filter(Boolean))
        .map((line) => JSON.parse(line) as { kind: string; command: string | null; key: { operation: string } | null });
      expect(events.map((e) => e.command ?? e.key?.operation)).toEqual(
        expect.arrayContaining(['vault-forget-session', 'vault-forget-tenant', 'shred', 'vault-purge']),
      );
      // Nothing in the audit names a value.
      expect(JSON.stringify(events)).not.toContain('@acme.example');
    });

    it('usage errors', async () => {
      const env = makeEnv(mkdtempSync(join(root, 'u-')));
      expect((await run([], env)).code).toBe(2);
      expect((await run(['forget'], env)).code).toBe(2);
      expect((await run(['nope'], env)).code).toBe(2);
      expect((await run(['purge', 'x'], env)).code).toBe(2);
    });
  });
}

const masterKey = generateMasterKey();
suite('sqlite', (dataDir) => ({ VEIL_DATA_DIR: dataDir, VEIL_MASTER_KEY: masterKey }));
if (pgProbe.url === undefined) {
  describe.skip(`veil vault (postgres) (skipped: ${pgProbe.reason})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const url = pgProbe.url;
  suite('postgres', (dataDir) => ({
    VEIL_DATA_DIR: dataDir,
    VEIL_MASTER_KEY: masterKey,
    VEIL_VAULT_URL: url,
    VEIL_VAULT_SCHEMA: newSchema('cli'),
  }));
}
