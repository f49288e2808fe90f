/**
 * The MCP server: tools, transports and the unmask authorization seam.
 * @module
 */
export {
  allowUnmask,
  denyUnmask,
  type McpAuditEvent,
  type McpAuditSink,
  type UnmaskAuthorizer,
  type UnmaskDecision,
  type UnmaskRequest,
  type UnmaskToken,
} from './authorizer.js';
export { auditLogSink, openPerEventAuditSink, toAuditEvent } from './audit.js';
export { policyUnmaskAuthorizer, type PolicyUnmaskRules } from './policy-authorizer.js';
export { createMcpHttpHandler, type McpCaller, type McpHttpHandler, type McpHttpOptions } from './http.js';
export { Roots } from './roots.js';
export { createMcpServer, MCP_TOOL_NAMES, serveStdio, type RunningStdioServer, type StdioServerOptions } from './server.js';
