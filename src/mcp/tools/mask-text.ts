/**
 * `mask_text`: the text with every sensitive value replaced by a token. With a session the
 * mapping is kept (in the vault) so `unmask_text` can put the values back later.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { maskDocument, type DocumentEntity } from '../../documents/mask-document.js';
import { FORMAT_VALUES, scopeFor, textFormat, type McpContext } from '../context.js';
import { jsonResult, runTool } from '../tool-error.js';

export const tokenListSchema = z.array(z.object({ token: z.string(), type: z.string(), count: z.number().int() }));

/** Distinct placeholders in order of first appearance, with how often each occurs. */
export function tokenList(entities: readonly DocumentEntity[]): Array<{ token: string; type: string; count: number }> {
  const byToken = new Map<string, { token: string; type: string; count: number }>();
  for (const entity of entities) {
    const token = entity.token === undefined ? `[${entity.type}]` : `<<${entity.token}>>`;
    const entry = byToken.get(token) ?? { token, type: entity.type, count: 0 };
    entry.count++;
    byToken.set(token, entry);
  }
  return [...byToken.values()];
}

export function registerMaskTextTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'mask_text',
    {
      title: 'Mask personal data in a text',
      description:
        'Replaces personal and secret data with tokens such as <<EMAIL_1>>; the same value always gets the same token. ' +
        'Pass a session id to keep the mapping so unmask_text can restore the values; without one nothing is kept. ' +
        'format keeps structured text valid (json, csv, html, ...).',
      inputSchema: {
        text: z.string().describe('Text to mask'),
        session: z.string().min(1).optional().describe('Session id that keeps the token mapping'),
        format: z.enum(FORMAT_VALUES).optional().describe('Format of the text (default text)'),
      },
      outputSchema: {
        text: z.string(),
        session: z.string().nullable(),
        tokens: tokenListSchema,
        entities: z.array(
          z.object({
            type: z.string(),
            token: z.string().nullable(),
            start: z.number().int(),
            end: z.number().int(),
            line: z.number().int(),
          }),
        ),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(context, async () => {
        const scope = await scopeFor(context, args.session);
        const masked = await maskDocument(context.veil, args.text, { format: textFormat(args.format), scope });
        const payload = {
          text: masked.text,
          session: args.session ?? null,
          tokens: tokenList(masked.entities),
          entities: masked.entities.map((entity) => ({
            type: entity.type,
            token: entity.token ?? null,
            start: entity.start,
            end: entity.end,
            line: entity.line,
          })),
        };
        // The masked text is what an agent wants to read; the token list goes in the structured part.
        return jsonResult(payload, masked.text);
      }),
  );
}
