/**
 * `scan_directory`: which files under a directory hold personal data, riskiest first, with
 * masked previews. Sends `notifications/progress` while it runs when the client asked for them.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { scanTree } from '../../documents/scan.js';
import type { McpContext } from '../context.js';
import { jsonResult, runTool } from '../tool-error.js';

/** Files listed in the result; the totals cover every file. Keeps the reply readable for a model. */
const MAX_LISTED_FILES = 200;
const FINDINGS_PER_FILE = 10;
const PROGRESS_INTERVAL_MS = 200;

export function registerScanDirectoryTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'scan_directory',
    {
      title: 'Scan a directory for personal data',
      description:
        'Walks a directory inside the server roots (honouring .gitignore, skipping binary and large files) and reports, ' +
        'per file, how many values of each type it holds, riskiest files first, with line numbers and masked previews. ' +
        'Never returns the values.',
      inputSchema: {
        path: z.string().min(1).describe('Directory to scan (relative paths start at the first root)'),
        globs: z.array(z.string().min(1)).optional().describe('Only files matching one of these globs, e.g. ["*.csv", "docs/**"]'),
        max_files: z.number().int().positive().optional().describe('Stop after this many files (default 10000)'),
      },
      outputSchema: {
        root: z.string(),
        scanned_files: z.number().int(),
        files_with_findings: z.number().int(),
        truncated: z.boolean(),
        skipped: z.record(z.string(), z.number().int()),
        totals: z.record(z.string(), z.number().int()),
        files: z.array(
          z.object({
            path: z.string(),
            format: z.string(),
            total: z.number().int(),
            risk: z.number(),
            counts: z.record(z.string(), z.number().int()),
            findings: z.array(z.object({ type: z.string(), line: z.number().int(), column: z.number().int(), preview: z.string() })),
          }),
        ),
        elapsed_ms: z.number(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      runTool(context, async () => {
        const root = await context.roots.existing(args.path, 'directory');
        const progressToken = extra._meta?.progressToken;
        let lastSent = 0;
        const sent: Array<Promise<void>> = [];
        const report = await scanTree(context.veil, root, {
          ...(args.globs === undefined ? {} : { globs: args.globs }),
          maxFiles: args.max_files ?? 10_000,
          maxBytes: context.maxFileBytes,
          maxFindingsPerFile: FINDINGS_PER_FILE,
          signal: extra.signal,
          onProgress: (done, total) => {
            if (progressToken === undefined) return;
            const now = Date.now();
            if (done !== total && now - lastSent < PROGRESS_INTERVAL_MS) return;
            lastSent = now;
            // Not awaited here, so a slow client does not slow the scan; awaited before the result,
            // because a notification that arrives after it is dropped by the client.
            sent.push(
              extra
                .sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress: done, total, message: `scanned ${done} of ${total} files` },
                })
                .catch(() => undefined),
            );
          },
        });
        if (sent.length > 0) {
          await Promise.all(sent);
          // The SDK client handles notifications a microtask later than responses, so a final
          // notification read in the same chunk as the result is dropped; a short pause lets the
          // "100%" arrive first.
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
        return jsonResult({
          root: report.root,
          scanned_files: report.scannedFiles,
          files_with_findings: report.files.length,
          truncated: report.truncated,
          skipped: report.skipped,
          totals: report.totals,
          files: report.files.slice(0, MAX_LISTED_FILES).map((file) => ({
            path: file.path,
            format: file.format,
            total: file.total,
            risk: file.risk,
            counts: file.counts,
            findings: file.findings,
          })),
          elapsed_ms: report.elapsedMs,
        });
      }),
  );
}
