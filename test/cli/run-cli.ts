import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Where commands keep their data (audit events, vault) when a test names neither a data dir
 * nor a working directory: never the repository's own `.veil`.
 */
const ISOLATED_DATA_DIR = join(tmpdir(), `veil-cli-test-${process.pid}`);

/** Runs the CLI in-process with the given stdin and environment. */
export async function runCliInProcess(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliRun> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  stdin.end(options.stdin ?? '');
  const code = await runCli(args, {
    stdin,
    stdout,
    stderr,
    stderrIsTTY: false,
    env: options.cwd === undefined ? { VEIL_DATA_DIR: ISOLATED_DATA_DIR, ...options.env } : (options.env ?? {}),
    cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout: out, stderr: err };
}
