/**
 * `veil vault`: erasure and housekeeping of the token vault (SQLite in the data dir, or
 * PostgreSQL when `VEIL_VAULT_URL` is set).
 * @module
 */
import { cliPrincipal, recordCliRun } from '../../audit/cli-audit.js';
import type { AuditEventInput } from '../../audit/event.js';
import { erase, erasureAuditEvents } from '../../vault/erase.js';
import { defaultDataDir, Vault } from '../../vault/vault.js';
import type { CliCommand, CliIO } from '../command.js';
import { guard, parse, UsageError } from '../io.js';

const USAGE = `Usage: veil vault forget --tenant T [--session S] [--yes] [--no-audit]
       veil vault purge [--json] [--no-audit]
       veil vault tenants

forget   erasure request. With --session: deletes that session's tokens and values.
         Without: deletes every session of the tenant AND its data key (crypto-shredding:
         copies of the rows in backups or replicas can no longer be decrypted); needs --yes.
         Running gateways drop the tenant's key at once (PostgreSQL: NOTIFY), or at their
         next use of the tenant (SQLite): none puts its old tokens back (docs/vault.md).
purge    deletes every expired entry (TTL) of every tenant and prints the count
tenants  lists the tenants that have tokens or a data key

The vault is <data dir>/vault.db (VEIL_DATA_DIR, default .veil), or PostgreSQL when
VEIL_VAULT_URL is set (schema VEIL_VAULT_SCHEMA, default veil_vault). forget and purge
record an audit event (counts, the session id, the shredded key's id; never a value) in
<data dir>/audit unless --no-audit is given. The gateway offers the same erasure as
POST /v1/veil/vault/forget (docs/vault.md).`;

async function openVault(io: CliIO): Promise<Vault> {
  return Vault.open({ dataDir: defaultDataDir(io.env, io.cwd), env: io.env });
}

/**
 * Records the run's audit events. The erasure has already happened when this runs; a failure
 * to audit is reported (exit 1) but never undoes or hides it.
 */
function audit(io: CliIO, events: readonly AuditEventInput[]): Promise<boolean> {
  return recordCliRun(io, events);
}

async function forget(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    tenant: { type: 'string' },
    session: { type: 'string' },
    yes: { type: 'boolean' },
    'no-audit': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('unexpected argument');
  const tenant = values.tenant;
  if (tenant === undefined || tenant === '') throw new UsageError('--tenant T is required');
  if (values.session === '') throw new UsageError('--session needs a value');
  if (values.session === undefined && values.yes !== true) {
    throw new UsageError(`forgetting a whole tenant deletes its data key for good; add --yes to confirm`);
  }
  const vault = await openVault(io);
  let events: AuditEventInput[];
  try {
    const erased = await erase(vault, { tenant, ...(values.session === undefined ? {} : { session: values.session }) });
    if (values.session !== undefined) {
      io.stdout.write(`forgot session ${JSON.stringify(values.session)} of tenant ${JSON.stringify(tenant)}: ${plural(erased.entries, 'entry', 'entries')} deleted\n`);
    } else {
      io.stdout.write(
        `forgot tenant ${JSON.stringify(tenant)}: ${plural(erased.entries, 'entry', 'entries')} deleted in all sessions; ` +
          `${erased.dataKey ? 'data key deleted (crypto-shredded)' : 'it had no data key'}\n`,
      );
    }
    events = erasureAuditEvents(erased, {
      kind: 'cli',
      command: values.session === undefined ? 'vault-forget-tenant' : 'vault-forget-session',
      principal: cliPrincipal(),
    });
  } finally {
    await vault.close();
  }
  if (values['no-audit'] === true) return 0;
  return (await audit(io, events)) ? 0 : 1;
}

async function purge(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, 'no-audit': { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError('unexpected argument');
  const vault = await openVault(io);
  let purged: number;
  const store = vault.store.kind;
  try {
    purged = await vault.purgeExpired();
  } finally {
    await vault.close();
  }
  io.stdout.write(values.json === true ? `${JSON.stringify({ store, purged })}\n` : `purged ${plural(purged, 'expired entry', 'expired entries')} (${store} store)\n`);
  if (values['no-audit'] === true) return 0;
  const event: AuditEventInput = {
    kind: 'cli',
    tenant: 'veil',
    command: 'vault-purge',
    vault: { operation: 'purge', session: null, entries: purged, data_key: false },
    outcome: 'ok',
  };
  return (await audit(io, [event])) ? 0 : 1;
}

async function tenants(args: readonly string[], io: CliIO): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length > 0) throw new UsageError('unexpected argument');
  const vault = await openVault(io);
  try {
    for (const tenant of await vault.store.listTenants()) io.stdout.write(`${tenant}\n`);
  } finally {
    await vault.close();
  }
  return 0;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export const vaultCommand: CliCommand = {
  name: 'vault',
  summary: 'erase tenants or sessions (crypto-shredding), purge expired tokens',
  usage: USAGE,
  run: (args, io) =>
    guard('vault', USAGE, io, async () => {
      const [sub, ...rest] = args;
      if (sub === 'forget') return forget(rest, io);
      if (sub === 'purge') return purge(rest, io);
      if (sub === 'tenants') return tenants(rest, io);
      throw new UsageError(sub === undefined ? 'expected a subcommand: forget, purge or tenants' : `unknown subcommand '${sub}'`);
    }),
};
