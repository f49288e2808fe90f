import { resolve } from 'node:path';
import { AuditLog } from '../../audit/audit-log.js';
import { openPerEventAuditSink } from '../../mcp/audit.js';
import { openVeil } from '../../open-veil.js';
import { defaultDataDir } from '../../vault/vault.js';
import { serveStdio } from '../../mcp/server.js';
import type { CliCommand } from '../command.js';
import { guard, parse, UsageError } from '../io.js';

const USAGE = `Usage: veil mcp [--root DIR]... [--allow-unmask] [--tenant ID] [--max-file-bytes N] [--no-audit]

Runs Veil as an MCP server over stdio (for Claude Desktop, Cursor, coding agents...).
Tools: detect, mask_text, unmask_text, mask_file, scan_directory.
  --root DIR          directory the file tools may read and write; repeatable
                      (default: the current directory). Symlinks out of a root are refused.
  --allow-unmask      let this client call unmask_text (denied by default)
  --tenant ID         tenant of the token scopes (default: default)
  --max-file-bytes N  largest file mask_file and scan_directory read (default 10 MiB)
  --no-audit          do not record unmask attempts in the audit log (<data dir>/audit)

Sessions are kept in the vault in VEIL_DATA_DIR (default .veil). Logs go to stderr;
stdout carries the protocol only.`;

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary: 'run the MCP server over stdio (mask, unmask, scan tools for agents)',
  usage: USAGE,
  run: (args, io) =>
    guard('mcp', USAGE, io, async () => {
      const { values, positionals } = parse(args, {
        root: { type: 'string', multiple: true },
        'allow-unmask': { type: 'boolean' },
        tenant: { type: 'string' },
        'max-file-bytes': { type: 'string' },
        'no-audit': { type: 'boolean' },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
      if (values.tenant === '') throw new UsageError('--tenant needs a non-empty id');
      let maxFileBytes: number | undefined;
      if (values['max-file-bytes'] !== undefined) {
        maxFileBytes = Number(values['max-file-bytes']);
        if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes <= 0) throw new UsageError('--max-file-bytes needs a positive integer');
      }
      const veil = await openVeil({ env: io.env, cwd: io.cwd });
      // Every unmask attempt, allowed or denied, is audited in the same log as the gateway's.
      const dataDir = defaultDataDir(io.env, io.cwd);
      const audit = values['no-audit'] === true ? undefined : openPerEventAuditSink(() => AuditLog.open({ dataDir }));
      try {
        const running = await serveStdio(veil, {
          ...(audit === undefined ? {} : { audit }),
          roots: (values.root ?? ['.']).map((root) => resolve(io.cwd, root)),
          stdin: io.stdin,
          stdout: io.stdout,
          allowUnmask: values['allow-unmask'] === true,
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
        });
        io.stderr.write(`veil mcp: serving on stdio (unmask ${values['allow-unmask'] === true ? 'allowed' : 'denied'})\n`);
        await running.closed;
        await running.server.close();
        return 0;
      } finally {
        await veil.close();
      }
    }),
};
