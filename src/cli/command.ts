/**
 * What a `veil` subcommand is. The CLI is the only place that writes to the console; commands
 * get their streams through `CliIO` so tests can run them in-process.
 * @module
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** True when stderr is a terminal (progress output is shown only then). */
  readonly stderrIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface CliCommand {
  /** e.g. `mask`, or `audit verify` for nested commands. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code: 0 ok, 1 bad input, 2 usage. */
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, badInput: 1, usage: 2 } as const;
