import { Veil } from '../../engine.js';
import { openVeil } from '../../open-veil.js';
import type { CliCommand } from '../command.js';
import { guard, parse, readInput, UsageError } from '../io.js';

const USAGE = `Usage: veil mask [FILE|-] [--session ID] [--tenant ID] [--json]

Prints the text with every sensitive value replaced by a token such as <<EMAIL_1>>.
  --session ID  keep the mapping in the encrypted vault so 'veil unmask --session ID'
                can put the values back (without it, the mapping is not kept)
  --tenant ID   tenant scope (default: default)
  --json        {"text": masked text, "entities": [{"type","token","start","end","detector","score"}]}`;

export const maskCommand: CliCommand = {
  name: 'mask',
  summary: 'replace sensitive values with tokens',
  usage: USAGE,
  run: (args, io) =>
    guard('mask', USAGE, io, async () => {
      const { values, positionals } = parse(args, {
        session: { type: 'string' },
        tenant: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (positionals.length > 1) throw new UsageError('expected at most one FILE');
      if (values.session === '') throw new UsageError('--session needs a non-empty id');
      const text = await readInput(positionals[0], io);
      const veil = values.session === undefined ? new Veil() : await openVeil({ env: io.env, cwd: io.cwd });
      try {
        const scope = await veil.openScope({
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          ...(values.session === undefined ? {} : { session: values.session }),
        });
        const result = await veil.mask([text], { scope });
        const masked = result.texts[0] ?? '';
        if (values.json === true) {
          const entities = result.entities.map((entity) => ({
            type: entity.type,
            token: entity.token,
            start: entity.start,
            end: entity.end,
            detector: entity.detector,
            score: Math.round(entity.score * 1000) / 1000,
          }));
          io.stdout.write(`${JSON.stringify({ text: masked, entities })}\n`);
        } else {
          io.stdout.write(masked);
        }
        return 0;
      } finally {
        await veil.close();
      }
    }),
};
