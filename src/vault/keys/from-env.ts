/**
 * Chooses and builds the key provider from the environment, so a deployment switches from the
 * local master key to a KMS without code: `VEIL_KEY_PROVIDER` = `local` (default),
 * `vault-transit`, `aws-kms` or `gcp-kms`, each with its own variables (see docs/vault.md).
 * Errors name the missing variable, never a value.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { KeyProvider } from '../key-provider.js';
import { AwsKmsKeyProvider } from './aws-kms.js';
import { GcpKmsKeyProvider, type GcpServiceAccount } from './gcp-kms.js';
import { LocalKeyProvider } from './local.js';
import { VaultTransitKeyProvider } from './vault-transit.js';

export const KEY_PROVIDER_ENV = 'VEIL_KEY_PROVIDER';
export const KEY_PROVIDERS = ['local', 'vault-transit', 'aws-kms', 'gcp-kms'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** The provider `VEIL_KEY_PROVIDER` names (local when unset). */
export async function keyProviderFromEnv(env: Env, dataDir: string, masterKey?: string): Promise<KeyProvider> {
  const kind = get(env, KEY_PROVIDER_ENV) ?? 'local';
  switch (kind) {
    case 'local':
      return LocalKeyProvider.open({ dataDir, env, ...(masterKey === undefined ? {} : { masterKey }) });
    case 'vault-transit': {
      const token = get(env, 'VAULT_TOKEN');
      const roleId = get(env, 'VEIL_TRANSIT_ROLE_ID');
      const secretId = get(env, 'VEIL_TRANSIT_SECRET_ID');
      if (token === undefined && (roleId === undefined || secretId === undefined)) {
        throw configError('vault-transit needs VAULT_TOKEN, or VEIL_TRANSIT_ROLE_ID and VEIL_TRANSIT_SECRET_ID (AppRole)');
      }
      const namespace = get(env, 'VAULT_NAMESPACE');
      const mount = get(env, 'VEIL_TRANSIT_MOUNT');
      return new VaultTransitKeyProvider({
        address: required(env, 'VAULT_ADDR', kind),
        keyName: get(env, 'VEIL_TRANSIT_KEY') ?? 'veil',
        ...(mount === undefined ? {} : { mount }),
        ...(namespace === undefined ? {} : { namespace }),
        ...(token !== undefined ? { token } : { appRole: { roleId: roleId ?? '', secretId: secretId ?? '' } }),
      });
    }
    case 'aws-kms': {
      const region = get(env, 'AWS_REGION') ?? get(env, 'AWS_DEFAULT_REGION');
      const endpoint = get(env, 'VEIL_KMS_ENDPOINT');
      const accessKeyId = get(env, 'AWS_ACCESS_KEY_ID');
      const secretAccessKey = get(env, 'AWS_SECRET_ACCESS_KEY');
      const sessionToken = get(env, 'AWS_SESSION_TOKEN');
      const readable = get(env, 'VEIL_KMS_READABLE_KEY_IDS');
      return new AwsKmsKeyProvider({
        keyId: required(env, 'VEIL_KMS_KEY_ID', kind),
        ...(region === undefined ? {} : { region }),
        ...(endpoint === undefined ? {} : { endpoint }),
        // Static keys when the given environment has them; otherwise the SDK's own chain.
        ...(accessKeyId === undefined || secretAccessKey === undefined
          ? {}
          : { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } }),
        ...(readable === undefined ? {} : { readableKeyIds: readable.split(',').map((id) => id.trim()).filter(Boolean) }),
      });
    }
    case 'gcp-kms': {
      const file = required(env, 'GOOGLE_APPLICATION_CREDENTIALS', kind);
      const endpoint = get(env, 'VEIL_GCP_KMS_ENDPOINT');
      return new GcpKmsKeyProvider({
        keyName: required(env, 'VEIL_GCP_KMS_KEY', kind),
        serviceAccount: await readServiceAccount(file),
        ...(endpoint === undefined ? {} : { endpoint }),
      });
    }
    default:
      throw configError(`${KEY_PROVIDER_ENV} must be one of ${KEY_PROVIDERS.join(', ')}`);
  }
}

async function readServiceAccount(file: string): Promise<GcpServiceAccount> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new VeilError(VeilErrorCode.Config, `cannot read the service-account key file ${file} (GOOGLE_APPLICATION_CREDENTIALS)`, { cause });
  }
  const account = parsed as Partial<GcpServiceAccount> & { type?: unknown };
  if (typeof account.client_email !== 'string' || typeof account.private_key !== 'string') {
    throw new VeilError(VeilErrorCode.Config, `${file} is not a service-account key file (no client_email or private_key)`);
  }
  return {
    client_email: account.client_email,
    private_key: account.private_key,
    ...(typeof account.private_key_id === 'string' ? { private_key_id: account.private_key_id } : {}),
    ...(typeof account.token_uri === 'string' ? { token_uri: account.token_uri } : {}),
  };
}

function get(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Env, name: string, kind: string): string {
  const value = get(env, name);
  if (value === undefined) throw configError(`${kind} needs ${name}`);
  return value;
}

function configError(message: string): VeilError {
  return new VeilError(VeilErrorCode.Config, message, { data: { field: KEY_PROVIDER_ENV } });
}
