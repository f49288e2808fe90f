/**
 * `unmask_text`: puts a session's values back. Every attempt goes through the authorizer and,
 * allowed or denied, to the audit sink.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { unmaskDocument } from '../../documents/mask-document.js';
import type { UnmaskRequest } from '../authorizer.js';
import { FORMAT_VALUES, scopeFor, textFormat, type McpContext } from '../context.js';
import { jsonResult, runTool, ToolError } from '../tool-error.js';

const TOKEN = /<<\s*([A-Za-z][A-Za-z0-9_]*_\d+)\s*>>|&lt;&lt;([A-Za-z][A-Za-z0-9_]*_\d+)&gt;&gt;/g;

export function registerUnmaskTextTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'unmask_text',
    {
      title: 'Restore masked values',
      description:
        "Replaces the tokens of a session (<<EMAIL_1>>, ...) with the original values. Needs authorization: " +
        'denied unless the server allows unmasking for this caller. Every attempt is audited.',
      inputSchema: {
        text: z.string().describe('Text containing tokens'),
        session: z.string().min(1).describe('Session id the text was masked with'),
        format: z.enum(FORMAT_VALUES).optional().describe('Format of the text (default text); html unescapes placeholders'),
      },
      outputSchema: { text: z.string(), restored: z.number().int() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(context, async () => {
        const request: UnmaskRequest = {
          tool: 'unmask_text',
          transport: context.transport,
          tenant: context.tenant,
          session: args.session,
          ...(context.principal === undefined ? {} : { principal: context.principal }),
        };
        const decision = await context.authorizer.authorize(request);
        const auditBase = {
          action: 'unmask' as const,
          transport: context.transport,
          tenant: context.tenant,
          session: args.session,
          ...(context.principal === undefined ? {} : { principal: context.principal }),
          reason: decision.reason,
          ...(decision.rule === undefined ? {} : { rule: decision.rule }),
        };
        if (!decision.allowed) {
          // Denied either way; a failure to audit the denial must not turn it into another error.
          await Promise.resolve(context.audit?.({ ...auditBase, outcome: 'denied', tokens: 0 })).catch(() => undefined);
          throw new ToolError(`unmask denied: ${decision.reason}`);
        }
        const scope = await scopeFor(context, args.session);
        let restored = 0;
        for (const match of args.text.matchAll(TOKEN)) {
          if (scope.resolve(match[1] ?? match[2] ?? '') !== undefined) restored++;
        }
        const text = unmaskDocument(context.veil, args.text, scope, textFormat(args.format));
        // Values are released only once the release is on record.
        try {
          await context.audit?.({ ...auditBase, outcome: 'allowed', tokens: restored });
        } catch {
          throw new ToolError('unmask refused: the attempt could not be recorded in the audit log');
        }
        return jsonResult({ text, restored }, text);
      }),
  );
}
