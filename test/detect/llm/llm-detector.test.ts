import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { completion } from './fake-llm.js';
import { LlmDetector, chunkText, occurrences, parseAnswer, type LlmStatus } from '../../../src/detect/llm/llm-detector.js';

interface Seen {
  model: string;
  system: string;
  user: string;
  jsonMode: boolean;
}

const seen: Seen[] = [];
let server: Server;
let baseUrl: string;


/** Names the fake model "recognises": capitalised words from a fixed list. */
const KNOWN = ['Alice Moreau', 'Bob', 'Falcon', 'Acme Hospital', 'Zed'];

function answerFor(body: { model: string; messages: { role: string; content: string }[] }): { status: number; text: string; delay: number } {
  const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const entities = KNOWN.filter((k) => user.includes(k)).map((value) => ({
    type: value === 'Falcon' ? 'PROJECT_CODE' : value.includes('Hospital') ? 'ORG' : 'PERSON',
    value,
  }));
  const good = JSON.stringify({ entities });
  switch (body.model) {
    case 'fenced':
      return { status: 200, text: completion(`Sure! Here you go:\n\`\`\`json\n${good}\n\`\`\``), delay: 0 };
    case 'malformed':
      return { status: 200, text: completion('{"entities": [{"type": "PERSON", "value": '), delay: 0 };
    case 'wrong-shape':
      return { status: 200, text: completion('{"people": ["Bob"]}'), delay: 0 };
    case 'not-completion':
      return { status: 200, text: '<html>gateway</html>', delay: 0 };
    case 'late':
      return { status: 200, text: completion(good), delay: 400 };
    case 'error':
      return { status: 500, text: '{"error":"model not loaded"}', delay: 0 };
    case 'hallucinate':
      return {
        status: 200,
        text: completion(JSON.stringify({ entities: [...entities, { type: 'PERSON', value: 'Nobody Here' }, { type: 'CAR', value: 'Bob' }] })),
        delay: 0,
      };
    default:
      return { status: 200, text: completion(good), delay: 0 };
  }
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as { model: string; messages: { role: string; content: string }[]; response_format?: unknown };
      seen.push({
        model: body.model,
        system: body.messages.find((m) => m.role === 'system')?.content ?? '',
        user: body.messages.find((m) => m.role === 'user')?.content ?? '',
        jsonMode: body.response_format !== undefined,
      });
      const { status, text, delay } = answerFor(body);
      const timer = setTimeout(() => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      }, delay);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function detector(model: string, extra: Partial<ConstructorParameters<typeof LlmDetector>[0]> = {}): { det: LlmDetector; statuses: LlmStatus[] } {
  const statuses: LlmStatus[] = [];
  const det = new LlmDetector({
    baseUrl,
    model,
    // Generous, so a busy machine cannot turn a quick answer into a timeout; the `late` model's
    // test sets 200 ms against its 400 ms answer (one process: the abort timer always fires first).
    timeoutMs: 5_000,
    customTypes: [{ type: 'PROJECT_CODE', description: 'internal project code names' }],
    onStatus: (status) => statuses.push(status),
    ...extra,
  });
  return { det, statuses };
}

function values(text: string, spans: readonly Span[]): string[] {
  return spans.map((s) => `${s.type}:${text.slice(s.start, s.end)}@${s.start}`);
}

describe('LlmDetector against a fake Ollama server', () => {
  it('maps every returned value to each verbatim occurrence', async () => {
    const { det, statuses } = detector('good');
    const text = 'Alice Moreau asked Bob about Falcon. Bob said Falcon is paused; Bobby disagreed.';
    const spans = await det.detect(text);
    expect(values(text, spans)).toEqual([
      'PERSON:Alice Moreau@0',
      'PERSON:Bob@19',
      'PROJECT_CODE:Falcon@29',
      'PERSON:Bob@37',
      'PROJECT_CODE:Falcon@46',
    ]);
    expect(spans[0]?.detector).toBe('llm');
    expect(statuses).toEqual([expect.objectContaining({ ok: true, chunks: 1, failedChunks: 0, droppedValues: 0 })]);
    const request = seen.at(-1);
    expect(request?.system).toContain('PROJECT_CODE: internal project code names');
    expect(request?.system).toContain('PERSON:');
    expect(request?.user).toContain(text);
    expect(request?.jsonMode).toBe(true);
  });

  it('accepts answers wrapped in prose and code fences', async () => {
    const text = 'Patient seen at Acme Hospital by Zed.';
    expect(values(text, await detector('fenced').det.detect(text))).toEqual(['ORG:Acme Hospital@16', 'PERSON:Zed@33']);
  });

  it('ignores values that are not in the text and types that were not asked for', async () => {
    const { det, statuses } = detector('hallucinate');
    const text = 'Bob went home.';
    expect(values(text, await det.detect(text))).toEqual(['PERSON:Bob@0']);
    expect(statuses[0]?.droppedValues).toBe(1);
  });

  it.each([
    ['malformed', 'malformed'],
    ['wrong-shape', 'malformed'],
    ['not-completion', 'malformed'],
    ['error', 'http'],
    ['late', 'timeout'],
  ] as const)('falls back to no spans on a %s answer and reports %s', async (model, error) => {
    const { det, statuses } = detector(model, model === 'late' ? { timeoutMs: 200 } : {});
    const spans = await det.detect('Bob and Alice Moreau.');
    expect(spans).toEqual([]);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ ok: false, error, failedChunks: 1 });
    expect(det.lastStatus?.ok).toBe(false);
  });

  it('reports an unreachable endpoint as a network failure', async () => {
    const { det, statuses } = detector('good', { baseUrl: 'http://127.0.0.1:9/v1' });
    expect(await det.detect('Bob')).toEqual([]);
    expect(statuses[0]?.error).toMatch(/network|timeout/);
  });

  it('chunks long texts with overlap and keeps offsets right', async () => {
    const { det, statuses } = detector('good', { chunkSize: 60, chunkOverlap: 20, concurrency: 3 });
    const filler = 'lorem ipsum dolor sit amet consectetur ';
    const text = `${filler}Alice Moreau ${filler}${filler}Bob ${filler}Zed ${filler}`;
    const spans = await det.detect(text);
    expect(values(text, spans).map((v) => v.split('@')[0])).toEqual(['PERSON:Alice Moreau', 'PERSON:Bob', 'PERSON:Zed']);
    for (const span of spans) expect(text.slice(span.start, span.end)).toMatch(/^(Alice Moreau|Bob|Zed)$/);
    expect(statuses[0]?.chunks).toBeGreaterThan(3);
  });

  it('rejects a bad configuration at construction', () => {
    expect(() => new LlmDetector({ baseUrl: 'not a url', model: 'x' })).toThrow(/baseUrl/);
    expect(() => new LlmDetector({ baseUrl: 'ftp://h/v1', model: 'x' })).toThrow(/http/);
    expect(() => new LlmDetector({ baseUrl, model: ' ' })).toThrow(/model/);
  });
});

describe('helpers', () => {
  it('chunkText covers the whole text with overlapping chunks', () => {
    const text = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkText(text, 100, 30);
    expect(chunks[0]?.start).toBe(0);
    for (const chunk of chunks) expect(text.slice(chunk.start, chunk.start + chunk.text.length)).toBe(chunk.text);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1];
      const current = chunks[i];
      expect(current && previous && current.start < previous.start + previous.text.length).toBe(true);
    }
    const last = chunks.at(-1);
    expect(last && last.start + last.text.length).toBe(text.length);
  });

  it('occurrences are verbatim and word-bounded', () => {
    expect(occurrences('Al and Alan and Al.', 'Al')).toEqual([0, 16]);
    expect(occurrences('call 555-1234 or 555-1234x', '555-1234')).toEqual([5]);
  });

  it('parseAnswer validates the schema', () => {
    expect(parseAnswer('{"entities":[{"type":"PERSON","value":"A B"}]}').entities).toHaveLength(1);
    expect(() => parseAnswer('nothing here')).toThrow();
    expect(() => parseAnswer('{"entities":[{"type":"PERSON"}]}')).toThrow();
  });
});
