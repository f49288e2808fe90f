import { DOCUMENT_FORMATS, resolveFormat } from '../../documents/format.js';
import { unmaskDocument } from '../../documents/mask-document.js';
import { openVeil } from '../../open-veil.js';
import { auditTenant, countingScope, recordCliRun } from '../../audit/cli-audit.js';
import type { CliCommand } from '../command.js';
import { guard, parse, readInput, UsageError } from '../io.js';

const USAGE = `Usage: veil unmask [FILE|-] --session ID [--tenant ID] [--format FORMAT]

Puts the original values back in place of the tokens issued in the session.
  --format F   auto|text|md|html|json|csv|jsonl (default text): html undoes the entity
               escaping of tokens, json and jsonl insert values escaped for JSON strings

Each run leaves one unmask audit event in the data dir (how many tokens were put back and
their ids, never a value); VEIL_AUDIT=off skips it.`;

const FORMAT_CHOICES: readonly string[] = ['auto', ...DOCUMENT_FORMATS];

export const unmaskCommand: CliCommand = {
  name: 'unmask',
  summary: 'put original values back in place of tokens',
  usage: USAGE,
  run: (args, io) =>
    guard('unmask', USAGE, io, async () => {
      const { values, positionals } = parse(args, {
        session: { type: 'string' },
        tenant: { type: 'string' },
        format: { type: 'string' },
      });
      if (positionals.length > 1) throw new UsageError('expected at most one FILE');
      if (values.format !== undefined && !FORMAT_CHOICES.includes(values.format)) {
        throw new UsageError(`--format must be one of ${FORMAT_CHOICES.join(', ')}`);
      }
      if (values.session === undefined || values.session === '') throw new UsageError('--session ID is required');
      // Read the whole input before opening the scope: in `veil mask | veil unmask` the mask
      // process is still writing the session when this one starts.
      const text = await readInput(positionals[0], io);
      const veil = await openVeil({ env: io.env, cwd: io.cwd });
      try {
        const counted = countingScope(
          await veil.openScope({
            session: values.session,
            ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          }),
        );
        const scope = counted.scope;
        const format = resolveFormat(values.format ?? 'text', positionals[0], text);
        io.stdout.write(format === 'text' ? veil.rehydrate(text, scope) : unmaskDocument(veil, text, scope, format));
        await recordCliRun(io, [
          {
            kind: 'unmask',
            command: 'unmask',
            tenant: auditTenant(values.tenant),
            unmask: { allowed: true, tokens: counted.resolved.size },
            token_ids: counted.tokenIds(),
          },
        ]);
        return 0;
      } finally {
        await veil.close();
      }
    }),
};
