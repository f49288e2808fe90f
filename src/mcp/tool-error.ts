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
export async function runTool(context: { readonly activity: Activity }, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  context.activity.enter();
  try {
    return await body();
  } catch (error: unknown) {
    if (error instanceof ToolError || error instanceof VeilError) return toolErrorResult(error.message);
    return toolErrorResult(`internal error (${error instanceof Error ? error.name : 'unknown'})`);
  } finally {
    // After the SDK has written the response (a few microtasks later), not before it.
    setImmediate(() => context.activity.leave());
  }
}

/**
 * Counts running tool calls, so a stdio server whose client closed stdin right after its last
 * request finishes (and answers) what is in flight before the vault is closed.
 */
export class Activity {
  private running = 0;
  private waiters: Array<() => void> = [];

  enter(): void {
    this.running++;
  }

  leave(): void {
    this.running--;
    if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** A success result with the structured payload also given as JSON text for clients without structured output. */
export function jsonResult(payload: Record<string, unknown>, text?: string): CallToolResult {
  return { content: [{ type: 'text', text: text ?? JSON.stringify(payload, null, 2) }], structuredContent: payload };
}
