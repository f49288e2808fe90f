/**
 * Veil's MCP server: the engine's masking as tools for coding agents and desktop assistants,
 * over stdio (`veil mcp`) or streamable HTTP (`createMcpHttpHandler`, mounted by the gateway).
 * Both transports build the same server from the same tools.
 *
 * Over stdio, stdout belongs to the protocol: nothing in here writes to the console.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Veil } from '../engine.js';
import { allowUnmask, denyUnmask, type McpAuditSink, type UnmaskAuthorizer } from './authorizer.js';
import type { McpContext } from './context.js';
import { Roots } from './roots.js';
import { Activity } from './tool-error.js';
import { registerDetectTool } from './tools/detect.js';
import { registerMaskFileTool } from './tools/mask-file.js';
import { registerMaskTextTool } from './tools/mask-text.js';
import { registerScanDirectoryTool } from './tools/scan-directory.js';
import { registerUnmaskTextTool } from './tools/unmask-text.js';

export const MCP_SERVER_NAME = 'veil';
export const MCP_SERVER_VERSION = '0.1.0';
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export const MCP_TOOL_NAMES = ['detect', 'mask_text', 'unmask_text', 'mask_file', 'scan_directory'] as const;

export function createMcpServer(context: McpContext): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        'Veil masks personal data. Call mask_text (or mask_file) before sending user data to a model or a third party; ' +
        'tokens such as <<EMAIL_1>> stand for the values. Use a session id to be able to unmask later.',
    },
  );
  registerDetectTool(server, context);
  registerMaskTextTool(server, context);
  registerUnmaskTextTool(server, context);
  registerMaskFileTool(server, context);
  registerScanDirectoryTool(server, context);
  return server;
}

export interface StdioServerOptions {
  /** Directories file tools may use (default: the current directory). */
  readonly roots?: readonly string[];
  /** Let this local user unmask (the stdio server has no caller identity beyond the OS user). */
  readonly allowUnmask?: boolean;
  readonly authorizer?: UnmaskAuthorizer;
  readonly audit?: McpAuditSink;
  readonly tenant?: string;
  readonly maxFileBytes?: number;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
}

export interface RunningStdioServer {
  readonly server: McpServer;
  /** Resolves when the client has disconnected (stdin closed) and every tool call it made has answered. */
  readonly closed: Promise<void>;
}

export async function serveStdio(veil: Veil, options: StdioServerOptions = {}): Promise<RunningStdioServer> {
  const context: McpContext = {
    veil,
    roots: await Roots.create(options.roots ?? [process.cwd()]),
    authorizer: options.authorizer ?? (options.allowUnmask === true ? allowUnmask : denyUnmask),
    audit: options.audit,
    transport: 'stdio',
    tenant: options.tenant ?? 'default',
    principal: undefined,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    activity: new Activity(),
  };
  const server = createMcpServer(context);
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
  });
  await server.connect(transport);
  return { server, closed: closed.then(() => context.activity.idle()) };
}
