/**
 * The instance's Ed25519 signing key, which signs audit checkpoints and compliance reports.
 *
 * Generated on first start into `<dataDir>/audit-signing.key` (PKCS#8 PEM, mode 0600) unless
 * `VEIL_AUDIT_KEY_FILE` names another file — replicas that should share one signer mount the
 * same key there. The public key is what auditors keep (`veil audit pubkey`).
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VeilError, VeilErrorCode } from '../core/errors.js';

export const SIGNING_KEY_FILE = 'audit-signing.key';
export const SIGNING_KEY_FILE_ENV = 'VEIL_AUDIT_KEY_FILE';

export interface SigningKey {
  /** `ed25519:` + first 16 hex of SHA-256 over the public key (SPKI DER). */
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly publicKey: KeyObject;
  /** Detached Ed25519 signature, base64. */
  sign(data: string | Buffer): string;
}

/** A public key that verifies signatures: the instance's own, or one an auditor trusts. */
export interface VerifyingKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function signingKeyFromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new VeilError(VeilErrorCode.Key, `the audit signing key must be Ed25519, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey).toString('base64'),
  };
}

/** Parses a PEM public key (SPKI) into a verifying key. */
export function verifyingKeyFromPem(pem: string): VerifyingKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (cause) {
    throw new VeilError(VeilErrorCode.Key, 'not a PEM public key', { cause });
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new VeilError(VeilErrorCode.Key, 'the public key is not Ed25519');
  }
  return { keyId: keyIdOf(publicKey), publicKey };
}

export function verifySignature(key: VerifyingKey | KeyObject, data: string | Buffer, signatureBase64: string): boolean {
  const publicKey = 'keyId' in key ? key.publicKey : key;
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export interface SigningKeyOptions {
  readonly dataDir: string;
  /** Explicit key file; wins over `VEIL_AUDIT_KEY_FILE` and the data dir. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Only read: fail instead of generating when the file is missing (CLI readers). */
  readonly create?: boolean;
}

export function signingKeyPath(options: SigningKeyOptions): string {
  const fromEnv = (options.env ?? process.env)[SIGNING_KEY_FILE_ENV]?.trim();
  return options.file ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(options.dataDir, SIGNING_KEY_FILE));
}

/**
 * Loads the signing key, generating it on first use. Creation uses `wx` so that of several
 * processes starting at once exactly one writes the key; the others read it.
 */
export async function loadSigningKey(options: SigningKeyOptions): Promise<SigningKey> {
  const file = signingKeyPath(options);
  if (options.create !== false) {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        const { privateKey } = generateKeyPairSync('ed25519');
        await handle.writeFile(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'utf8');
        await handle.sync();
        // The umask may have widened nothing, but an explicit chmod documents the intent.
        await chmod(file, 0o600);
        return signingKeyFromPrivate(privateKey);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw keyError(file, error);
    }
  }
  for (let attempt = 0; ; attempt += 1) {
    let text: string;
    try {
      if (process.platform !== 'win32') {
        const mode = (await stat(file)).mode & 0o077;
        if (mode !== 0) {
          throw new VeilError(
            VeilErrorCode.Key,
            `the audit signing key ${file} is readable by group or others (mode ${((await stat(file)).mode & 0o777).toString(8)}); run chmod 600 on it`,
          );
        }
      }
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (VeilError.isInstance(error)) throw error;
      throw keyError(file, error);
    }
    if (text.includes('-----END PRIVATE KEY-----') || attempt >= 50) {
      try {
        return signingKeyFromPrivate(createPrivateKey(text));
      } catch (cause) {
        if (VeilError.isInstance(cause)) throw cause;
        throw new VeilError(VeilErrorCode.Key, `the audit signing key ${file} is not a PEM private key`, { cause });
      }
    }
    // Another process created the file and is still writing it.
    await sleep(20);
  }
}

function keyError(file: string, cause: unknown): VeilError {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : 'unknown';
  const hint = code === 'ENOENT' ? ' (no key yet: it is created when the gateway first starts)' : '';
  return new VeilError(VeilErrorCode.Key, `cannot read or create the audit signing key ${file} (${code})${hint}`, { cause });
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
