/**
 * One audit event per CLI run (`veil mask`, `unmask`, `scan`, `detect`, `vault`, `keys rotate`):
 * the command, who ran it (the local OS user, as `local:<name>` with role `cli`), per-type
 * counts and token ids, never a value. It goes to the same log as the gateway's events
 * (`createAuditSink`: JSONL in the data dir, or PostgreSQL with `VEIL_AUDIT_PG_URL`), so
 * `veil audit verify` and the compliance report see CLI work too.
 *
 * `VEIL_AUDIT=off` skips the event (a throwaway run, a read-only data dir). A failure to
 * write is reported on stderr and returned; the caller decides whether it changes the exit
 * code. The work itself has already happened and is never undone.
 * @module
 */
import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import { defaultDataDir } from '../vault/vault.js';
import { AuditLog } from './audit-log.js';
import { isAuditIdentifier, isAuditTokenId, type AuditEventInput } from './event.js';
import { createAuditSink } from './open-sink.js';
import type { MaskedEntity } from '../pipeline/mask.js';
import { summarizeMask } from './summarize.js';

export const CLI_AUDIT_ENV = 'VEIL_AUDIT';

export interface CliAuditContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stderr: Writable;
}

/** The event's principal for a CLI run: the OS account, which is who an auditor asks about. */
export function cliPrincipal(): { key_id: string; role: string } {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): the run is still recorded, without a name.
  }
  return { key_id: name !== undefined && isAuditIdentifier(`local:${name}`) ? `local:${name}` : 'local', role: 'cli' };
}

/** `tenant` as given when it can be stored, else `other` (a free-text tenant never reaches the log). */
export function auditTenant(tenant: string | undefined): string {
  const value = tenant ?? 'default';
  return isAuditIdentifier(value) ? value : 'other';
}

/** Counts per type and action plus token ids of a mask result (`summarizeMask` leaves fpe tokens out). */
export function maskFields(result: {
  readonly entities: readonly Pick<MaskedEntity, 'type' | 'action' | 'token'>[];
}): Pick<AuditEventInput, 'entities' | 'token_ids'> {
  const summary = summarizeMask({ entities: result.entities.map(({ type, action, token }) => ({ type, action, token, rule: undefined })) });
  return { entities: summary.entities, token_ids: summary.token_ids };
}

/** Spans per type, for commands that only find (`detect`, `scan`). */
export function foundFields(types: Iterable<string> | Readonly<Record<string, number>>): Pick<AuditEventInput, 'found'> {
  const found: Record<string, number> = {};
  if (Symbol.iterator in types) {
    for (const type of types as Iterable<string>) found[type] = (found[type] ?? 0) + 1;
  } else {
    Object.assign(found, types);
  }
  return { found };
}

export interface CountingScope<T extends object> {
  /** Use this in place of the scope: it answers the same and remembers what was resolved. */
  readonly scope: T;
  /** Tokens (keys upper-case, fpe tokens by digits) that resolved to a value. Kept in memory only. */
  readonly resolved: ReadonlySet<string>;
  /** The resolved tokens that can go into an audit event (no fpe numbers). */
  tokenIds(): string[];
}

/**
 * Wraps a token scope so `veil unmask` can report how many tokens it put back. Everything but
 * the three resolve methods reaches the scope untouched (a Proxy, so the format-token methods
 * the rehydrator looks for stay visible).
 */
export function countingScope<T extends object>(scope: T): CountingScope<T> {
  const resolved = new Set<string>();
  const ids = new Set<string>();
  const counted = (name: string, key: (arg: string) => string, id: boolean) => {
    const method = (scope as Record<string, unknown>)[name];
    if (typeof method !== 'function') return undefined;
    return (arg: string): unknown => {
      const value: unknown = method.call(scope, arg);
      if (value !== undefined) {
        resolved.add(key(arg));
        if (id && isAuditTokenId(key(arg))) ids.add(key(arg));
      }
      return value;
    };
  };
  const wrapped = new Map<PropertyKey, unknown>([
    ['resolve', counted('resolve', (token) => token.toUpperCase(), true)],
    ['resolveOpaque', counted('resolveOpaque', (token) => token.toUpperCase(), true)],
    ['resolveFpeDigits', counted('resolveFpeDigits', (digits) => `fpe:${digits}`, false)],
  ]);
  const proxy = new Proxy(scope, {
    get(target, property) {
      const own = wrapped.get(property);
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, target);
      // Methods run on the real scope: its private fields are not reachable through a proxy.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { scope: proxy, resolved, tokenIds: () => [...ids] };
}

/**
 * Records the run's events (principal filled in when absent) and waits until they are stored.
 * Returns false, after a line on stderr, when they could not be.
 */
export async function recordCliRun(
  context: CliAuditContext,
  events: readonly (Omit<AuditEventInput, 'kind'> & { kind?: AuditEventInput['kind'] })[],
): Promise<boolean> {
  if (context.env[CLI_AUDIT_ENV]?.trim().toLowerCase() === 'off') return true;
  const principal = cliPrincipal();
  const command = events.find((event) => event.command !== undefined && event.command !== null)?.command ?? 'cli';
  try {
    const dataDir = defaultDataDir(context.env, context.cwd);
    const log = await AuditLog.open({ dataDir, sink: createAuditSink({ dataDir, env: context.env }) });
    try {
      for (const event of events) log.record({ kind: 'cli', principal, ...event });
      await log.flush();
    } finally {
      await log.close();
    }
    return true;
  } catch (error) {
    // The message names a field or a file, never a value (see prepareEvent and the sinks).
    context.stderr.write(`veil ${command}: the audit event could not be recorded: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}
