import { maskDocument } from '../../documents/mask-document.js';
import { DOCUMENT_FORMATS, resolveFormat, type DocumentFormat } from '../../documents/format.js';
import { Veil } from '../../engine.js';
import type { MaskedEntity } from '../../pipeline/mask.js';
import type { TokenScope } from '../../vault/token-scope.js';
import { openVeil } from '../../open-veil.js';
import { auditTenant, maskFields, recordCliRun } from '../../audit/cli-audit.js';
import type { CliCommand } from '../command.js';
import { guard, parse, readInput, UsageError } from '../io.js';

const USAGE = `Usage: veil mask [FILE|-] [--session ID] [--tenant ID] [--json] [--format FORMAT]

Prints the text with every sensitive value replaced by a token such as <<EMAIL_1>>.
  --session ID  keep the mapping in the encrypted vault so 'veil unmask --session ID'
                can put the values back (without it, the mapping is not kept)
  --tenant ID   tenant scope (default: default)
  --json        {"text": masked text, "entities": [{"type","token","start","end","detector","score"}]}
  --format F    auto|text|md|html|json|csv|jsonl (default text). Structured formats keep the
                file valid: HTML markup, JSON keys and CSV quoting are left as they are, and
                CSV columns / JSON keys named email, ssn, phone, name... are masked whole.
                auto picks the format from FILE's extension (stdin: from the content).

Each run leaves one audit event in the data dir (counts per type and token ids, never a
value); VEIL_AUDIT=off skips it.`;

const FORMAT_CHOICES = ['auto', ...DOCUMENT_FORMATS] as const;

async function maskPlain(
  veil: Veil,
  text: string,
  scope: TokenScope,
): Promise<{ text: string; entities: readonly MaskedEntity[] }> {
  const result = await veil.mask([text], { scope });
  return { text: result.texts[0] ?? '', entities: result.entities };
}

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
        format: { type: 'string' },
      });
      const requested = values.format;
      if (requested !== undefined && !(FORMAT_CHOICES as readonly string[]).includes(requested)) {
        throw new UsageError(`--format must be one of ${FORMAT_CHOICES.join(', ')}`);
      }
      if (positionals.length > 1) throw new UsageError('expected at most one FILE');
      if (values.session === '') throw new UsageError('--session needs a non-empty id');
      const text = await readInput(positionals[0], io);
      const veil = values.session === undefined ? new Veil() : await openVeil({ env: io.env, cwd: io.cwd });
      try {
        const scope = await veil.openScope({
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          ...(values.session === undefined ? {} : { session: values.session }),
        });
        const format: DocumentFormat = resolveFormat(requested ?? 'text', positionals[0], text);
        // Plain text goes to the engine as it always did; structured formats through their chunker.
        const result =
          format === 'text'
            ? await maskPlain(veil, text, scope)
            : await maskDocument(veil, text, { format, scope });
        const masked = result.text;
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
        await recordCliRun(io, [{ command: 'mask', tenant: auditTenant(values.tenant), ...maskFields(result) }]);
        return 0;
      } finally {
        await veil.close();
      }
    }),
};
