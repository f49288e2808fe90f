/**
 * A recording mock of an OpenAI-compatible provider for gateway tests: every request body is
 * kept so a test can assert that no personal value reached it. By default it answers like a
 * model that repeats every Veil token it saw, so rehydration is visible in the client's result.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type MockHandler = (request: Recorded, res: ServerResponse) => void | Promise<void>;

export interface MockUpstream {
  /** Base URL including `/v1`. */
  readonly url: string;
  readonly recorded: Recorded[];
  /** Replaces the answer for the next requests. */
  handle(handler: MockHandler): void;
  close(): Promise<void>;
}

export const TOKEN = /<<[A-Z][A-Z0-9_]*_\d+>>/g;

export function tokensIn(text: string): string[] {
  return [...new Set(text.match(TOKEN) ?? [])];
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

export function chatCompletion(choices: unknown[]): unknown {
  return { id: 'chatcmpl-mock', object: 'chat.completion', created: 1, model: 'mock', choices, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
}

export function chunk(choices: unknown[], extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1, model: 'mock', choices, ...extra })}\n\n`;
}

/** Streams `events` as separate writes, yielding to the event loop in between. */
export async function writeEvents(res: ServerResponse, events: readonly (string | Buffer)[], status = 200): Promise<void> {
  res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  for (const event of events) {
    if (res.destroyed) return;
    res.write(event);
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

/** The default model: echoes the tokens it saw in the last message, whole or streamed. */
export const echoTokens: MockHandler = async (request, res) => {
  const body = JSON.parse(request.body) as { stream?: boolean; n?: number };
  const text = `Seen: ${tokensIn(request.body).join(' ')}`;
  if (request.path.endsWith('/chat/completions')) {
    const n = body.n ?? 1;
    if (body.stream === true) {
      const events: string[] = [];
      for (let index = 0; index < n; index++) {
        for (let at = 0; at < text.length; at += 5) events.push(chunk([{ index, delta: { content: text.slice(at, at + 5) }, finish_reason: null }]));
        events.push(chunk([{ index, delta: {}, finish_reason: 'stop' }]));
      }
      events.push('data: [DONE]\n\n');
      await writeEvents(res, events);
      return;
    }
    sendJson(
      res,
      200,
      chatCompletion(Array.from({ length: n }, (_, index) => ({ index, message: { role: 'assistant', content: `${index}: ${text}` }, finish_reason: 'stop' }))),
    );
    return;
  }
  if (request.path.endsWith('/embeddings')) {
    const vector = [0.5, 0.25];
    const embedding = (body as { encoding_format?: string }).encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    sendJson(res, 200, { object: 'list', model: 'mock', data: [{ object: 'embedding', index: 0, embedding }], usage: { prompt_tokens: 1, total_tokens: 1 } });
    return;
  }
  sendJson(res, 404, { error: { message: 'mock: no route', type: 'invalid_request_error', code: null, param: null } });
};

export async function startMockUpstream(handler: MockHandler = echoTokens): Promise<MockUpstream> {
  let current = handler;
  const recorded: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (data: Buffer) => chunks.push(data));
    req.on('end', () => {
      const entry: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      recorded.push(entry);
      Promise.resolve(current(entry, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    recorded,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
