/**
 * What every tool handler gets: the engine, the roots, the unmask authorizer and the caller's
 * identity as the transport established it.
 * @module
 */
import type { DocumentFormat } from '../documents/format.js';
import type { Veil } from '../engine.js';
import type { TokenScope } from '../vault/token-scope.js';
import type { McpAuditSink, UnmaskAuthorizer } from './authorizer.js';
import type { Roots } from './roots.js';
import { ToolError, type Activity } from './tool-error.js';

export interface McpContext {
  readonly veil: Veil;
  readonly roots: Roots;
  readonly authorizer: UnmaskAuthorizer;
  readonly audit: McpAuditSink | undefined;
  readonly transport: 'stdio' | 'http';
  /**
   * Tenant of every scope this connection opens. Set by the operator (stdio) or by the gateway's
   * auth (HTTP), never by a tool argument: a client must not pick another tenant's tokens.
   */
  readonly tenant: string;
  readonly principal: string | undefined;
  readonly roles?: readonly string[];
  /** Largest file `mask_file` reads and `scan_directory` scans. */
  readonly maxFileBytes: number;
  readonly activity: Activity;
}

export const FORMAT_VALUES = ['auto', 'text', 'md', 'html', 'json', 'csv', 'jsonl'] as const;
export type FormatArgument = (typeof FORMAT_VALUES)[number];

export async function scopeFor(context: McpContext, session: string | undefined): Promise<TokenScope> {
  if (session !== undefined && session.trim() === '') throw new ToolError('session must be a non-empty id');
  return context.veil.openScope({ tenant: context.tenant, ...(session === undefined ? {} : { session }) });
}

/** `auto` for a text argument means plain text: there is no file name to go by. */
export function textFormat(format: FormatArgument | undefined): DocumentFormat {
  return format === undefined || format === 'auto' ? 'text' : format;
}
