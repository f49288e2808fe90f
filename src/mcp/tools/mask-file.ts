/**
 * `mask_file`: writes a masked copy of a file (next to it as `NAME.masked.EXT`, or to `output`).
 * Both paths must lie inside the configured roots; the original is never modified.
 * @module
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resolveFormat } from '../../documents/format.js';
import { maskDocument } from '../../documents/mask-document.js';
import { FORMAT_VALUES, scopeFor, type McpContext } from '../context.js';
import { jsonResult, runTool, ToolError } from '../tool-error.js';
import { tokenList, tokenListSchema } from './mask-text.js';

/** `notes.csv` → `notes.masked.csv`. */
export function defaultMaskedPath(path: string): string {
  const extension = extname(path);
  return join(dirname(path), `${basename(path, extension)}.masked${extension}`);
}

export function registerMaskFileTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'mask_file',
    {
      title: 'Write a masked copy of a file',
      description:
        'Masks a text file (plain text, Markdown, HTML, JSON, JSONL or CSV; format from the extension unless given) ' +
        'and writes the masked copy next to it as NAME.masked.EXT, or to output. The copy stays valid in its format. ' +
        'Paths must be inside the server roots. Pass a session to be able to unmask later.',
      inputSchema: {
        path: z.string().min(1).describe('File to mask (relative paths start at the first root)'),
        output: z.string().min(1).optional().describe('Where to write the masked copy (default NAME.masked.EXT next to it)'),
        format: z.enum(FORMAT_VALUES).optional().describe('File format (default auto: from the extension)'),
        session: z.string().min(1).optional().describe('Session id that keeps the token mapping'),
        overwrite: z.boolean().optional().describe('Replace an existing output file (default false)'),
      },
      outputSchema: {
        input: z.string(),
        output: z.string(),
        format: z.string(),
        entities: z.number().int(),
        counts: z.record(z.string(), z.number().int()),
        tokens: tokenListSchema,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (args) =>
      runTool(context, async () => {
        const input = await context.roots.existing(args.path, 'file');
        const output = await context.roots.writable(args.output ?? defaultMaskedPath(args.path));
        if (output === input) throw new ToolError('output must differ from the input file');
        const info = await stat(input);
        if (info.size > context.maxFileBytes) {
          throw new ToolError(`${args.path} is ${info.size} bytes, over the ${context.maxFileBytes}-byte limit`);
        }
        const bytes = await readFile(input);
        if (bytes.subarray(0, 8_000).includes(0)) throw new ToolError(`${args.path} looks binary; only text formats are masked`);
        const source = bytes.toString('utf8');
        const format = resolveFormat(args.format, input, source);
        const scope = await scopeFor(context, args.session);
        const masked = await maskDocument(context.veil, source, { format, scope });
        try {
          await writeFile(output, masked.text, { flag: args.overwrite === true ? 'w' : 'wx', mode: 0o600 });
        } catch (error: unknown) {
          if ((error as { code?: string }).code === 'EEXIST') {
            throw new ToolError(`${args.output ?? defaultMaskedPath(args.path)} exists; pass overwrite: true to replace it`);
          }
          throw new ToolError(`cannot write ${args.output ?? defaultMaskedPath(args.path)}`);
        }
        const counts: Record<string, number> = {};
        for (const entity of masked.entities) counts[entity.type] = (counts[entity.type] ?? 0) + 1;
        return jsonResult({
          input,
          output,
          format,
          entities: masked.entities.length,
          counts,
          tokens: tokenList(masked.entities),
        });
      }),
  );
}
