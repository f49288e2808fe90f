/**
 * HashiCorp Vault Transit as the key provider: data keys are encrypted and decrypted by
 * Transit (`POST /v1/<mount>/encrypt/<key>`, `/decrypt/<key>`); Veil stores only Transit's
 * ciphertext (`vault:v<N>:…`), and the key never leaves Vault.
 *
 * - Auth: a token (`X-Vault-Token`), or AppRole (`POST /v1/auth/<path>/login` with role_id and
 *   secret_id), whose token is renewed by logging in again shortly before its lease ends.
 * - Tenant binding: the plaintext sent to Transit is the data key behind a header naming the
 *   tenant (see `bindTenant`); Transit's AES-GCM authenticates it, so a row copied to another
 *   tenant does not unwrap. This needs no `derived` key, so any existing Transit key works.
 * - Rotation: `rotate()` calls `POST /v1/<mount>/keys/<key>/rotate`; new wraps use the new
 *   version (the key id is `vault-transit:<key>:v<N>`), older versions still decrypt until
 *   Vault's `min_decryption_version` is raised.
 * @module
 */
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { KeyProvider, WrappedKey } from '../key-provider.js';
import { bindTenant, requestJson, stringField, unbindTenant, unwrapFailed } from './http.js';

export interface VaultTransitOptions {
  /** e.g. `https://vault.internal:8200` (`VAULT_ADDR`). */
  readonly address: string;
  /** Transit key name. */
  readonly keyName: string;
  /** Transit mount path (default `transit`). */
  readonly mount?: string;
  /** Enterprise namespace (`X-Vault-Namespace`). */
  readonly namespace?: string;
  /** A Vault token; or `appRole`. */
  readonly token?: string;
  readonly appRole?: { readonly roleId: string; readonly secretId: string; readonly mount?: string };
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const SERVICE = 'vault-transit';
const CIPHERTEXT = /^vault:v(\d+):/;

export class VaultTransitKeyProvider implements KeyProvider {
  readonly kind = SERVICE;
  readonly #options: VaultTransitOptions;
  readonly #base: string;
  readonly #now: () => number;
  #token: { value: string; expiresAt: number } | undefined;
  #login: Promise<string> | undefined;

  constructor(options: VaultTransitOptions) {
    if (options.token === undefined && options.appRole === undefined) {
      throw new VeilError(VeilErrorCode.Config, 'vault-transit needs a token or AppRole credentials');
    }
    if (!/^[A-Za-z0-9._-]+$/.test(options.keyName)) {
      throw new VeilError(VeilErrorCode.Config, 'vault-transit key name must be letters, digits, . _ -');
    }
    this.#options = options;
    this.#base = `${options.address.replace(/\/+$/, '')}/v1`;
    this.#now = options.now ?? Date.now;
    if (options.token !== undefined) this.#token = { value: options.token, expiresAt: Number.POSITIVE_INFINITY };
  }

  async wrap(dataKey: Uint8Array, context: { tenant: string }): Promise<WrappedKey> {
    const answer = await this.#call('encrypt', `${this.#mount()}/encrypt/${this.#options.keyName}`, {
      plaintext: bindTenant(context.tenant, dataKey).toString('base64'),
    });
    const ciphertext = stringField(answer, ['data', 'ciphertext'], SERVICE, 'encrypt');
    return { keyId: this.#keyIdOf(ciphertext), wrapped: new Uint8Array(Buffer.from(ciphertext, 'utf8')) };
  }

  async unwrap(key: WrappedKey, context: { tenant: string }): Promise<Uint8Array> {
    const ciphertext = Buffer.from(key.wrapped).toString('utf8');
    if (!CIPHERTEXT.test(ciphertext)) throw unwrapFailed(SERVICE, key.keyId);
    let answer: unknown;
    try {
      answer = await this.#call('decrypt', `${this.#mount()}/decrypt/${this.#options.keyName}`, { ciphertext });
    } catch (error) {
      // Transit answers 400 for a ciphertext that does not authenticate.
      if (VeilError.isInstance(error) && error.data?.['status'] === 400) throw unwrapFailed(SERVICE, key.keyId);
      throw error;
    }
    const plaintext = Buffer.from(stringField(answer, ['data', 'plaintext'], SERVICE, 'decrypt'), 'base64');
    const dataKey = unbindTenant(context.tenant, plaintext);
    plaintext.fill(0);
    if (dataKey === undefined) throw unwrapFailed(SERVICE, key.keyId);
    return dataKey;
  }

  /** Makes a new version of the Transit key; returns the key id new wraps will carry. */
  async rotate(): Promise<string> {
    await this.#call('rotate', `${this.#mount()}/keys/${this.#options.keyName}/rotate`, {});
    const answer = await this.#call('read key', `${this.#mount()}/keys/${this.#options.keyName}`, undefined);
    const latest = (answer as { data?: { latest_version?: unknown } }).data?.latest_version;
    if (typeof latest !== 'number') throw new VeilError(VeilErrorCode.Key, `${SERVICE} read key: the answer has no data.latest_version`);
    return `${SERVICE}:${this.#options.keyName}:v${latest}`;
  }

  #mount(): string {
    return (this.#options.mount ?? 'transit').replace(/^\/+|\/+$/g, '');
  }

  #keyIdOf(ciphertext: string): string {
    const version = CIPHERTEXT.exec(ciphertext)?.[1];
    if (version === undefined) throw new VeilError(VeilErrorCode.Key, `${SERVICE} encrypt: unexpected ciphertext format`);
    return `${SERVICE}:${this.#options.keyName}:v${version}`;
  }

  async #call(operation: string, path: string, body: unknown): Promise<unknown> {
    const token = await this.#currentToken();
    return requestJson({
      service: SERVICE,
      operation,
      url: `${this.#base}/${path}`,
      headers: {
        'x-vault-token': token,
        ...(this.#options.namespace === undefined ? {} : { 'x-vault-namespace': this.#options.namespace }),
      },
      body,
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
      ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
    });
  }

  async #currentToken(): Promise<string> {
    if (this.#token !== undefined && this.#token.expiresAt > this.#now()) return this.#token.value;
    // One login for all concurrent callers.
    this.#login ??= this.#appRoleLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #appRoleLogin(): Promise<string> {
    const appRole = this.#options.appRole;
    if (appRole === undefined) throw new VeilError(VeilErrorCode.Key, `${SERVICE}: the token expired and no AppRole is configured`);
    const answer = await requestJson({
      service: SERVICE,
      operation: 'approle login',
      url: `${this.#base}/auth/${(appRole.mount ?? 'approle').replace(/^\/+|\/+$/g, '')}/login`,
      headers: this.#options.namespace === undefined ? {} : { 'x-vault-namespace': this.#options.namespace },
      body: { role_id: appRole.roleId, secret_id: appRole.secretId },
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
      ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
    });
    const token = stringField(answer, ['auth', 'client_token'], SERVICE, 'approle login');
    const lease = (answer as { auth?: { lease_duration?: unknown } }).auth?.lease_duration;
    // Log in again at 80% of the lease, so a request never carries a token about to expire.
    const ttlMs = typeof lease === 'number' && lease > 0 ? lease * 800 : 5 * 60_000;
    this.#token = { value: token, expiresAt: this.#now() + ttlMs };
    return token;
  }
}
