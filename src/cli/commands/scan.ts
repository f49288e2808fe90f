import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parentType } from '../../core/entities.js';
import { scanTree, type ScanReport } from '../../documents/scan.js';
import { Veil } from '../../engine.js';
import { foundFields, recordCliRun } from '../../audit/cli-audit.js';
import type { CliCommand, CliIO } from '../command.js';
import { guard, InputError, parse, UsageError } from '../io.js';

/** Exit code when `--fail-on` matched: distinct from bad input (1) and usage (2). */
export const EXIT_FINDINGS = 3;

const USAGE = `Usage: veil scan DIR [--glob PATTERN]... [--json] [--fail-on TYPE,...] [--max-files N]
                 [--max-bytes N] [--no-gitignore] [--all-findings]

Reports which files under DIR hold personal or secret data: counts by type, line numbers and a
masked preview of each line. Values are never printed.
  --glob PATTERN    only files matching PATTERN (repeatable); '*.csv' matches at any depth,
                    'src/**/*.ts' matches the relative path
  --json            machine-readable report on stdout
  --fail-on TYPES   exit ${EXIT_FINDINGS} when any of these types is found (comma-separated, e.g.
                    SSN,CREDIT_CARD,SECRET; a parent type such as ID covers its sub-types; ANY
                    for any finding): for CI pipelines and pre-commit hooks
  --max-files N     stop after N files (default: no limit)
  --max-bytes N     skip files larger than N bytes (default 1048576)
  --no-gitignore    scan files that .gitignore excludes too
  --all-findings    list every finding, not the first 5 per file

Binary files are skipped. Progress is shown on stderr when it is a terminal. Each run leaves
one audit event in the data dir (counts per type, no paths or values); VEIL_AUDIT=off skips it.
Exit codes: 0 done, ${EXIT_FINDINGS} --fail-on matched, 1 bad input, 2 usage.`;

const FINDINGS_SHOWN = 5;

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new UsageError(`${name} needs a positive integer`);
  return number;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
}

function printHuman(report: ScanReport, io: CliIO, allFindings: boolean): void {
  for (const file of report.files) {
    io.stdout.write(`${file.path}  (${formatCounts(file.counts)})\n`);
    const shown = allFindings ? file.findings : file.findings.slice(0, FINDINGS_SHOWN);
    for (const finding of shown) {
      io.stdout.write(`  ${`${finding.line}:${finding.column}`.padEnd(9)} ${finding.type.padEnd(12)} ${finding.preview}\n`);
    }
    if (file.total > shown.length) io.stdout.write(`  … ${file.total - shown.length} more\n`);
  }
  const skipped = report.skipped;
  const skippedTotal = skipped.binary + skipped.tooLarge + skipped.unreadable;
  const seconds = (report.elapsedMs / 1000).toFixed(2);
  io.stdout.write(
    `${report.files.length === 0 ? '' : '\n'}Scanned ${report.scannedFiles} files in ${seconds} s` +
      (skippedTotal > 0
        ? ` (skipped ${skipped.binary} binary, ${skipped.tooLarge} too large, ${skipped.unreadable} unreadable)`
        : '') +
      (report.truncated ? ', stopped at --max-files' : '') +
      `: ${report.files.length} with findings${report.files.length > 0 ? ` — ${formatCounts(report.totals)}` : ''}\n`,
  );
}

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'find personal data in a directory tree (CI / pre-commit guard)',
  usage: USAGE,
  run: (args, io) =>
    guard('scan', USAGE, io, async () => {
      const { values, positionals } = parse(args, {
        glob: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        'fail-on': { type: 'string' },
        'max-files': { type: 'string' },
        'max-bytes': { type: 'string' },
        'no-gitignore': { type: 'boolean' },
        'all-findings': { type: 'boolean' },
      });
      if (positionals.length !== 1) throw new UsageError('expected one DIR');
      const root = resolve(io.cwd, positionals[0] as string);
      try {
        if (!(await stat(root)).isDirectory()) throw new InputError(`${positionals[0] ?? ''} is not a directory`);
      } catch (error: unknown) {
        if (error instanceof InputError) throw error;
        throw new InputError(`cannot read ${positionals[0] ?? ''}: no such directory`);
      }
      const failOn = (values['fail-on'] ?? '')
        .split(',')
        .map((type) => type.trim().toUpperCase())
        .filter((type) => type !== '');
      if (values['fail-on'] !== undefined && failOn.length === 0) throw new UsageError('--fail-on needs at least one type');
      const maxFiles = positiveInteger('--max-files', values['max-files']);
      const maxBytes = positiveInteger('--max-bytes', values['max-bytes']);
      const progress = io.stderrIsTTY && values.json !== true;
      let lastDraw = 0;
      const veil = new Veil();
      const report = await scanTree(veil, root, {
        ...(values.glob === undefined ? {} : { globs: values.glob }),
        ...(maxFiles === undefined ? {} : { maxFiles }),
        ...(maxBytes === undefined ? {} : { maxBytes }),
        gitignore: values['no-gitignore'] !== true,
        maxFindingsPerFile: values['all-findings'] === true ? Number.POSITIVE_INFINITY : 50,
        ...(progress
          ? {
              onProgress: (done: number, total: number) => {
                const now = Date.now();
                if (done !== total && now - lastDraw < 100) return;
                lastDraw = now;
                const width = 30;
                const filled = total === 0 ? width : Math.round((done / total) * width);
                io.stderr.write(`\rscanning [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files`);
              },
            }
          : {}),
      });
      if (progress) io.stderr.write('\r\u001b[K');
      if (values.json === true) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printHuman(report, io, values['all-findings'] === true);
      await recordCliRun(io, [{ command: 'scan', tenant: 'default', ...foundFields(report.totals) }]);
      if (failOn.length === 0) return 0;
      const hits = Object.keys(report.totals).filter(
        (type) => failOn.includes('ANY') || failOn.includes(type) || failOn.includes(parentType(type)),
      );
      if (hits.length === 0) return 0;
      io.stderr.write(`veil scan: found ${hits.join(', ')} (--fail-on ${failOn.join(',')})\n`);
      return EXIT_FINDINGS;
    }),
};
