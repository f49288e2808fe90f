/**
 * `veil eval FILE.jsonl [FILE2 ...] [--json] [--labels L1,L2]`: masks every record of the eval
 * corpora with the engine and reports recall, precision, leak and over-masking rates. Thin:
 * reading and scoring live in src/eval/.
 * @module
 */
import { resolve } from 'node:path';
import { PARENT_TYPES } from '../../core/entities.js';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import { evaluateFile, type EvalProgress, type Masker } from '../../eval/evaluate.js';
import { formatJson, formatTable, type FileReport } from '../../eval/report.js';
import { veilMasker } from '../../eval/veil-masker.js';
import { defaultDetectors } from '../../detect/registry.js';
import { Veil } from '../../engine.js';
import { buildDetectionEngine, prepareDetectors } from '../../policy/detectors.js';
import { loadPolicyFile } from '../../policy/load.js';
import { writeLatestEval } from '../../ui/latest-eval.js';
import { defaultDataDir } from '../../vault/vault.js';
import { EXIT, type CliCommand, type CliIO } from '../command.js';

const USAGE = `Usage: veil eval FILE.jsonl [FILE2.jsonl ...] [--json] [--labels L1,L2] [--config FILE]

Masks every record of each eval file (format: shared/eval/README.md) and reports, per label:
gold spans, recall (a prediction of any type covers >= 50% of the span), strict recall (same
type), precision (on the labels annotated in manifest.json next to the file), span and token
leak rates; plus over-masking on span-free records and latency p50/p95 per record.

Options:
  --json            one JSON object on stdout instead of tables
  --labels L1,L2    report only these labels (e.g. EMAIL,PHONE)
  --config FILE     detect as this policy file's detectors section says (tiers, thresholds,
                    allow lists, custom entities, ONNX models), e.g. to measure your own model
  --no-save         do not write the figures to <data dir>/eval/latest.json (VEIL_DATA_DIR,
                    default ./.veil), where the web console's Detection page reads them
`;

interface EvalArgs {
  readonly files: readonly string[];
  readonly json: boolean;
  readonly labels: readonly string[] | undefined;
  readonly save: boolean;
  readonly config: string | undefined;
}

const KNOWN_LABELS: ReadonlySet<string> = new Set(PARENT_TYPES);

/** Parses the arguments; throws a usage `VeilError`. */
export function parseEvalArgs(args: readonly string[]): EvalArgs {
  const files: string[] = [];
  let json = false;
  let labels: string[] | undefined;
  let save = true;
  let config: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--json') {
      json = true;
    } else if (arg === '--no-save') {
      save = false;
    } else if (arg === '--labels' || arg.startsWith('--labels=')) {
      const value = arg === '--labels' ? args[++i] : arg.slice('--labels='.length);
      if (value === undefined || value.trim() === '') throw usage('--labels needs a comma-separated list');
      labels = parseLabels(value);
    } else if (arg === '--config' || arg.startsWith('--config=')) {
      config = arg === '--config' ? args[++i] : arg.slice('--config='.length);
      if (config === undefined || config.trim() === '') throw usage('--config needs a policy file');
    } else if (arg === '--') {
      files.push(...args.slice(i + 1));
      break;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw usage(`unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) throw usage('no eval file given');
  if (files.includes('-')) throw usage('eval reads files, not stdin');
  return { files, json, labels, save, config };
}

function parseLabels(value: string): string[] {
  const labels = [...new Set(value.split(',').map((label) => label.trim().toUpperCase()).filter((label) => label !== ''))];
  const unknown = labels.filter((label) => !KNOWN_LABELS.has(label));
  if (unknown.length > 0) {
    throw usage(`unknown label ${unknown.join(', ')} (known: ${PARENT_TYPES.join(', ')})`);
  }
  if (labels.length === 0) throw usage('--labels needs a comma-separated list');
  return labels;
}

function usage(message: string): VeilError {
  return new VeilError(VeilErrorCode.Usage, message);
}

/** Overwrites one terminal line with the progress of the current file. */
function progressWriter(io: CliIO): ((progress: EvalProgress) => void) | undefined {
  if (!io.stderrIsTTY) return undefined;
  return (progress) => {
    const share = progress.totalBytes === 0 ? 100 : Math.floor((100 * progress.bytesRead) / progress.totalBytes);
    io.stderr.write(`\r\u001b[2Keval ${progress.file}: ${progress.records} records (${share}%)`);
  };
}

/** The default engine, or the one the policy file configures (uncached either way, ONNX models loaded). */
async function maskerFor(config: string | undefined, io: CliIO): Promise<Masker> {
  if (config === undefined) return veilMasker();
  const policy = loadPolicyFile(resolve(io.cwd, config));
  await prepareDetectors(policy);
  return veilMasker(new Veil({ engine: buildDetectionEngine(policy, defaultDetectors(), { cache: false }) }));
}

/** Runs the command with a given masker; `evalCommand` uses the default engine. */
export async function runEval(args: readonly string[], io: CliIO, masker?: Masker): Promise<number> {
  let parsed: EvalArgs;
  try {
    parsed = parseEvalArgs(args);
  } catch (error: unknown) {
    if (!(error instanceof VeilError)) throw error;
    io.stderr.write(`veil eval: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const onProgress = progressWriter(io);
  let mask: Masker;
  try {
    mask = masker ?? (await maskerFor(parsed.config, io));
  } catch (error: unknown) {
    if (!(error instanceof VeilError)) throw error;
    io.stderr.write(`veil eval: ${error.message}\n`);
    return EXIT.badInput;
  }
  const reports: FileReport[] = [];
  try {
    for (const file of parsed.files) {
      reports.push(
        await evaluateFile(file, mask, {
          ...(parsed.labels === undefined ? {} : { labels: parsed.labels }),
          ...(onProgress === undefined ? {} : { onProgress }),
        }),
      );
    }
  } catch (error: unknown) {
    if (onProgress !== undefined) io.stderr.write('\r\u001b[2K');
    if (error instanceof VeilError && error.code === VeilErrorCode.BadInput) {
      io.stderr.write(`veil eval: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
  if (onProgress !== undefined) io.stderr.write('\r\u001b[2K');
  io.stdout.write(parsed.json ? formatJson({ files: reports }) : formatTable({ files: reports }));
  if (parsed.save) {
    // The console's Detection page shows the latest figures; failing to save them is not an eval failure.
    const saved = await writeLatestEval(defaultDataDir(io.env, io.cwd), { files: reports }).catch(() => undefined);
    if (saved === undefined) io.stderr.write('veil eval: could not save the figures for the web console\n');
  }
  return EXIT.ok;
}

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'Measure recall, precision and leaks on labelled JSONL corpora',
  usage: USAGE.trimEnd(),
  run: (args, io) => runEval(args, io),
};
