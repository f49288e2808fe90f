/**
 * `veil audit verify|tail|query|pubkey`: the audit log from the command line. Thin: the work is
 * in src/audit/. Also exports the log-location options `veil report` shares.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditSink } from '../../audit/audit-sink.js';
import { AUDIT_EVENT_KINDS, type AuditEvent, type AuditEventKind } from '../../audit/event.js';
import { createAuditSink } from '../../audit/open-sink.js';
import { formatEventLine, queryAudit, tailAudit } from '../../audit/query.js';
import { loadSigningKey, verifyingKeyFromPem, type VerifyingKey } from '../../audit/signing-key.js';
import { verifyAudit } from '../../audit/verify.js';
import { defaultDataDir } from '../../vault/vault.js';
import { EXIT, type CliCommand, type CliIO } from '../command.js';
import { guard, InputError, parse, UsageError } from '../io.js';

// Options shared with `veil report` (which imports them from here): where the audit log is,
// which keys are trusted, and dates on the command line.

export const SINK_OPTIONS = {
  'data-dir': { type: 'string' },
  pg: { type: 'string' },
  'pg-schema': { type: 'string' },
} as const;

export const SINK_USAGE = `Where the log is:
  --data-dir DIR     Veil data dir (default: $VEIL_DATA_DIR or ./.veil); JSONL files in DIR/audit
  --pg URL           read the PostgreSQL audit log instead (default: $VEIL_AUDIT_PG_URL)
  --pg-schema NAME   its schema (default: $VEIL_AUDIT_PG_SCHEMA or veil_audit)`;

export interface SinkFlags {
  readonly 'data-dir'?: string | undefined;
  readonly pg?: string | undefined;
  readonly 'pg-schema'?: string | undefined;
}

export function dataDirOf(flags: SinkFlags, io: CliIO): string {
  return flags['data-dir'] ?? defaultDataDir(io.env, io.cwd);
}

/** The log to read, opened read-only (no writer lock: the gateway may be running). */
export async function openReader(flags: SinkFlags, io: CliIO): Promise<AuditSink> {
  const sink = createAuditSink({
    dataDir: dataDirOf(flags, io),
    readOnly: true,
    env: io.env,
    ...(flags.pg === undefined ? {} : { pgUrl: flags.pg }),
    ...(flags['pg-schema'] === undefined ? {} : { pgSchema: flags['pg-schema'] }),
  });
  await sink.open();
  return sink;
}

/**
 * Keys to trust: the instance key of the data dir (when it has one) and every `--key` file.
 * Undefined when there is none, so verification says the signers are not pinned.
 */
export async function trustedKeys(flags: SinkFlags, files: readonly string[], io: CliIO): Promise<VerifyingKey[] | undefined> {
  const keys: VerifyingKey[] = [];
  try {
    keys.push(await loadSigningKey({ dataDir: dataDirOf(flags, io), create: false, env: io.env }));
  } catch {
    // No local key (a verifier's machine): rely on --key.
  }
  for (const file of files) {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch {
      throw new InputError(`cannot read the public key file ${file}`);
    }
    try {
      keys.push(verifyingKeyFromPem(pem));
    } catch {
      throw new InputError(`${file} is not an Ed25519 public key in PEM form`);
    }
  }
  return keys.length === 0 ? undefined : keys;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `2026-03-01` (start of the day, or its end with `endOfDay`) or a full ISO-8601 time. */
export function parseDate(flag: string, value: string, endOfDay = false): Date {
  const text = DAY.test(value) ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : value;
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new UsageError(`${flag} wants a date like 2026-03-01 or 2026-03-01T12:00:00Z`);
  return new Date(time);
}


const USAGE = `Usage: veil audit <verify|tail|query|pubkey> [options]

  veil audit verify [--from DATE] [--to DATE] [--json] [--key PUBKEY.pem ...]
      Recomputes the hash chain, the checkpoints' Merkle roots and signatures, and names the
      first event that was edited, deleted, reordered or inserted. Exit 0 intact, 1 broken.
      Checkpoints must be signed by the data dir's instance key or a --key (when there is one).
  veil audit tail [-n N] [--follow] [--json]
      The last N events (default 20); --follow keeps printing new ones.
  veil audit query [--tenant T] [--type TYPE] [--since DATE] [--until DATE] [--limit N] [--json]
      Events matching all filters. TYPE is an event kind (${AUDIT_EVENT_KINDS.join(', ')})
      or an entity type (EMAIL, PERSON, ...: events that had one).
  veil audit pubkey
      Prints the instance's Ed25519 public key (PEM), for auditors to pin.

DATE: 2026-03-01 or 2026-03-01T12:00:00Z (a bare --to/--until date includes that whole day).

${SINK_USAGE}`;

async function runVerify(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    ...SINK_OPTIONS,
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
    key: { type: 'string', multiple: true },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
  const keys = await trustedKeys(values, values.key ?? [], io);
  const sink = await openReader(values, io);
  try {
    const result = await verifyAudit({
      sink,
      ...(keys === undefined ? {} : { trustedKeys: keys }),
      ...(values.from === undefined ? {} : { from: parseDate('--from', values.from) }),
      ...(values.to === undefined ? {} : { to: parseDate('--to', values.to, true) }),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.stdout.write(`${result.ok ? 'OK' : 'BROKEN'}: ${result.message}\n`);
      io.stdout.write(`  log:          ${sink.name}\n`);
      io.stdout.write(`  ${result.ok ? 'events:      ' : 'events good: '} ${result.event_count}${result.first_seq === null ? '' : ` (seq ${result.first_seq}..${result.last_seq})`}\n`);
      io.stdout.write(`  checkpoints:  ${result.checkpoints.verified} verified of ${result.checkpoints.count}\n`);
      if (result.checkpoints.signers.length > 0) io.stdout.write(`  signed by:    ${result.checkpoints.signers.join(', ')}\n`);
      const lastRoot = result.checkpoints.merkle_roots.at(-1);
      if (result.ok && lastRoot !== undefined) io.stdout.write(`  last root:    ${lastRoot.merkle_root} (seq ${lastRoot.from_seq}..${lastRoot.to_seq})\n`);
      if (result.last_hash !== null) io.stdout.write(`  ${result.ok ? 'head:     ' : 'last good:'}    ${result.last_hash}\n`);
      if (result.first_bad_event !== null) {
        const bad = result.first_bad_event;
        io.stdout.write(`  first bad:    ${bad.problem} seq=${bad.seq ?? '?'} id=${bad.id ?? '-'} at ${bad.location}\n`);
      }
    }
    return result.ok ? EXIT.ok : EXIT.badInput;
  } finally {
    await sink.close();
  }
}

function typeFilter(type: string | undefined): { kind?: AuditEventKind; entity?: string } {
  if (type === undefined) return {};
  if ((AUDIT_EVENT_KINDS as readonly string[]).includes(type)) return { kind: type as AuditEventKind };
  if (/^[A-Z][A-Z0-9_]*$/.test(type)) return { entity: type };
  throw new UsageError(`--type wants an event kind (${AUDIT_EVENT_KINDS.join(', ')}) or an entity type such as EMAIL`);
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`${flag} wants a positive whole number`);
  return parsed;
}

function writeEvent(io: CliIO, event: AuditEvent, json: boolean): void {
  io.stdout.write(`${json ? JSON.stringify(event) : formatEventLine(event)}\n`);
}

async function runQuery(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    ...SINK_OPTIONS,
    tenant: { type: 'string' },
    type: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
  const { kind, entity } = typeFilter(values.type);
  const limit = positiveInt('--limit', values.limit, Number.POSITIVE_INFINITY);
  const sink = await openReader(values, io);
  try {
    let printed = 0;
    for await (const event of queryAudit(sink, {
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      ...(kind === undefined ? {} : { kind }),
      ...(values.since === undefined ? {} : { since: parseDate('--since', values.since) }),
      ...(values.until === undefined ? {} : { until: parseDate('--until', values.until, true) }),
    })) {
      if (entity !== undefined && event.entities[entity] === undefined) continue;
      writeEvent(io, event, values.json === true);
      if ((printed += 1) >= limit) break;
    }
    if (printed === 0 && values.json !== true) io.stderr.write('no matching events\n');
    return EXIT.ok;
  } finally {
    await sink.close();
  }
}

async function runTail(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    ...SINK_OPTIONS,
    lines: { type: 'string', short: 'n' },
    follow: { type: 'boolean', short: 'f' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
  const count = positiveInt('-n', values.lines, 20);
  const sink = await openReader(values, io);
  try {
    const last = await tailAudit(sink, count);
    for (const event of last) writeEvent(io, event, values.json === true);
    if (values.follow !== true) return EXIT.ok;
    let after = last.at(-1)?.seq ?? 0;
    // Polls: JSONL files and PostgreSQL rows both appear without a notification channel.
    for (;;) {
      await sleep(1000);
      for await (const event of queryAudit(sink, { afterSeq: after })) {
        writeEvent(io, event, values.json === true);
        after = event.seq;
      }
    }
  } finally {
    await sink.close();
  }
}

async function runPubkey(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { 'data-dir': SINK_OPTIONS['data-dir'] });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
  const key = await loadSigningKey({ dataDir: dataDirOf(values, io), create: false, env: io.env });
  io.stdout.write(key.publicKeyPem.endsWith('\n') ? key.publicKeyPem : `${key.publicKeyPem}\n`);
  io.stderr.write(`key id: ${key.keyId}\n`);
  return EXIT.ok;
}

const SUBCOMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIO) => Promise<number>>> = {
  verify: runVerify,
  tail: runTail,
  query: runQuery,
  pubkey: runPubkey,
};

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'Verify, tail and query the tamper-evident audit log; print the signing key',
  usage: USAGE,
  run: (args, io) =>
    guard('audit', USAGE, io, async () => {
      const [sub, ...rest] = args;
      const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
      if (run === undefined) throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
      return run(rest, io);
    }),
};
