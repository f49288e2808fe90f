/**
 * The `vault:` section of `veil.yaml` and its environment variables, for `veil serve`:
 *
 *   vault:
 *     store: postgres                 # or sqlite (default: postgres when a url is given)
 *     url: postgres://veil@db/veil    # VEIL_VAULT_URL wins
 *     schema: veil_vault              # VEIL_VAULT_SCHEMA wins
 *     ttl_seconds: 86400              # default TTL of session tokens; VEIL_VAULT_TTL_SECONDS wins
 *     purge_interval_seconds: 300     # TTL purge job; off (or 0) disables; VEIL_VAULT_PURGE_INTERVAL_SECONDS wins
 *
 * The environment wins over the file, as for every other gateway setting.
 * @module
 */
import { z } from 'zod';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { VAULT_SCHEMA_ENV, VAULT_TTL_ENV, VAULT_URL_ENV } from './vault.js';

export const VAULT_PURGE_INTERVAL_ENV = 'VEIL_VAULT_PURGE_INTERVAL_SECONDS';
/** Often enough that expired values do not linger, rare enough to cost nothing (one indexed DELETE). */
export const DEFAULT_PURGE_INTERVAL_SECONDS = 300;

export interface VaultSettings {
  /** PostgreSQL connection string; undefined: SQLite in the data dir. */
  readonly url?: string;
  readonly schema?: string;
  readonly ttlSeconds?: number;
  /** Purge job interval in seconds; null: no purge job. */
  readonly purgeIntervalSeconds: number | null;
}

const positiveSeconds = z.number().positive().finite();

const sectionSchema = z
  .object({
    store: z.enum(['sqlite', 'postgres']).optional(),
    url: z.string().min(1).optional(),
    schema: z.string().min(1).optional(),
    ttl_seconds: positiveSeconds.optional(),
    purge_interval_seconds: z.union([z.number().nonnegative().finite(), z.literal('off'), z.literal(false)]).optional(),
  })
  .strict();

/** Reads the section (`undefined` when the file has none) and the environment. */
export function resolveVaultSettings(section: unknown, env: Readonly<Record<string, string | undefined>>): VaultSettings {
  const parsed = sectionSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.join('.');
    throw new VeilError(VeilErrorCode.Config, `veil.yaml vault.${key ?? ''}: ${issue?.message ?? 'invalid'}`, {
      data: { field: `vault.${key ?? ''}` },
    });
  }
  const file = parsed.data;
  const url = nonEmpty(env[VAULT_URL_ENV]) ?? file.url;
  if (file.store === 'postgres' && url === undefined) {
    throw new VeilError(VeilErrorCode.Config, `vault.store is postgres but no vault.url or ${VAULT_URL_ENV} is set`, {
      data: { field: 'vault.url' },
    });
  }
  const envTtl = nonEmpty(env[VAULT_TTL_ENV]);
  const schema = nonEmpty(env[VAULT_SCHEMA_ENV]) ?? file.schema;
  const ttlSeconds = envTtl === undefined ? file.ttl_seconds : undefined;
  const purgeIntervalSeconds = purgeInterval(nonEmpty(env[VAULT_PURGE_INTERVAL_ENV]) ?? file.purge_interval_seconds);
  return {
    // A file that says sqlite keeps SQLite even when the url is left in it.
    ...(url === undefined || (file.store === 'sqlite' && nonEmpty(env[VAULT_URL_ENV]) === undefined) ? {} : { url }),
    ...(schema === undefined ? {} : { schema }),
    // VEIL_VAULT_TTL_SECONDS is read by the vault itself (and wins); the file's value fills in.
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    purgeIntervalSeconds,
  };
}

function purgeInterval(value: string | number | false | undefined): number | null {
  if (value === undefined) return DEFAULT_PURGE_INTERVAL_SECONDS;
  if (value === false || value === 'off' || value === 0 || value === '0') return null;
  const seconds = typeof value === 'number' ? value : Number(value);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new VeilError(VeilErrorCode.Config, `${VAULT_PURGE_INTERVAL_ENV} must be a number of seconds, or off`, {
      data: { field: VAULT_PURGE_INTERVAL_ENV },
    });
  }
  return seconds;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
