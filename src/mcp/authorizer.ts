/**
 * Who may turn tokens back into values over MCP. Unmasking is the one tool that releases
 * personal data, so it is denied unless the operator said otherwise: `veil mcp --allow-unmask`
 * for a local stdio server, or an authorizer passed to the HTTP handler (the gateway's, once the
 * policy's unmask rules are wired in).
 * @module
 */

/** A token the text would have put back (issued in the session's scope). */
export interface UnmaskToken {
  /** Canonical key, e.g. `EMAIL_1`. */
  readonly token: string;
  readonly type: string;
}

export interface UnmaskRequest {
  readonly tool: 'unmask_text';
  readonly transport: 'stdio' | 'http';
  readonly tenant: string;
  readonly session: string;
  /** Caller identity the transport established (HTTP: from the gateway's auth); absent on stdio. */
  readonly principal?: string;
  /** The caller's roles, as the gateway's auth established them. */
  readonly roles?: readonly string[];
  /** Why the caller wants the values (the tool's `reason` argument). */
  readonly justification?: string;
  /** Every token of the session found in the text. */
  readonly tokens: readonly UnmaskToken[];
}

export interface UnmaskDecision {
  readonly allowed: boolean;
  /** Why, for the tool error and the audit record. Never contains values. */
  readonly reason: string;
  /** Id of the rule that decided, when a policy did. */
  readonly rule?: string;
  /**
   * When allowed: the token keys that may be put back; the others stay tokens. Absent: all of
   * them.
   */
  readonly tokens?: readonly string[];
}

export interface UnmaskAuthorizer {
  authorize(request: UnmaskRequest): UnmaskDecision | Promise<UnmaskDecision>;
}

export const denyUnmask: UnmaskAuthorizer = {
  authorize: () => ({
    allowed: false,
    reason: 'unmasking is not authorized on this server (start it with --allow-unmask, or configure an unmask policy)',
  }),
};

export const allowUnmask: UnmaskAuthorizer = {
  authorize: () => ({ allowed: true, reason: 'allowed by --allow-unmask' }),
};

/** One MCP event worth an audit record. Carries counts and ids, never values or tokens' values. */
export interface McpAuditEvent {
  readonly action: 'unmask';
  readonly outcome: 'allowed' | 'denied';
  readonly transport: 'stdio' | 'http';
  readonly tenant: string;
  readonly session: string;
  readonly principal?: string;
  readonly reason: string;
  readonly rule?: string;
  /** Tokens put back (0 when denied). */
  readonly tokens: number;
  /** Tokens the authorizer withheld from an otherwise allowed unmask. */
  readonly withheld?: number;
  /** Keys (`EMAIL_1`) of the tokens put back: ids, never what they stand for. */
  readonly tokenIds?: readonly string[];
}

/**
 * Where MCP audit events go. The audit log is being built separately; until it lands the CLI
 * passes none, and the gateway should pass a sink that appends to its audit chain.
 */
export type McpAuditSink = (event: McpAuditEvent) => void | Promise<void>;
