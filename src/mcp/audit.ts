/**
 * MCP audit events into Veil's audit log: an unmask attempt, allowed or denied, becomes one
 * `unmask` event. Ids that the log would refuse (a principal with a space) are stored as null
 * rather than failing the tool call: the event itself must not be lost.
 * @module
 */
import type { AuditEventInput } from '../audit/event.js';
import { isAuditIdentifier } from '../audit/event.js';
import type { McpAuditEvent, McpAuditSink } from './authorizer.js';

export function toAuditEvent(event: McpAuditEvent): AuditEventInput {
  const ident = (value: string | undefined): string | null =>
    value !== undefined && isAuditIdentifier(value) ? value : null;
  return {
    kind: 'unmask',
    tenant: ident(event.tenant) ?? 'other',
    principal: { key_id: ident(event.principal), role: null },
    route: event.transport === 'http' ? '/mcp' : null,
    command: 'mcp',
    // An authorizer may name several rules (`a,b`): one id each.
    rule_ids: (event.rule ?? '').split(',').filter((id) => isAuditIdentifier(id)),
    ...(event.tokenIds === undefined ? {} : { token_ids: [...event.tokenIds] }),
    outcome: event.outcome === 'allowed' ? 'ok' : 'denied',
    unmask: { allowed: event.outcome === 'allowed', tokens: event.tokens },
  };
}

/** An `McpAuditSink` over anything with the audit log's `record()` (the gateway's log, or the CLI's). */
export function auditLogSink(log: { record(input: AuditEventInput): void }): McpAuditSink {
  return (event) => log.record(toAuditEvent(event));
}

/**
 * A sink that opens the audit log for each event and closes it again. The JSONL log has one
 * writer at a time, and a long-lived `veil mcp` must not hold it: the gateway, another agent's
 * `veil mcp` or `veil vault` on the same data dir need it too. Unmasks are rare, so the cost of
 * opening is paid rarely; a busy lock is retried for a second.
 */
export function openPerEventAuditSink(open: () => Promise<{ record(input: AuditEventInput): void; flush(): Promise<void>; close(): Promise<void> }>): McpAuditSink {
  return async (event) => {
    let lastError: unknown;
    for (let attempt = 0; attempt < 10; attempt++) {
      let log: Awaited<ReturnType<typeof open>>;
      try {
        log = await open();
      } catch (error: unknown) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      try {
        log.record(toAuditEvent(event));
        await log.flush();
        return;
      } finally {
        await log.close();
      }
    }
    throw lastError instanceof Error ? lastError : new Error('the audit log could not be opened');
  };
}
