/**
 * The streamable-HTTP transport as a plain node:http handler, so the gateway can mount it at
 * `/mcp` behind its own authentication:
 *
 *   const mcp = createMcpHttpHandler(veil, { identify: (req) => ({ tenant, principal }), authorizer });
 *   if (url.pathname === '/mcp') return mcp(req, res);
 *
 * Stateless: every POST gets a fresh server and transport (tool calls carry everything they
 * need, sessions of tokens live in the vault), so nothing is held between requests and any
 * gateway instance can answer. Responses are SSE streams, which is what carries progress
 * notifications of a long `scan_directory`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Veil } from '../engine.js';
import { denyUnmask, type McpAuditSink, type UnmaskAuthorizer } from './authorizer.js';
import { Roots } from './roots.js';
import { Activity } from './tool-error.js';
import { createMcpServer, DEFAULT_MAX_FILE_BYTES } from './server.js';

export interface McpCaller {
  /** Tenant whose token scopes this request uses (default `default`). */
  readonly tenant?: string;
  /** Who is calling, for the unmask authorizer and the audit record (an API key id, a JWT subject). */
  readonly principal?: string;
  /** The caller's roles, for the unmask authorizer. */
  readonly roles?: readonly string[];
}

export interface McpHttpOptions {
  /** Directories file tools may use (default: the process's working directory). */
  readonly roots?: readonly string[];
  /** Decides `unmask_text`. Default: deny everything. */
  readonly authorizer?: UnmaskAuthorizer;
  readonly audit?: McpAuditSink;
  /** The caller as the gateway's auth established it. */
  readonly identify?: (req: IncomingMessage) => McpCaller | Promise<McpCaller>;
  readonly maxFileBytes?: number;
  /** Largest JSON-RPC body accepted. Default 8 MiB. */
  readonly maxBodyBytes?: number;
}

export type McpHttpHandler = (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<void>;

class BodyTooLarge extends Error {}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

export function createMcpHttpHandler(veil: Veil, options: McpHttpOptions = {}): McpHttpHandler {
  // Resolved once, on first use, so creating the handler stays synchronous for the gateway.
  let roots: Promise<Roots> | undefined;
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  return async (req, res, parsedBody) => {
    if (req.method !== 'POST') {
      // Stateless server: no standalone SSE stream to GET and no session to DELETE.
      res.setHeader('allow', 'POST');
      jsonRpcError(res, 405, -32000, 'Method not allowed: this MCP endpoint is stateless, use POST');
      return;
    }
    let body = parsedBody;
    if (body === undefined) {
      try {
        body = await readJson(req, maxBodyBytes);
      } catch (error: unknown) {
        if (error instanceof BodyTooLarge) jsonRpcError(res, 413, -32000, `Request body over ${maxBodyBytes} bytes`);
        else jsonRpcError(res, 400, -32700, 'Parse error: body is not JSON');
        return;
      }
    }
    // A failure (a root that does not exist yet) is not cached: the next request tries again.
    const rootsReady = (roots ??= Roots.create(options.roots ?? [process.cwd()]).catch((error: unknown) => {
      roots = undefined;
      throw error;
    }));
    const caller = (await options.identify?.(req)) ?? {};
    const server = createMcpServer({
      veil,
      roots: await rootsReady,
      authorizer: options.authorizer ?? denyUnmask,
      audit: options.audit,
      transport: 'http',
      tenant: caller.tenant ?? 'default',
      principal: caller.principal,
      ...(caller.roles === undefined ? {} : { roles: caller.roles }),
      maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      activity: new Activity(),
    });
    // No session id generator: stateless mode.
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
}
