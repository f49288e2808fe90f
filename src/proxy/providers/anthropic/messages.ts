/**
 * Anthropic Messages (`POST /v1/messages`, `/v1/messages/count_tokens`): `system` (a string or
 * text blocks) and every message's content (strings; text, tool_use input, tool_result,
 * document, search_result and thinking blocks) go out masked; the answer's content blocks come
 * back rehydrated. Streams are rewritten event by event with one rehydrator per content block
 * index; `input_json_delta` fragments are partial JSON, so values are put back JSON-escaped.
 * @module
 */
import { badField, errorBody } from '../../errors.js';
import type { SseEvent } from '../../sse.js';
import { isObject, optionalBoolean, rehydrateLeaves, TextCollector, type JsonObject, parseStreamEvent } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, ProviderErrorBody, Rehydration, StreamRewriter } from '../provider-adapter.js';

/** Content blocks: text, tool_use, tool_result, document, search_result, thinking; others (images) pass unscanned. */
function collectBlocks(collector: TextCollector, owner: JsonObject, key: string, path: string): void {
  const content = owner[key];
  if (content === undefined || content === null) return;
  if (typeof content === 'string') {
    collector.add(owner, key, path);
    return;
  }
  if (!Array.isArray(content)) throw badField(path, 'string or array of content blocks');
  for (let index = 0; index < content.length; index++) {
    const block: unknown = content[index];
    const blockPath = `${path}[${index}]`;
    if (!isObject(block)) throw badField(blockPath, 'object');
    collectBlock(collector, block, blockPath);
  }
}

function collectBlock(collector: TextCollector, block: JsonObject, path: string): void {
  switch (block['type']) {
    case 'text':
      collector.optionalString(block, 'text', `${path}.text`);
      return;
    case 'tool_use':
    case 'server_tool_use': {
      const input = block['input'];
      if (typeof input === 'object' && input !== null) collector.addLeaves(input, `${path}.input`);
      return;
    }
    case 'tool_result':
      collectBlocks(collector, block, 'content', `${path}.content`);
      return;
    case 'document': {
      collector.optionalString(block, 'title', `${path}.title`);
      collector.optionalString(block, 'context', `${path}.context`);
      const source = block['source'];
      if (!isObject(source)) return;
      if (source['type'] === 'text') collector.optionalString(source, 'data', `${path}.source.data`);
      else if (source['type'] === 'content') collectBlocks(collector, source, 'content', `${path}.source.content`);
      else collector.unscanned++;
      return;
    }
    case 'search_result':
      collector.optionalString(block, 'title', `${path}.title`);
      collectBlocks(collector, block, 'content', `${path}.content`);
      return;
    case 'thinking':
      collector.optionalString(block, 'thinking', `${path}.thinking`);
      return;
    case 'redacted_thinking':
      return;
    default:
      collector.unscanned++;
  }
}

function extractMessages(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collectBlocks(collector, body, 'system', 'system');
  const messages = body['messages'];
  if (!Array.isArray(messages)) throw badField('messages', 'array');
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    const path = `messages[${index}]`;
    if (!isObject(message)) throw badField(path, 'object');
    if (typeof message['role'] !== 'string') throw badField(`${path}.role`, 'string');
    collectBlocks(collector, message, 'content', `${path}.content`);
  }
  // Often an end-user id, sometimes an e-mail address.
  const metadata = body['metadata'];
  if (isObject(metadata)) collector.optionalString(metadata, 'user_id', 'metadata.user_id');
  return collector;
}

/** Rehydrates the text of one response content block in place. */
function rehydrateBlock(block: unknown, rehydration: Rehydration): void {
  if (!isObject(block)) return;
  const text = (value: string): string => rehydration.text(value);
  if (typeof block['text'] === 'string') block['text'] = text(block['text']);
  if (typeof block['thinking'] === 'string') block['thinking'] = text(block['thinking']);
  if (block['type'] === 'tool_use' || block['type'] === 'server_tool_use') block['input'] = rehydrateLeaves(block['input'], text);
  if (Array.isArray(block['content'])) for (const inner of block['content']) rehydrateBlock(inner, rehydration);
}

function rehydrateMessage(message: unknown, rehydration: Rehydration): void {
  if (!isObject(message)) return;
  const content = message['content'];
  if (Array.isArray(content)) for (const block of content) rehydrateBlock(block, rehydration);
}

/** `{"type":"error","error":{"type","message"}}`: rehydrates the message; true when `body` is one. */
function rehydrateError(body: unknown, rehydration: Rehydration): boolean {
  if (!isObject(body) || body['type'] !== 'error') return false;
  const error = body['error'];
  if (isObject(error) && typeof error['message'] === 'string') error['message'] = rehydration.text(error['message']);
  return true;
}

/** Anthropic's error type for an HTTP status (https://docs.anthropic.com/en/api/errors). */
function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    default:
      return 'api_error';
  }
}

export function anthropicErrorBody(error: unknown): ProviderErrorBody {
  const { status, body } = errorBody(error);
  return { status, body: { type: 'error', error: { type: anthropicErrorType(status), message: body.error.message } } };
}

/** Delta types that carry text, the field that holds it, and whether it is partial JSON. */
const DELTA_FIELDS: Readonly<Record<string, { readonly field: string; readonly json: boolean }>> = {
  text_delta: { field: 'text', json: false },
  input_json_delta: { field: 'partial_json', json: true },
  thinking_delta: { field: 'thinking', json: false },
};

interface OpenBlock {
  readonly rehydrator: ChunkRehydrator;
  readonly deltaType: string;
  readonly eventName: string | undefined;
}

class MessagesStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  /** Per content block index, per delta type: a block carries one kind of delta. */
  private readonly blocks = new Map<number, OpenBlock>();

  constructor(rehydration: Rehydration) {
    this.rehydration = rehydration;
  }

  event(event: SseEvent, out: SseEvent[]): void {
    const data = event.data;
    if (data === undefined) {
      out.push(event);
      return;
    }
    const payload = parseStreamEvent(data);
    const type = typeof payload['type'] === 'string' ? payload['type'] : (event.event ?? '');
    switch (type) {
      case 'content_block_delta': {
        if (this.delta(payload, event.event)) event.data = JSON.stringify(payload);
        break;
      }
      case 'content_block_stop': {
        if (typeof payload['index'] === 'number') this.flush(payload['index'], out);
        break;
      }
      case 'content_block_start': {
        // Usually empty (text "" or input {}); a server tool may start with content.
        rehydrateBlock(payload['content_block'], this.rehydration);
        event.data = JSON.stringify(payload);
        break;
      }
      case 'message_start': {
        rehydrateMessage(payload['message'], this.rehydration);
        event.data = JSON.stringify(payload);
        break;
      }
      case 'message_delta':
      case 'message_stop': {
        // Every block should be stopped by now; whatever is held back goes out first.
        this.end(out);
        break;
      }
      case 'error': {
        rehydrateError(payload, this.rehydration);
        event.data = JSON.stringify(payload);
        break;
      }
      default:
        break;
    }
    out.push(event);
  }

  end(out: SseEvent[]): void {
    for (const index of [...this.blocks.keys()]) this.flush(index, out);
  }

  errorEvent(error: unknown): SseEvent {
    return { event: 'error', data: JSON.stringify(anthropicErrorBody(error).body), extra: [] };
  }

  /** Rehydrates one delta in place; true when it changed. */
  private delta(payload: JsonObject, eventName: string | undefined): boolean {
    const delta = payload['delta'];
    const index = payload['index'];
    if (!isObject(delta) || typeof index !== 'number' || typeof delta['type'] !== 'string') return false;
    const spec = DELTA_FIELDS[delta['type']];
    if (spec === undefined) return false;
    const text = delta[spec.field];
    if (typeof text !== 'string' || text.length === 0) return false;
    let open = this.blocks.get(index);
    if (open === undefined || open.deltaType !== delta['type']) {
      if (open !== undefined) this.blocks.delete(index);
      open = { rehydrator: this.rehydration.stream(spec.json), deltaType: delta['type'], eventName };
      this.blocks.set(index, open);
    }
    const next = open.rehydrator.feed(text);
    if (next === text) return false;
    delta[spec.field] = next;
    return true;
  }

  /** Sends what block `index` still holds back as one more delta, before its stop event. */
  private flush(index: number, out: SseEvent[]): void {
    const open = this.blocks.get(index);
    if (open === undefined) return;
    this.blocks.delete(index);
    const rest = open.rehydrator.end();
    if (rest.length === 0) return;
    const field = DELTA_FIELDS[open.deltaType]?.field ?? 'text';
    const payload = { type: 'content_block_delta', index, delta: { type: open.deltaType, [field]: rest } };
    out.push({ event: open.eventName ?? 'content_block_delta', data: JSON.stringify(payload), extra: [] });
  }
}

export const anthropicMessagesAdapter: ProviderAdapter = {
  id: 'anthropic.messages',
  rehydrates: true,
  extract: extractMessages,
  isStream: (body) => optionalBoolean(body, 'stream'),
  rehydrateResponse(body, rehydration) {
    if (rehydrateError(body, rehydration)) return;
    rehydrateMessage(body, rehydration);
  },
  streamRewriter: (rehydration) => new MessagesStreamRewriter(rehydration),
  errorBody: anthropicErrorBody,
};

/** `POST /v1/messages/count_tokens`: the same request masked; the answer is a count. */
export const anthropicCountTokensAdapter: ProviderAdapter = {
  id: 'anthropic.count_tokens',
  rehydrates: false,
  extract: extractMessages,
  isStream: () => false,
  rehydrateResponse(body, rehydration) {
    rehydrateError(body, rehydration);
  },
  streamRewriter: () => ({ event: (event, out) => out.push(event), end: () => undefined }),
  errorBody: anthropicErrorBody,
};
