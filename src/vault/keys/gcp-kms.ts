/**
 * Google Cloud KMS as the key provider, over its REST API: `POST
 * {endpoint}/v1/{cryptoKey}:encrypt` and `:decrypt`, authenticated with an OAuth access token
 * obtained from a service account (a JWT signed with the account's private key, via `jose`,
 * exchanged at the account's `token_uri`). Veil stores only KMS's ciphertext.
 *
 * - Tenant binding: the tenant is KMS's `additionalAuthenticatedData`, so a ciphertext copied
 *   to another tenant's row does not decrypt.
 * - The key id is the CryptoKeyVersion that encrypted (`…/cryptoKeyVersions/N`). KMS decrypts
 *   with whichever version made the ciphertext, so rotating (a new primary version) keeps old
 *   wraps readable until their version is disabled; `rotate` re-wraps them onto the primary.
 * @module
 */
import { importPKCS8, SignJWT } from 'jose';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { KeyProvider, WrappedKey } from '../key-provider.js';
import { requestJson, stringField, unwrapFailed } from './http.js';

export interface GcpServiceAccount {
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  /** Default `https://oauth2.googleapis.com/token`. */
  readonly token_uri?: string;
}

export interface GcpKmsOptions {
  /** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
  readonly keyName: string;
  /** The parsed service-account JSON key file. */
  readonly serviceAccount: GcpServiceAccount;
  /** Default `https://cloudkms.googleapis.com`. */
  readonly endpoint?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const SERVICE = 'gcp-kms';
const SCOPE = 'https://www.googleapis.com/auth/cloudkms';
const KEY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

export class GcpKmsKeyProvider implements KeyProvider {
  readonly kind = SERVICE;
  readonly #options: GcpKmsOptions;
  readonly #endpoint: string;
  readonly #now: () => number;
  #token: { value: string; expiresAt: number } | undefined;
  #fetching: Promise<string> | undefined;

  constructor(options: GcpKmsOptions) {
    if (!KEY_NAME.test(options.keyName)) {
      throw new VeilError(VeilErrorCode.Config, 'gcp-kms key name must be projects/P/locations/L/keyRings/R/cryptoKeys/K');
    }
    if (options.serviceAccount.client_email === '' || options.serviceAccount.private_key === '') {
      throw new VeilError(VeilErrorCode.Config, 'gcp-kms needs a service account with client_email and private_key');
    }
    this.#options = options;
    this.#endpoint = (options.endpoint ?? 'https://cloudkms.googleapis.com').replace(/\/+$/, '');
    this.#now = options.now ?? Date.now;
  }

  async wrap(dataKey: Uint8Array, context: { tenant: string }): Promise<WrappedKey> {
    const answer = await this.#call('encrypt', {
      plaintext: Buffer.from(dataKey).toString('base64'),
      additionalAuthenticatedData: aad(context.tenant),
    });
    const version = stringField(answer, ['name'], SERVICE, 'encrypt');
    const ciphertext = stringField(answer, ['ciphertext'], SERVICE, 'encrypt');
    return { keyId: `${SERVICE}:${version}`, wrapped: new Uint8Array(Buffer.from(ciphertext, 'base64')) };
  }

  async unwrap(key: WrappedKey, context: { tenant: string }): Promise<Uint8Array> {
    let answer: unknown;
    try {
      answer = await this.#call('decrypt', {
        ciphertext: Buffer.from(key.wrapped).toString('base64'),
        additionalAuthenticatedData: aad(context.tenant),
      });
    } catch (error) {
      // KMS answers 400 INVALID_ARGUMENT for a ciphertext that does not authenticate.
      if (VeilError.isInstance(error) && error.data?.['status'] === 400) throw unwrapFailed(SERVICE, key.keyId);
      throw error;
    }
    return new Uint8Array(Buffer.from(stringField(answer, ['plaintext'], SERVICE, 'decrypt'), 'base64'));
  }

  async #call(operation: 'encrypt' | 'decrypt', body: unknown): Promise<unknown> {
    const token = await this.#accessToken();
    return requestJson({
      service: SERVICE,
      operation,
      url: `${this.#endpoint}/v1/${this.#options.keyName}:${operation}`,
      headers: { authorization: `Bearer ${token}` },
      body,
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
      ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
    });
  }

  async #accessToken(): Promise<string> {
    if (this.#token !== undefined && this.#token.expiresAt > this.#now()) return this.#token.value;
    this.#fetching ??= this.#exchange().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  /** OAuth 2.0 JWT bearer grant (RFC 7523), as Google documents for service accounts. */
  async #exchange(): Promise<string> {
    const account = this.#options.serviceAccount;
    const tokenUri = account.token_uri ?? 'https://oauth2.googleapis.com/token';
    let assertion: string;
    try {
      const key = await importPKCS8(account.private_key, 'RS256');
      const issuedAt = Math.floor(this.#now() / 1000);
      assertion = await new SignJWT({ scope: SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.private_key_id === undefined ? {} : { kid: account.private_key_id }) })
        .setIssuer(account.client_email)
        .setAudience(tokenUri)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 3600)
        .sign(key);
    } catch (cause) {
      throw new VeilError(VeilErrorCode.Key, `${SERVICE}: cannot sign the service-account assertion (is private_key a PKCS#8 PEM?)`, {
        cause,
      });
    }
    const answer = await requestJson({
      service: SERVICE,
      operation: 'token',
      url: tokenUri,
      form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
      ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
    });
    const token = stringField(answer, ['access_token'], SERVICE, 'token');
    const expiresIn = (answer as { expires_in?: unknown }).expires_in;
    // Refresh a minute early so no request carries a token that expires in flight.
    const ttlMs = typeof expiresIn === 'number' && expiresIn > 120 ? (expiresIn - 60) * 1000 : 60_000;
    this.#token = { value: token, expiresAt: this.#now() + ttlMs };
    return token;
  }
}

function aad(tenant: string): string {
  return Buffer.from(`veil/data-key/v1\u0000${tenant}`, 'utf8').toString('base64');
}
