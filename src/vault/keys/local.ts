/**
 * The default key provider: one local master key wraps every tenant's data key.
 *
 * The master key comes from, in order: an explicit base64 string, `VEIL_MASTER_KEY` (base64 of
 * 32 bytes), or `<dataDir>/master.key`, which is generated on first use with mode 0600. Only
 * wrapped data keys are ever stored next to the values, so a copy of `vault.db` without the
 * master key reveals nothing.
 *
 * Rotation: `rotateLocalMasterKey` moves the current key file into `<dataDir>/retired-keys/`
 * and writes a new `master.key`. The provider wraps with the current key and unwraps with
 * whichever key (current or retired) a wrapped key names; `VEIL_MASTER_KEY_RETIRED` (base64
 * keys, comma-separated) does the same for keys given through the environment. Once every data
 * key is re-wrapped (`rewrapDataKeys`), a retired key can be deleted.
 * @module
 */
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { KeyProvider, WrappedKey } from '../key-provider.js';
import { keyFingerprint, openBytes, sealBytes } from '../crypto.js';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';
export const MASTER_KEY_ENV = 'VEIL_MASTER_KEY';
export const RETIRED_KEYS_ENV = 'VEIL_MASTER_KEY_RETIRED';
export const RETIRED_KEYS_DIR = 'retired-keys';

const WRAP_AAD_PREFIX = 'veil/data-key-wrap/v1\u0000';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export interface LocalKeyOptions {
  /** Where `master.key` lives (or is created) when no key is given. */
  readonly dataDir: string;
  /** Base64 master key; wins over the environment and the key file. */
  readonly masterKey?: string;
  /** Environment to read `VEIL_MASTER_KEY` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class LocalKeyProvider implements KeyProvider {
  readonly kind = 'local';
  /** `local:` + a short fingerprint of the master key (never the key). */
  readonly keyId: string;
  /** Where the key came from, for diagnostics: `option`, `env` or the key file path. */
  readonly source: string;
  readonly #masterKey: Buffer;
  /** key id → retired master key, still used to unwrap. */
  readonly #retired = new Map<string, Buffer>();

  constructor(masterKey: Uint8Array, source = 'option', retired: readonly Uint8Array[] = []) {
    if (masterKey.length !== MASTER_KEY_BYTES) {
      throw new VeilError(VeilErrorCode.Key, `master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
    }
    // A private copy: the caller may zero or reuse its buffer.
    this.#masterKey = Buffer.from(masterKey);
    this.keyId = localKeyId(this.#masterKey);
    this.source = source;
    for (const old of retired) {
      if (old.length !== MASTER_KEY_BYTES) {
        throw new VeilError(VeilErrorCode.Key, `a retired master key must be ${MASTER_KEY_BYTES} bytes, got ${old.length}`);
      }
      const id = localKeyId(old);
      if (id !== this.keyId) this.#retired.set(id, Buffer.from(old));
    }
  }

  /** The key id new wraps carry (rotation skips data keys that already have it). */
  get currentKeyId(): string {
    return this.keyId;
  }

  /** Ids of the retired keys this provider can still unwrap with. */
  get retiredKeyIds(): string[] {
    return [...this.#retired.keys()];
  }

  async #learnKeysOnDisk(dataDir: string): Promise<void> {
    const found = [...(await retiredFromDir(dataDir))];
    try {
      found.push(parseMasterKey(await readFile(join(dataDir, MASTER_KEY_FILE), 'utf8'), MASTER_KEY_FILE));
    } catch {
      // A key file being rewritten right now: the caller reports the unknown key id.
    }
    for (const candidate of found) {
      const id = localKeyId(candidate);
      if (id !== this.keyId && candidate.length === MASTER_KEY_BYTES) this.#retired.set(id, Buffer.from(candidate));
    }
  }

  /** Resolves the master key (option, env, key file — in that order) and returns the provider. */
  static async open(options: LocalKeyOptions): Promise<LocalKeyProvider> {
    const env = options.env ?? process.env;
    const retired = [...retiredFromEnv(env), ...(await retiredFromDir(options.dataDir))];
    if (options.masterKey !== undefined) {
      return new LocalKeyProvider(parseMasterKey(options.masterKey, 'the masterKey option'), 'option', retired);
    }
    const fromEnv = env[MASTER_KEY_ENV]?.trim();
    if (fromEnv !== undefined && fromEnv !== '') {
      return new LocalKeyProvider(parseMasterKey(fromEnv, MASTER_KEY_ENV), 'env', retired);
    }
    const file = join(options.dataDir, MASTER_KEY_FILE);
    return new LocalKeyProvider(await loadOrCreateKeyFile(file), file, retired);
  }

  async wrap(dataKey: Uint8Array, context: { tenant: string }): Promise<WrappedKey> {
    // The tenant is bound as AAD: a wrapped key copied to another tenant's row will not unwrap.
    return { keyId: this.keyId, wrapped: sealBytes(this.#masterKey, dataKey, wrapAad(context.tenant)) };
  }

  async unwrap(key: WrappedKey, context: { tenant: string }): Promise<Uint8Array> {
    let masterKey = key.keyId === this.keyId ? this.#masterKey : this.#retired.get(key.keyId);
    if (masterKey === undefined && this.source.endsWith(MASTER_KEY_FILE)) {
      // Another process (veil keys rotate) may have rotated since this one started: the key file
      // then holds the newer key and retired-keys/ the older ones. Learn them, for unwrapping only.
      await this.#learnKeysOnDisk(dirname(this.source));
      masterKey = this.#retired.get(key.keyId);
    }
    if (masterKey === undefined) {
      throw new VeilError(
        VeilErrorCode.Key,
        `the tenant's data key was wrapped by master key ${key.keyId}, but the configured master key is ${this.keyId}` +
          ` (check ${MASTER_KEY_ENV} or ${MASTER_KEY_FILE}, and ${RETIRED_KEYS_DIR}/ or ${RETIRED_KEYS_ENV} for rotated keys)`,
        { data: { expectedKeyId: key.keyId, keyId: this.keyId } },
      );
    }
    const dataKey = openBytes(masterKey, key.wrapped, wrapAad(context.tenant));
    if (dataKey === undefined) {
      throw new VeilError(VeilErrorCode.Key, 'a wrapped data key could not be unwrapped (corrupted or tampered)', {
        data: { keyId: key.keyId },
      });
    }
    return dataKey;
  }
}

/** Parses a base64 (or base64url) master key; the error names where it came from, never the value. */
export function parseMasterKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed) && !BASE64URL.test(trimmed)) {
    throw new VeilError(VeilErrorCode.Key, `${origin} is not valid base64 (expected base64 of ${MASTER_KEY_BYTES} random bytes)`);
  }
  const bytes = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (bytes.length !== MASTER_KEY_BYTES) {
    throw new VeilError(
      VeilErrorCode.Key,
      `${origin} must decode to exactly ${MASTER_KEY_BYTES} bytes, got ${bytes.length} (generate one with: openssl rand -base64 32)`,
    );
  }
  return bytes;
}

/**
 * Makes a new master key version in `<dataDir>`: the current `master.key` moves to
 * `retired-keys/<fingerprint>.key` (kept for unwrapping) and a new `master.key` is written.
 * Only for the key file; a key given by `VEIL_MASTER_KEY` is rotated by the operator (set the
 * new one, move the old one to `VEIL_MASTER_KEY_RETIRED`). Returns the old and new key ids.
 */
export async function rotateLocalMasterKey(dataDir: string): Promise<{ previous: string; current: string }> {
  const file = join(dataDir, MASTER_KEY_FILE);
  const old = await loadOrCreateKeyFile(file);
  const previous = localKeyId(old);
  const dir = join(dataDir, RETIRED_KEYS_DIR);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // rename keeps the file's 0600 mode; the new master.key is created fresh with `wx`.
    await rename(file, join(dir, `${previous.replace(':', '-')}.key`));
  } catch (error) {
    throw keyFileError(file, error);
  }
  const current = localKeyId(await loadOrCreateKeyFile(file));
  return { previous, current };
}

function localKeyId(key: Uint8Array): string {
  return `local:${keyFingerprint(key)}`;
}

function retiredFromEnv(env: Readonly<Record<string, string | undefined>>): Buffer[] {
  const text = env[RETIRED_KEYS_ENV]?.trim();
  if (text === undefined || text === '') return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => parseMasterKey(part, `${RETIRED_KEYS_ENV} entry ${index + 1}`));
}

async function retiredFromDir(dataDir: string): Promise<Buffer[]> {
  const dir = join(dataDir, RETIRED_KEYS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.key')).sort();
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw keyFileError(dir, error);
  }
  const keys: Buffer[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      keys.push(parseMasterKey(await readFile(path, 'utf8'), path));
    } catch (error) {
      if (VeilError.isInstance(error)) throw error;
      throw keyFileError(path, error);
    }
  }
  return keys;
}

/** A new random master key, base64-encoded (what `master.key` and `VEIL_MASTER_KEY` hold). */
export function generateMasterKey(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64');
}

/**
 * Reads the key file, or creates it. Creation uses the `wx` flag so that of several processes
 * starting at once exactly one writes the key and the others read it; a reader that comes in
 * between the winner's create and write sees a short file and retries briefly.
 */
async function loadOrCreateKeyFile(file: string): Promise<Buffer> {
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      const key = randomBytes(MASTER_KEY_BYTES);
      await handle.writeFile(`${key.toString('base64')}\n`, 'utf8');
      await handle.sync();
      return key;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw keyFileError(file, error);
  }
  const expectedLength = Math.ceil(MASTER_KEY_BYTES / 3) * 4;
  for (let attempt = 0; ; attempt += 1) {
    let text: string;
    let age: number;
    try {
      text = (await readFile(file, 'utf8')).trim();
      age = Date.now() - (await stat(file)).mtimeMs;
    } catch (error) {
      throw keyFileError(file, error);
    }
    // Only a file written moments ago can still be in the middle of its creation; an old
    // short file is simply broken and reported at once.
    const beingWritten = text.length < expectedLength && age < 2000 && attempt < 50;
    if (!beingWritten) return parseMasterKey(text, file);
    await sleep(20);
  }
}

function keyFileError(file: string, cause: unknown): VeilError {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : 'unknown';
  return new VeilError(VeilErrorCode.Key, `cannot read or create the master key file ${file} (${code})`, { cause });
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function wrapAad(tenant: string): Buffer {
  return Buffer.from(WRAP_AAD_PREFIX + tenant, 'utf8');
}
