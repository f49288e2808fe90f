/**
 * The `veil` command line. Dispatches to one module per subcommand; exit codes are 0 ok,
 * 1 bad input, 2 usage.
 * @module
 */
import type { CliCommand, CliIO } from './command.js';
import { EXIT } from './command.js';
import { detectCommand } from './commands/detect.js';
import { maskCommand } from './commands/mask.js';
import { unmaskCommand } from './commands/unmask.js';
import { evalCommand } from './commands/eval.js';
import { serveCommand } from './commands/serve.js';
import { policyCommand } from './commands/policy.js';
import { keysCommand } from './commands/keys.js';
import { mcpCommand } from './commands/mcp.js';
import { scanCommand } from './commands/scan.js';
import { vaultCommand } from './commands/vault.js';
import { auditCommand } from './commands/audit.js';
import { reportCommand } from './commands/report.js';

export const COMMANDS: readonly CliCommand[] = [serveCommand, detectCommand, maskCommand, unmaskCommand, evalCommand, scanCommand, mcpCommand, policyCommand, keysCommand, vaultCommand, auditCommand, reportCommand];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'veil: a privacy gateway for LLM traffic',
    '',
    'Usage: veil <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `veil <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write('veil 0.1.0\n');
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(`veil: unknown command '${name}'\n\n${helpText()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  return command.run(rest, io);
}
