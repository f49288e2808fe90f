/**
 * Errors a tool reports to the client as an `isError` result (bad path, denied unmask...),
 * as opposed to protocol errors.
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { VeilError } from '../core/errors.js';

export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export function toolErrorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/**
 * Runs a tool body and turns expected failures into tool errors. Veil's own errors are safe to
 * show (they never carry values); anything else is reported by kind only.
 */
export async function runTool(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error: unknown) {
    if (error instanceof ToolError || error instanceof VeilError) return toolErrorResult(error.message);
    return toolErrorResult(`internal error (${error instanceof Error ? error.name : 'unknown'})`);
  }
}

/** A success result with the structured payload also given as JSON text for clients without structured output. */
export function jsonResult(payload: Record<string, unknown>, text?: string): CallToolResult {
  return { content: [{ type: 'text', text: text ?? JSON.stringify(payload, null, 2) }], structuredContent: payload };
}
