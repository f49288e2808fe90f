import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Span } from '../../core/span.js';
import { Veil } from '../../engine.js';
import { defaultDetectors } from '../../detect/registry.js';
import { buildDetectionEngine, prepareDetectors } from '../../policy/detectors.js';
import { loadPolicyFile } from '../../policy/load.js';
import type { CliCommand, CliIO } from '../command.js';
import { guard, InputError, parse, readInput, UsageError } from '../io.js';
import { foundFields, recordCliRun } from '../../audit/cli-audit.js';
import { explainReport, renderExplain } from './detect-explain.js';

const USAGE = `Usage: veil detect [FILE|-] [--json] [--explain] [--config FILE]
       veil detect --jsonl FILE|- [--config FILE]

Lists the sensitive spans found in the text (offsets in UTF-16 code units, no values).
  --json        one JSON object: {"spans":[{"start","end","type","score","detector"}]}
  --explain     also which tier found each span, and every span left out and why
                (overlap lost to another span, below a threshold, allow-listed);
                with --json: {"spans","dropped","detectors"}
  --config FILE detect as this policy file's detectors section says (tiers, thresholds,
                allow lists, custom entities, ONNX models)
  --jsonl FILE  batch form: each input line is {"id","text"}; each output line is
                {"id","spans":[...]}, in input order, streamed`;

/** The engine the policy file configures, with its ONNX models loaded; the default without one. */
async function veilFor(config: string | undefined, io: CliIO): Promise<Veil> {
  if (config === undefined) return new Veil();
  const policy = loadPolicyFile(resolve(io.cwd, config));
  await prepareDetectors(policy);
  return new Veil({ engine: buildDetectionEngine(policy, defaultDetectors()) });
}

function plainSpan(span: Span): Span {
  return { start: span.start, end: span.end, type: span.type, score: round(span.score), detector: span.detector };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function detectLines(file: string, veil: Veil, io: CliIO, found: string[]): Promise<void> {
  const input = file === '-' ? io.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new InputError(`${file}:${lineNumber}: not valid JSON`);
      }
      const { id, text } = (record ?? {}) as { id?: unknown; text?: unknown };
      if (typeof text !== 'string') throw new InputError(`${file}:${lineNumber}: field "text" must be a string`);
      const spans = (await veil.detect(text)).map(plainSpan);
      for (const span of spans) found.push(span.type);
      const ok = io.stdout.write(`${JSON.stringify({ id: id ?? null, spans })}\n`);
      if (!ok) await new Promise((resolve) => io.stdout.once('drain', resolve));
    }
  } catch (error: unknown) {
    if ((error as { code?: string }).code === 'ENOENT') throw new InputError(`cannot read ${file}: no such file`);
    throw error;
  }
}

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: 'list sensitive spans in text (no values)',
  usage: USAGE,
  run: (args, io) =>
    guard('detect', USAGE, io, async () => {
      const { values, positionals } = parse(args, {
        json: { type: 'boolean' },
        jsonl: { type: 'string' },
        explain: { type: 'boolean' },
        config: { type: 'string' },
      });
      if (positionals.length > 1) throw new UsageError('expected at most one FILE');
      if (values.jsonl !== undefined && positionals.length > 0) throw new UsageError('--jsonl takes the file itself');
      if (values.jsonl !== undefined && values.explain === true) throw new UsageError('--explain works on one text, not --jsonl');
      const veil = await veilFor(values.config, io);
      // One audit event per run: span counts per type, never a value.
      const audit = (types: Iterable<string>): Promise<boolean> => recordCliRun(io, [{ command: 'detect', tenant: 'default', ...foundFields(types) }]);
      if (values.jsonl !== undefined) {
        const found: string[] = [];
        await detectLines(values.jsonl, veil, io, found);
        await audit(found);
        return 0;
      }
      const text = await readInput(positionals[0], io);
      if (values.explain === true) {
        const report = explainReport(await veil.detection.explain(text));
        await audit(report.spans.map((span) => span.type));
        io.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : renderExplain(report));
        return 0;
      }
      const spans = (await veil.detect(text)).map(plainSpan);
      await audit(spans.map((span) => span.type));
      if (values.json === true) {
        io.stdout.write(`${JSON.stringify({ spans })}\n`);
        return 0;
      }
      if (spans.length === 0) {
        io.stdout.write('no sensitive spans found\n');
        return 0;
      }
      const typeWidth = Math.max(4, ...spans.map((span) => span.type.length));
      io.stdout.write(`${'START'.padStart(6)} ${'END'.padStart(6)}  ${'TYPE'.padEnd(typeWidth)}  SCORE  DETECTOR\n`);
      for (const span of spans) {
        io.stdout.write(
          `${String(span.start).padStart(6)} ${String(span.end).padStart(6)}  ${span.type.padEnd(typeWidth)}  ${span.score.toFixed(2)}   ${span.detector}\n`,
        );
      }
      return 0;
    }),
};
