/**
 * `unmask_text`: puts a session's values back. Every attempt goes through the authorizer and,
 * allowed or denied, to the audit sink.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { unmaskDocument } from '../../documents/mask-document.js';
import { typeOfTokenKey } from '../../vault/tokens/placeholder.js';
import type { TokenScope } from '../../vault/token-scope.js';
import type { UnmaskRequest, UnmaskToken } from '../authorizer.js';
import { FORMAT_VALUES, scopeFor, textFormat, type McpContext } from '../context.js';
import { jsonResult, runTool, ToolError } from '../tool-error.js';

/** The scope as seen through a list of keys: other tokens do not resolve, so they stay tokens. */
function onlyKeys(scope: TokenScope, keys: ReadonlySet<string>): TokenScope {
  return {
    tenant: scope.tenant,
    session: scope.session,
    size: keys.size,
    tokenize: (requests) => scope.tokenize(requests),
    resolve: (key) => (keys.has(key.toUpperCase()) ? scope.resolve(key) : undefined),
    issuedTypes: () => new Set([...keys].map((key) => typeOfTokenKey(key) ?? '').filter((type) => type !== '')),
  };
}

/** Every key of `scope` the rehydrator would resolve in `text`, in order of first appearance. */
function tokensIn(context: McpContext, text: string, scope: TokenScope, format: Parameters<typeof unmaskDocument>[3]): UnmaskToken[] {
  const seen = new Map<string, UnmaskToken>();
  // A dry run through a recording scope: the same scanner decides what counts as a token, so the
  // authorizer is asked about exactly what would be released (forgiven spellings included).
  const recording: TokenScope = {
    ...onlyKeys(scope, new Set()),
    size: scope.size,
    issuedTypes: () => scope.issuedTypes(),
    resolve: (key) => {
      const value = scope.resolve(key);
      const canonical = key.toUpperCase();
      if (value !== undefined && !seen.has(canonical)) seen.set(canonical, { token: canonical, type: typeOfTokenKey(canonical) ?? 'UNKNOWN' });
      return value;
    },
  };
  unmaskDocument(context.veil, text, recording, format);
  return [...seen.values()];
}

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
        reason: z.string().optional().describe('Why the values are needed (policies may require one; it is audited)'),
      },
      outputSchema: { text: z.string(), restored: z.number().int(), withheld: z.number().int() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(context, async () => {
        const format = textFormat(args.format);
        const scope = await scopeFor(context, args.session);
        const tokens = tokensIn(context, args.text, scope, format);
        const request: UnmaskRequest = {
          tool: 'unmask_text',
          transport: context.transport,
          tenant: context.tenant,
          session: args.session,
          tokens,
          ...(context.principal === undefined ? {} : { principal: context.principal }),
          ...(context.roles === undefined ? {} : { roles: context.roles }),
          ...(args.reason === undefined ? {} : { justification: args.reason }),
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
        const permitted = new Set(decision.tokens ?? tokens.map((token) => token.token));
        const released = tokens.filter((token) => permitted.has(token.token));
        const withheld = tokens.length - released.length;
        const text = unmaskDocument(context.veil, args.text, onlyKeys(scope, new Set(released.map((token) => token.token))), format);
        // Values are released only once the release is on record.
        try {
          await context.audit?.({
            ...auditBase,
            outcome: 'allowed',
            tokens: released.length,
            withheld,
            tokenIds: released.map((token) => token.token),
          });
        } catch {
          throw new ToolError('unmask refused: the attempt could not be recorded in the audit log');
        }
        return jsonResult({ text, restored: released.length, withheld }, text);
      }),
  );
}
