/**
 * A local stand-in for an OpenAI-compatible model server (answers like Ollama's
 * `/v1/chat/completions`). It "recognises" a fixed list of values in the text it is sent, and
 * misbehaves on request: a text containing `[late]` is answered after `lateMs`, one containing
 * `[garbled]` gets a cut-off JSON answer, one containing `[down]` an HTTP 500; with `[scored]`
 * the answer gives scores (0.9 for project codes, 0.3 for the rest).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake model finds, by type. */
export const FAKE_LLM_KNOWS: Readonly<Record<string, string>> = {
  Falcon: 'PROJECT_CODE',
  Nimbus: 'PROJECT_CODE',
  'bluejay-7': 'PROJECT_CODE',
  'kestrel-2': 'PROJECT_CODE',
  'Maria Gonzalez': 'PERSON',
  'Acme Hospital': 'ORG',
};

export interface FakeLlmCall {
  readonly model: string;
  readonly authorization: string | undefined;
  readonly system: string;
  readonly user: string;
}

export interface FakeLlm {
  /** Base URL to configure, ending in `/v1`. */
  readonly url: string;
  readonly calls: FakeLlmCall[];
  close(): Promise<void>;
}

/** An Ollama-like answer to /v1/chat/completions carrying `content`. */
export function completion(content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model: 'fake',
    system_fingerprint: 'fp_ollama',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

function answer(user: string): { status: number; body: string; late: boolean } {
  const entities = Object.entries(FAKE_LLM_KNOWS)
    .filter(([value]) => user.includes(value))
    .map(([value, type]) => (user.includes('[scored]') ? { type, value, score: type === 'PROJECT_CODE' ? 0.9 : 0.3 } : { type, value }));
  if (user.includes('[down]')) return { status: 500, body: '{"error":"model not loaded"}', late: false };
  if (user.includes('[garbled]')) return { status: 200, body: completion('{"entities": [{"type": "PROJECT_CODE", "value": '), late: false };
  return { status: 200, body: completion(JSON.stringify({ entities })), late: user.includes('[late]') };
}

export async function startFakeLlm(options: { readonly lateMs?: number } = {}): Promise<FakeLlm> {
  const calls: FakeLlmCall[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as { model: string; messages: { role: string; content: string }[] };
      const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
      calls.push({
        model: body.model,
        authorization: req.headers.authorization,
        system: body.messages.find((m) => m.role === 'system')?.content ?? '',
        user,
      });
      const { status, body: text, late } = answer(user);
      const timer = setTimeout(
        () => {
          if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(text);
        },
        late ? (options.lateMs ?? 1500) : 0,
      );
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
