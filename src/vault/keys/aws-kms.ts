/**
 * AWS KMS as the key provider: data keys are encrypted with `Encrypt` and opened with
 * `Decrypt` (@aws-sdk/client-kms); Veil stores only the ciphertext blob.
 *
 * - Tenant binding: the tenant goes into the KMS encryption context (`veil:tenant`), which KMS
 *   authenticates and CloudTrail logs: a blob copied to another tenant's row does not decrypt,
 *   and every unwrap is attributable to a tenant in the audit trail.
 * - Veil makes its own data keys (the vault needs them before it knows a provider's quirks),
 *   so it calls Encrypt rather than GenerateDataKey; the two are equivalent in what is stored.
 * - Credentials, region and retries come from the SDK's usual chain (env, profile, IMDS, …);
 *   `endpoint` overrides the service URL (VPC endpoints, LocalStack, tests).
 * - Rotation: KMS rotates key material behind the same key id and decrypts old blobs
 *   transparently; to move tenants to another KMS key, `rotate` re-wraps with a provider
 *   configured for it.
 * @module
 */
import { DecryptCommand, EncryptCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { KeyProvider, WrappedKey } from '../key-provider.js';
import { unwrapFailed } from './http.js';

export interface AwsKmsOptions {
  /** Key id, ARN, alias name or alias ARN. */
  readonly keyId: string;
  readonly region?: string;
  /** Service URL override. */
  readonly endpoint?: string;
  /** Static credentials (default: the SDK's provider chain). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /**
   * Other keys (ids or ARNs) whose wraps this provider may still unwrap: the old key while
   * `rotate` moves tenants to a new KMS key. Anything else is refused, even where IAM would
   * allow it, so a misconfigured gateway cannot read another deployment's tenants.
   */
  readonly readableKeyIds?: readonly string[];
  /** A client to use instead (tests, custom middleware). */
  readonly client?: KMSClient;
}

const SERVICE = 'aws-kms';
const CONTEXT_KEY = 'veil:tenant';

export class AwsKmsKeyProvider implements KeyProvider {
  readonly kind = SERVICE;
  readonly #keyId: string;
  readonly #readable: ReadonlySet<string>;
  readonly #client: KMSClient;

  constructor(options: AwsKmsOptions) {
    if (options.keyId === '') throw new VeilError(VeilErrorCode.Config, 'aws-kms needs a key id');
    this.#keyId = options.keyId;
    this.#readable = new Set(options.readableKeyIds ?? []);
    const config: KMSClientConfig = {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    };
    this.#client = options.client ?? new KMSClient(config);
  }

  async wrap(dataKey: Uint8Array, context: { tenant: string }): Promise<WrappedKey> {
    const answer = await this.#send('Encrypt', () =>
      this.#client.send(
        new EncryptCommand({ KeyId: this.#keyId, Plaintext: dataKey, EncryptionContext: { [CONTEXT_KEY]: context.tenant } }),
      ),
    );
    if (answer.CiphertextBlob === undefined) throw new VeilError(VeilErrorCode.Key, `${SERVICE} Encrypt: no CiphertextBlob`);
    // The key's ARN as KMS reports it: stable whether the configuration named an alias or an id.
    return { keyId: `${SERVICE}:${answer.KeyId ?? this.#keyId}`, wrapped: new Uint8Array(answer.CiphertextBlob) };
  }

  async unwrap(key: WrappedKey, context: { tenant: string }): Promise<Uint8Array> {
    const wrappedBy = key.keyId.startsWith(`${SERVICE}:`) ? key.keyId.slice(SERVICE.length + 1) : undefined;
    try {
      const answer = await this.#client.send(
        new DecryptCommand({
          CiphertextBlob: key.wrapped,
          // Naming the key makes KMS refuse a blob made under any other key: the configured
          // key, or the key that wrapped it when that one is explicitly allowed.
          KeyId: wrappedBy !== undefined && this.#readable.has(wrappedBy) ? wrappedBy : this.#keyId,
          EncryptionContext: { [CONTEXT_KEY]: context.tenant },
        }),
      );
      if (answer.Plaintext === undefined) throw unwrapFailed(SERVICE, key.keyId);
      return new Uint8Array(answer.Plaintext);
    } catch (error) {
      if (VeilError.isInstance(error)) throw error;
      const name = errorName(error);
      if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') throw unwrapFailed(SERVICE, key.keyId);
      throw kmsError('Decrypt', error);
    }
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw kmsError(operation, error);
    }
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function kmsError(operation: string, error: unknown): VeilError {
  const name = errorName(error) ?? 'unknown';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 300) : '';
  return new VeilError(VeilErrorCode.Key, `${SERVICE} ${operation} failed: ${name}${message === '' ? '' : ` (${message})`}`, {
    cause: error,
    data: { service: SERVICE, operation, ...(status === undefined ? {} : { status }) },
  });
}
