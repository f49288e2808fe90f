/**
 * Ollama's native API: `POST /api/chat` (messages with content, thinking and tool calls whose
 * arguments are JSON objects), `/api/generate` (prompt, suffix, system), `/api/embed` and
 * `/api/embeddings`. Streams are NDJSON, one JSON object per line, and Ollama streams unless
 * `stream: false`. Tool calls arrive whole in one line, so their arguments are rehydrated whole;
 * text is rehydrated line by line, and what is held back goes out with the `done` line.
 * @module
 */
import { VeilError, VeilErrorCode } from '../../../core/errors.js';
import { badField, errorBody } from '../../errors.js';
import type { SseEvent } from '../../sse.js';
import { isObject, rehydrateLeaves, TextCollector, type JsonObject } from '../json-text.js';
import { collectStrings } from '../openai/embeddings.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, ProviderErrorBody, Rehydration, StreamRewriter } from '../provider-adapter.js';

function streams(body: JsonObject): boolean {
  const value = body['stream'];
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw badField('stream', 'boolean');
  return value;
}

function collectToolCalls(collector: TextCollector, message: JsonObject, path: string): void {
  const calls = message['tool_calls'];
  if (calls === undefined || calls === null) return;
  if (!Array.isArray(calls)) throw badField(`${path}.tool_calls`, 'array');
  calls.forEach((call: unknown, index) => {
    const fn = isObject(call) ? call['function'] : undefined;
    if (!isObject(fn)) return;
    const args = fn['arguments'];
    const argsPath = `${path}.tool_calls[${index}].function.arguments`;
    if (typeof args === 'string') collector.addJsonString(fn, 'arguments', argsPath);
    else if (typeof args === 'object' && args !== null) collector.addLeaves(args, argsPath);
  });
}

function extractChat(body: JsonObject): Extraction {
  const messages = body['messages'];
  if (!Array.isArray(messages)) throw badField('messages', 'array');
  const collector = new TextCollector();
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    const path = `messages[${index}]`;
    if (!isObject(message)) throw badField(path, 'object');
    if (typeof message['role'] !== 'string') throw badField(`${path}.role`, 'string');
    collector.optionalString(message, 'content', `${path}.content`);
    collector.optionalString(message, 'thinking', `${path}.thinking`);
    collectToolCalls(collector, message, path);
    if (Array.isArray(message['images'])) collector.unscanned += message['images'].length;
  }
  return collector;
}

function extractGenerate(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collector.optionalString(body, 'prompt', 'prompt');
  collector.optionalString(body, 'suffix', 'suffix');
  collector.optionalString(body, 'system', 'system');
  if (Array.isArray(body['images'])) collector.unscanned += body['images'].length;
  return collector;
}

function extractEmbed(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collectStrings(collector, body, 'input');
  collector.optionalString(body, 'prompt', 'prompt');
  return collector;
}

/** Ollama's error body is `{"error":"message"}`. */
export function ollamaErrorBody(error: unknown): ProviderErrorBody {
  const { status, body } = errorBody(error);
  return { status, body: { error: body.error.message } };
}

function rehydrateError(body: JsonObject, rehydration: Rehydration): void {
  if (typeof body['error'] === 'string') body['error'] = rehydration.text(body['error']);
}

function rehydrateChatMessage(message: unknown, rehydration: Rehydration): void {
  if (!isObject(message)) return;
  const text = (value: string): string => rehydration.text(value);
  if (typeof message['content'] === 'string') message['content'] = text(message['content']);
  if (typeof message['thinking'] === 'string') message['thinking'] = text(message['thinking']);
  const calls = message['tool_calls'];
  if (!Array.isArray(calls)) return;
  for (const call of calls) {
    const fn = isObject(call) ? call['function'] : undefined;
    if (!isObject(fn)) continue;
    if (typeof fn['arguments'] === 'string') fn['arguments'] = rehydration.json(fn['arguments']);
    else fn['arguments'] = rehydrateLeaves(fn['arguments'], text);
  }
}

/** Text fields streamed in pieces: `message.content` / `message.thinking` (chat), `response` / `thinking` (generate). */
type Owner = 'message' | 'root';

class NdjsonStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  private readonly owner: Owner;
  private readonly fields: readonly string[];
  private readonly open = new Map<string, ChunkRehydrator>();
  private last: JsonObject | undefined;

  constructor(rehydration: Rehydration, owner: Owner) {
    this.rehydration = rehydration;
    this.owner = owner;
    this.fields = owner === 'message' ? ['content', 'thinking'] : ['response', 'thinking'];
  }

  event(event: SseEvent, out: SseEvent[]): void {
    let line: unknown;
    try {
      line = JSON.parse(event.data ?? '');
    } catch {
      throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a stream line that is not JSON.');
    }
    if (!isObject(line)) throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a stream line that is not a JSON object.');
    rehydrateError(line, this.rehydration);
    const target = this.owner === 'message' ? line['message'] : line;
    const done = line['done'] === true;
    if (isObject(target)) {
      for (const field of this.fields) {
        const value = target[field];
        const piece = typeof value === 'string' ? value : '';
        let rehydrator = this.open.get(field);
        if (piece.length > 0 && rehydrator === undefined) {
          rehydrator = this.rehydration.stream(false);
          this.open.set(field, rehydrator);
        }
        if (rehydrator === undefined) continue;
        let next = piece.length > 0 ? rehydrator.feed(piece) : '';
        if (done) {
          next += rehydrator.end();
          this.open.delete(field);
        }
        if (next !== piece) target[field] = next;
      }
      if (this.owner === 'message' && Array.isArray(target['tool_calls'])) {
        rehydrateChatMessage({ tool_calls: target['tool_calls'] }, this.rehydration);
      }
    }
    this.last = line;
    event.data = JSON.stringify(line);
    out.push(event);
  }

  /** The stream ended without a `done` line: what is held back goes out as one more line. */
  end(out: SseEvent[]): void {
    const rest: JsonObject = {};
    for (const [field, rehydrator] of this.open) {
      const text = rehydrator.end();
      if (text.length > 0) rest[field] = text;
    }
    this.open.clear();
    if (Object.keys(rest).length === 0) return;
    const base = { model: this.last?.['model'], created_at: this.last?.['created_at'] };
    const line = this.owner === 'message' ? { ...base, message: { role: 'assistant', ...rest }, done: false } : { ...base, ...rest, done: false };
    out.push({ event: undefined, data: JSON.stringify(line), extra: [] });
  }

  errorEvent(error: unknown): SseEvent {
    return { event: undefined, data: JSON.stringify(ollamaErrorBody(error).body), extra: [] };
  }
}

export const ollamaChatAdapter: ProviderAdapter = {
  id: 'ollama.chat',
  rehydrates: true,
  extract: extractChat,
  isStream: streams,
  rehydrateResponse(body, rehydration) {
    if (!isObject(body)) return;
    rehydrateError(body, rehydration);
    rehydrateChatMessage(body['message'], rehydration);
  },
  streamRewriter: (rehydration) => new NdjsonStreamRewriter(rehydration, 'message'),
  errorBody: ollamaErrorBody,
};

export const ollamaGenerateAdapter: ProviderAdapter = {
  id: 'ollama.generate',
  rehydrates: true,
  extract: extractGenerate,
  isStream: streams,
  rehydrateResponse(body, rehydration) {
    if (!isObject(body)) return;
    rehydrateError(body, rehydration);
    if (typeof body['response'] === 'string') body['response'] = rehydration.text(body['response']);
    if (typeof body['thinking'] === 'string') body['thinking'] = rehydration.text(body['thinking']);
  },
  streamRewriter: (rehydration) => new NdjsonStreamRewriter(rehydration, 'root'),
  errorBody: ollamaErrorBody,
};

export const ollamaEmbedAdapter: ProviderAdapter = {
  id: 'ollama.embed',
  rehydrates: false,
  extract: extractEmbed,
  isStream: () => false,
  rehydrateResponse(body, rehydration) {
    if (isObject(body)) rehydrateError(body, rehydration);
  },
  streamRewriter: () => ({ event: (event, out) => out.push(event), end: () => undefined }),
  errorBody: ollamaErrorBody,
};
