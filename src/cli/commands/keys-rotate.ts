/**
 * `veil keys rotate`: a new key version, then every tenant's data key re-wrapped with it.
 * Lives in its own module (exported as `runKeysRotate`) so `veil keys` dispatches to it:
 * `if (sub === 'rotate') return runKeysRotate(rest, io);`.
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { recordCliRun } from '../../audit/cli-audit.js';
import type { AuditEventInput } from '../../audit/event.js';
import { KEY_PROVIDER_ENV } from '../../vault/keys/from-env.js';
import { LocalKeyProvider, MASTER_KEY_ENV, RETIRED_KEYS_DIR, RETIRED_KEYS_ENV, rotateLocalMasterKey } from '../../vault/keys/local.js';
import { rewrapDataKeys, type RewrapProgress } from '../../vault/keys/rotate.js';
import { VaultTransitKeyProvider } from '../../vault/keys/vault-transit.js';
import { defaultDataDir, Vault } from '../../vault/vault.js';
import type { CliIO } from '../command.js';
import { guard, parse, UsageError } from '../io.js';

export const KEYS_ROTATE_USAGE = `Usage: veil keys rotate [--tenant T]... [--rewrap-only] [--resume] [--batch N] [--retire-unused] [--no-audit]

Makes a new version of the key that wraps the tenants' data keys, then re-wraps every data
key with it (values are not re-encrypted; old versions stay readable meanwhile):
  local          master.key moves to retired-keys/ and a new master.key is written
  vault-transit  the Transit key is rotated (POST /v1/<mount>/keys/<key>/rotate)
  aws-kms        rotate in KMS (it decrypts old versions itself), or move to another key:
                 VEIL_KMS_KEY_ID=<new> VEIL_KMS_READABLE_KEY_IDS=<old>, then --rewrap-only
  gcp-kms        add a primary version in Cloud KMS, then --rewrap-only

--tenant T     only these tenants' data keys (repeatable)
--rewrap-only  no new version: finish, resume or repeat a rotation
--resume       continue after the last tenant an interrupted run finished
--batch N      data keys read per page (default 100)
--retire-unused  (local) afterwards, delete the retired master keys no data key uses any
               more; only once every gateway has restarted on the new key

Run it again (with --rewrap-only) after every gateway has restarted: a gateway that still
had the old key loaded may have wrapped a new tenant's key with it.`;

const CURSOR_FILE = 'keys-rotate.cursor';

export function runKeysRotate(args: readonly string[], io: CliIO): Promise<number> {
  return guard('keys rotate', KEYS_ROTATE_USAGE, io, () => rotate(args, io));
}

async function rotate(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    tenant: { type: 'string', multiple: true },
    'rewrap-only': { type: 'boolean' },
    resume: { type: 'boolean' },
    batch: { type: 'string' },
    'retire-unused': { type: 'boolean' },
    'no-audit': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('unexpected argument');
  const batchSize = values.batch === undefined ? 100 : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('--batch must be a positive integer');
  const dataDir = defaultDataDir(io.env, io.cwd);
  const kind = io.env[KEY_PROVIDER_ENV]?.trim() || 'local';
  const newVersion = values['rewrap-only'] !== true;
  const cursorFile = join(dataDir, CURSOR_FILE);
  const after = values.resume === true ? await readCursor(cursorFile) : undefined;

  let rotatedTo: string | undefined;
  if (newVersion && kind === 'local') {
    if ((io.env[MASTER_KEY_ENV]?.trim() ?? '') !== '') {
      throw new UsageError(
        `the master key comes from ${MASTER_KEY_ENV}: set the new key there, put the old one in VEIL_MASTER_KEY_RETIRED, then run with --rewrap-only`,
      );
    }
    const { previous, current } = await rotateLocalMasterKey(dataDir);
    io.stderr.write(`new master key ${current} (the previous one, ${previous}, is kept in retired-keys/ for reading)\n`);
    rotatedTo = current;
  } else if (newVersion && kind !== 'vault-transit') {
    throw new UsageError(`${kind}: make the new key version in the KMS itself, then run with --rewrap-only`);
  }

  const vault = await Vault.open({ dataDir, env: io.env });
  let progress: RewrapProgress;
  try {
    if (newVersion && vault.keys instanceof VaultTransitKeyProvider) {
      rotatedTo = await vault.keys.rotate();
      io.stderr.write(`new Transit key version ${rotatedTo}\n`);
    }
    const currentKeyId = vault.keys instanceof LocalKeyProvider ? vault.keys.currentKeyId : rotatedTo;
    let lastShown = 0;
    progress = await rewrapDataKeys({
      store: vault.store,
      from: vault.keys,
      to: vault.keys,
      batchSize,
      after,
      ...(currentKeyId === undefined ? {} : { currentKeyId }),
      ...(values.tenant === undefined ? {} : { tenants: values.tenant }),
      onProgress: (step) => {
        // The cursor is saved as it moves, so an interrupted run resumes where it stopped.
        writeCursor(cursorFile, step.cursor);
        if (step.seen - lastShown >= batchSize || io.stderrIsTTY) {
          lastShown = step.seen;
          io.stderr.write(`${describe(step)}\n`);
        }
      },
    });
    io.stdout.write(`${describe(progress)}\n`);
    if (values['retire-unused'] === true && values.tenant === undefined && progress.failed === 0) {
      await retireUnused(vault, dataDir, io);
    }
  } finally {
    await vault.close();
  }
  if (progress.failed === 0) await rm(cursorFile, { force: true });
  if (progress.failed > 0) {
    io.stdout.write(`could not re-wrap the data keys of: ${progress.failedTenants.join(', ')}\n`);
  }
  if (values['no-audit'] !== true) {
    // One event per run (a --rewrap-only run too), plus the key event when a version was made.
    const outcome = progress.failed === 0 ? 'ok' : 'error';
    const events: AuditEventInput[] = [{ kind: 'cli', tenant: 'veil', command: 'keys-rotate', outcome }];
    if (rotatedTo !== undefined) events.push({ kind: 'key', tenant: 'veil', key: { operation: 'rotate', key_id: rotatedTo }, outcome });
    if (!(await recordCliRun(io, events))) return 1;
  }
  return progress.failed === 0 ? 0 : 1;
}

/** Deletes retired local master-key files that no stored data key names any more. */
async function retireUnused(vault: Vault, dataDir: string, io: CliIO): Promise<void> {
  if (!(vault.keys instanceof LocalKeyProvider)) {
    io.stderr.write(`--retire-unused: ${vault.keys.kind} keys are retired in the key service itself\n`);
    return;
  }
  const inUse = new Set<string>();
  for (let after: string | undefined; ; ) {
    const page = await vault.store.listDataKeys(after, 500);
    for (const { key } of page) inUse.add(key.keyId);
    if (page.length < 500) break;
    after = page[page.length - 1]?.tenant;
  }
  for (const keyId of vault.keys.retiredKeyIds) {
    if (inUse.has(keyId)) {
      io.stdout.write(`kept retired key ${keyId}: data keys still use it\n`);
      continue;
    }
    const file = join(dataDir, RETIRED_KEYS_DIR, `${keyId.replace(':', '-')}.key`);
    if (existsSync(file)) {
      await rm(file);
      io.stdout.write(`retired key ${keyId} deleted (no data key uses it)\n`);
    } else {
      io.stdout.write(`retired key ${keyId} is unused: remove it from ${RETIRED_KEYS_ENV}\n`);
    }
  }
}

function describe(progress: RewrapProgress): string {
  return (
    `data keys: ${progress.seen} seen, ${progress.rewrapped} re-wrapped, ${progress.current} already current, ` +
    `${progress.raced} changed meanwhile, ${progress.failed} failed`
  );
}

function writeCursor(file: string, cursor: string | undefined): void {
  try {
    writeFileSync(file, `${cursor ?? ''}\n`, { mode: 0o600 });
  } catch {
    // Only resuming needs it; the rotation itself goes on.
  }
}

async function readCursor(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).replace(/\n$/, '');
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
