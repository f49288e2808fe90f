import { openVeil } from '../../open-veil.js';
import type { CliCommand } from '../command.js';
import { guard, parse, readInput, UsageError } from '../io.js';

const USAGE = `Usage: veil unmask [FILE|-] --session ID [--tenant ID]

Puts the original values back in place of the tokens issued in the session.`;

export const unmaskCommand: CliCommand = {
  name: 'unmask',
  summary: 'put original values back in place of tokens',
  usage: USAGE,
  run: (args, io) =>
    guard('unmask', USAGE, io, async () => {
      const { values, positionals } = parse(args, { session: { type: 'string' }, tenant: { type: 'string' } });
      if (positionals.length > 1) throw new UsageError('expected at most one FILE');
      if (values.session === undefined || values.session === '') throw new UsageError('--session ID is required');
      // Read the whole input before opening the scope: in `veil mask | veil unmask` the mask
      // process is still writing the session when this one starts.
      const text = await readInput(positionals[0], io);
      const veil = await openVeil({ env: io.env, cwd: io.cwd });
      try {
        const scope = await veil.openScope({
          session: values.session,
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
        });
        io.stdout.write(veil.rehydrate(text, scope));
        return 0;
      } finally {
        await veil.close();
      }
    }),
};
