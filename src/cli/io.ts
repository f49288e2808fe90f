/**
 * Input helpers shared by the commands: reading a file or stdin, and argument parsing that
 * turns mistakes into usage errors instead of stack traces.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO } from './command.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class InputError extends Error {
  override readonly name = 'InputError';
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Text of FILE, or of stdin when FILE is `-` or absent. */
export async function readInput(file: string | undefined, io: CliIO): Promise<string> {
  if (file === undefined || file === '-') return readAll(io.stdin);
  try {
    return await readFile(file, 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    throw new InputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'read error')}`);
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs a command body, mapping its errors to exit codes and one-line messages. */
export async function guard(name: string, usage: string, io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.stderr.write(`veil ${name}: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`veil ${name}: ${message}\n`);
    return 1;
  }
}
