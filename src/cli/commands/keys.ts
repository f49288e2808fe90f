import { hashApiKey, looksLikeVeilKey, newApiKey } from '../../policy/keys.js';
import type { CliCommand, CliIO } from '../command.js';
import { guard, parse, readAll, UsageError } from '../io.js';
import { KEYS_ROTATE_USAGE, runKeysRotate } from './keys-rotate.js';

const USAGE = `Usage: veil keys new [--id ID] [--role R]...
       veil keys hash KEY|-
       veil keys rotate ... (see below)

new   makes a random gateway key (veil_...), prints it once, and the tenants entry for
      veil.yaml with its hash (the key itself is stored nowhere)
hash  prints the sha256:... hash of a key for veil.yaml; '-' reads the key from stdin,
      which keeps it out of shell history

${KEYS_ROTATE_USAGE}`;

async function hash(args: readonly string[], io: CliIO): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length !== 1) throw new UsageError('expected one KEY (or - to read it from stdin)');
  const key = positionals[0] === '-' ? (await readAll(io.stdin)).trim() : (positionals[0] ?? '');
  if (key === '') throw new UsageError('the key is empty');
  // A gateway key is recognised by its prefix; hashing anything else would make a key that never matches.
  if (!looksLikeVeilKey(key)) throw new UsageError("gateway keys start with 'veil_' (make one with `veil keys new`)");
  io.stdout.write(`${hashApiKey(key)}\n`);
  return 0;
}

function create(args: readonly string[], io: CliIO): number {
  const { values, positionals } = parse(args, { id: { type: 'string' }, role: { type: 'string', multiple: true } });
  if (positionals.length > 0) throw new UsageError('unexpected argument');
  const key = newApiKey();
  const roles = values.role ?? [];
  io.stdout.write(
    [
      `key:  ${key}`,
      `hash: ${hashApiKey(key)}`,
      '',
      'Give the key to its user now: it is not stored. Under the tenant in veil.yaml:',
      '    keys:',
      `      - id: ${values.id ?? 'new-key'}`,
      `        hash: ${hashApiKey(key)}`,
      `        roles: [${roles.join(', ')}]`,
      '',
    ].join('\n'),
  );
  return 0;
}

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'make gateway API keys and their hashes; rotate the vault master key',
  usage: USAGE,
  run: (args, io) =>
    guard('keys', USAGE, io, async () => {
      const [sub, ...rest] = args;
      if (sub === 'rotate') return runKeysRotate(rest, io);
      if (sub === 'hash') return hash(rest, io);
      if (sub === 'new') return create(rest, io);
      throw new UsageError(sub === undefined ? 'expected a subcommand: new, hash or rotate' : `unknown subcommand '${sub}'`);
    }),
};
