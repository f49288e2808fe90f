/**
 * Every key provider through the KeyProvider contract. The remote ones run against the local
 * stand-in servers of `fakes/kms-servers.ts` (written from each service's documented API,
 * not the real services).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeyProviderContract } from '../conformance/key-provider.contract.js';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';
import { AwsKmsKeyProvider } from '../../src/vault/keys/aws-kms.js';
import { GcpKmsKeyProvider } from '../../src/vault/keys/gcp-kms.js';
import { LocalKeyProvider, rotateLocalMasterKey } from '../../src/vault/keys/local.js';
import { VaultTransitKeyProvider } from '../../src/vault/keys/vault-transit.js';
import { startFakeAwsKms, startFakeGcpKms, startFakeTransit, type FakeAwsKms, type FakeGcpKms, type FakeTransit } from './fakes/kms-servers.js';

const root = mkdtempSync(join(tmpdir(), 'veil-key-providers-'));
let transit: FakeTransit;
let aws: FakeAwsKms;
let gcp: FakeGcpKms;
beforeAll(async () => {
  [transit, aws, gcp] = await Promise.all([startFakeTransit(), startFakeAwsKms(), startFakeGcpKms()]);
});
afterAll(async () => {
  await Promise.all([transit.close(), aws.close(), gcp.close()]);
  rmSync(root, { recursive: true, force: true });
});

let dirs = 0;
const localDir = join(root, 'local');
const made = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  return dir;
};
runKeyProviderContract({
  name: 'local',
  create: () => LocalKeyProvider.open({ dataDir: made(localDir), env: {} }),
  createOther: () => LocalKeyProvider.open({ dataDir: made(join(root, `other-${(dirs += 1)}`)), env: {} }),
  rotate: async (provider) => {
    const dataDir = join(root, `rotating-${(dirs += 1)}`);
    // Rotation is of the key file: start from a provider on its own directory with the same key.
    const source = provider as LocalKeyProvider;
    if (source.source !== join(localDir, 'master.key')) throw new Error('unexpected provider');
    const { copyFileSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(join(localDir, 'master.key'), join(dataDir, 'master.key'));
    const { previous, current } = await rotateLocalMasterKey(dataDir);
    expect(previous).toBe(source.keyId);
    const rotated = await LocalKeyProvider.open({ dataDir, env: {} });
    expect(rotated.keyId).toBe(current);
    expect(rotated.retiredKeyIds).toEqual([previous]);
    return rotated;
  },
});

runKeyProviderContract({
  name: 'vault-transit (token)',
  create: async () => new VaultTransitKeyProvider({ address: transit.url, token: transit.rootToken, keyName: 'veil' }),
  createOther: async () => new VaultTransitKeyProvider({ address: transit.url, token: transit.rootToken, keyName: 'other' }),
  rotate: async (provider) => {
    const keyId = await (provider as VaultTransitKeyProvider).rotate();
    expect(keyId).toMatch(/^vault-transit:veil:v\d+$/);
    return provider;
  },
});

runKeyProviderContract({
  name: 'vault-transit (AppRole)',
  create: async () =>
    new VaultTransitKeyProvider({ address: transit.url, appRole: { roleId: transit.roleId, secretId: transit.secretId }, keyName: 'approle' }),
});

runKeyProviderContract({
  name: 'aws-kms (moving tenants to another KMS key)',
  create: async () =>
    new AwsKmsKeyProvider({ keyId: aws.otherKeyArn, region: 'eu-west-1', endpoint: aws.url, credentials: aws.credentials }),
  rotate: async () =>
    new AwsKmsKeyProvider({
      keyId: 'alias/veil',
      readableKeyIds: [aws.otherKeyArn],
      region: 'eu-west-1',
      endpoint: aws.url,
      credentials: aws.credentials,
    }),
});

runKeyProviderContract({
  name: 'aws-kms',
  create: async () => new AwsKmsKeyProvider({ keyId: 'alias/veil', region: 'eu-west-1', endpoint: aws.url, credentials: aws.credentials }),
  createOther: async () => new AwsKmsKeyProvider({ keyId: aws.otherKeyArn, region: 'eu-west-1', endpoint: aws.url, credentials: aws.credentials }),
});

runKeyProviderContract({
  name: 'gcp-kms',
  create: async () => new GcpKmsKeyProvider({ keyName: gcp.keyName, serviceAccount: gcp.serviceAccount, endpoint: gcp.url }),
  createOther: async () => new GcpKmsKeyProvider({ keyName: gcp.otherKeyName, serviceAccount: gcp.serviceAccount, endpoint: gcp.url }),
  rotate: async (provider) => {
    gcp.rotate(gcp.keyName);
    return provider;
  },
});

describe('remote key providers: auth and failures', () => {
  const key = new Uint8Array(32).fill(7);

  it('vault-transit: a bad token is a Key error naming the status; AppRole logs in again when its token is revoked', async () => {
    const bad = new VaultTransitKeyProvider({ address: transit.url, token: 'hvs.wrong', keyName: 'veil' });
    await expect(bad.wrap(key, { tenant: 't' })).rejects.toMatchObject({ code: VeilErrorCode.Key, data: { status: 403 } });
    let now = 0;
    const provider = new VaultTransitKeyProvider({
      address: transit.url,
      appRole: { roleId: transit.roleId, secretId: transit.secretId },
      keyName: 'veil',
      now: () => now,
    });
    const logins = transit.calls.get('login') ?? 0;
    const wrapped = await Promise.all([provider.wrap(key, { tenant: 't' }), provider.wrap(key, { tenant: 't' })]);
    expect(transit.calls.get('login')).toBe(logins + 1);
    transit.revokeTokens();
    now += 3_600_000;
    expect(Array.from(await provider.unwrap(wrapped[0] as never, { tenant: 't' }))).toEqual(Array.from(key));
    expect(transit.calls.get('login')).toBe(logins + 2);
    const wrongRole = new VaultTransitKeyProvider({ address: transit.url, appRole: { roleId: 'x', secretId: 'y' }, keyName: 'veil' });
    await expect(wrongRole.wrap(key, { tenant: 't' })).rejects.toThrow(/approle login failed: HTTP 400 \(invalid role or secret ID\)/);
  });

  it('aws-kms: bad credentials and an unknown key are Key errors', async () => {
    const badCreds = new AwsKmsKeyProvider({
      keyId: 'alias/veil',
      region: 'eu-west-1',
      endpoint: aws.url,
      credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' },
    });
    await expect(badCreds.wrap(key, { tenant: 't' })).rejects.toThrow(/aws-kms Encrypt failed: UnrecognizedClientException/);
    const unknown = new AwsKmsKeyProvider({ keyId: 'alias/nope', region: 'eu-west-1', endpoint: aws.url, credentials: aws.credentials });
    await expect(unknown.wrap(key, { tenant: 't' })).rejects.toMatchObject({ code: VeilErrorCode.Key });
  });

  it('gcp-kms: one token exchange serves many calls; a wrong service-account key is refused', async () => {
    const provider = new GcpKmsKeyProvider({ keyName: gcp.keyName, serviceAccount: gcp.serviceAccount, endpoint: gcp.url });
    const before = gcp.tokensIssued();
    await Promise.all(Array.from({ length: 5 }, () => provider.wrap(key, { tenant: 't' })));
    expect(gcp.tokensIssued()).toBe(before + 1);
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = new GcpKmsKeyProvider({
      keyName: gcp.keyName,
      serviceAccount: { ...gcp.serviceAccount, private_key: stranger },
      endpoint: gcp.url,
    });
    await expect(forged.wrap(key, { tenant: 't' })).rejects.toThrow(/gcp-kms token failed: HTTP 400 \(invalid_grant/);
    expect(() => new GcpKmsKeyProvider({ keyName: 'nope', serviceAccount: gcp.serviceAccount })).toThrow(VeilError);
  });

  it('an unreachable service is a Key error naming the service, not a crash', async () => {
    const down = new VaultTransitKeyProvider({ address: 'http://127.0.0.1:1', token: 't', keyName: 'veil', timeoutMs: 2000 });
    await expect(down.wrap(key, { tenant: 't' })).rejects.toThrow(/vault-transit encrypt: cannot reach http:\/\/127.0.0.1:1/);
  });
});

describe('keyProviderFromEnv (VEIL_KEY_PROVIDER)', () => {
  it('builds each provider from its variables, and Vault.open uses it', async () => {
    const { keyProviderFromEnv } = await import('../../src/vault/keys/from-env.js');
    const { Vault } = await import('../../src/vault/vault.js');
    const { MemoryVaultStore } = await import('../../src/vault/stores/memory.js');
    const { writeFileSync } = await import('node:fs');
    const dataDir = made(join(root, 'env'));
    const saFile = join(dataDir, 'sa.json');
    writeFileSync(saFile, JSON.stringify(gcp.serviceAccount));
    const envs: Record<string, Record<string, string>> = {
      local: {},
      'vault-transit': { VEIL_KEY_PROVIDER: 'vault-transit', VAULT_ADDR: transit.url, VAULT_TOKEN: transit.rootToken },
      'aws-kms': {
        VEIL_KEY_PROVIDER: 'aws-kms',
        VEIL_KMS_KEY_ID: 'alias/veil',
        AWS_REGION: 'eu-west-1',
        VEIL_KMS_ENDPOINT: aws.url,
        AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
      },
      'gcp-kms': { VEIL_KEY_PROVIDER: 'gcp-kms', VEIL_GCP_KMS_KEY: gcp.keyName, GOOGLE_APPLICATION_CREDENTIALS: saFile, VEIL_GCP_KMS_ENDPOINT: gcp.url },
    };
    for (const [kind, env] of Object.entries(envs)) {
      const provider = await keyProviderFromEnv(env, dataDir);
      expect(provider.kind).toBe(kind);
      const vault = await Vault.open({ dataDir, env, store: new MemoryVaultStore() });
      expect(vault.keys.kind).toBe(kind);
      const [token] = await (await vault.openScope({ tenant: 'acme', session: 's' })).tokenize([
        { type: 'EMAIL', value: 'a@b.example', normalized: 'a@b.example' },
      ]);
      expect(token).toBe('EMAIL_1');
      await vault.close();
    }
  });

  it('names the missing variable, and refuses an unknown provider', async () => {
    const { keyProviderFromEnv } = await import('../../src/vault/keys/from-env.js');
    await expect(keyProviderFromEnv({ VEIL_KEY_PROVIDER: 'aws-kms' }, root)).rejects.toThrow('aws-kms needs VEIL_KMS_KEY_ID');
    await expect(keyProviderFromEnv({ VEIL_KEY_PROVIDER: 'vault-transit', VAULT_ADDR: 'http://x' }, root)).rejects.toThrow(/VAULT_TOKEN/);
    await expect(keyProviderFromEnv({ VEIL_KEY_PROVIDER: 'gcp-kms', VEIL_GCP_KMS_KEY: gcp.keyName }, root)).rejects.toThrow(
      'gcp-kms needs GOOGLE_APPLICATION_CREDENTIALS',
    );
    await expect(keyProviderFromEnv({ VEIL_KEY_PROVIDER: 'rot13' }, root)).rejects.toMatchObject({ code: VeilErrorCode.Config });
  });
});
