/**
 * AWS Bedrock Converse (`POST /model/{modelId}/converse`) and ConverseStream
 * (`/converse-stream`, binary AWS event stream): `system` and every message content block go
 * out masked (text, `toolUse.input`, `toolResult` text and JSON, document text, reasoning,
 * guarded text); `output.message.content` comes back rehydrated. In a stream one rehydrator per
 * `contentBlockIndex`; `toolUse.input` deltas are partial JSON, so values go back JSON-escaped.
 * The framing (event stream) is the gateway's; signing is the Bedrock upstream's.
 * @module
 */
import { badField, errorBody } from '../../errors.js';
import { eventStreamEvent } from '../../framing.js';
import type { SseEvent } from '../../sse.js';
import { isObject, rehydrateLeaves, TextCollector, type JsonObject, parseStreamEvent } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, ProviderErrorBody, Rehydration, StreamRewriter } from '../provider-adapter.js';

function collectBlocks(collector: TextCollector, blocks: unknown, path: string): void {
  if (blocks === undefined || blocks === null) return;
  if (!Array.isArray(blocks)) throw badField(path, 'array of content blocks');
  for (let index = 0; index < blocks.length; index++) {
    const block: unknown = blocks[index];
    const blockPath = `${path}[${index}]`;
    if (!isObject(block)) throw badField(blockPath, 'object');
    if (block['text'] !== undefined) collector.optionalString(block, 'text', `${blockPath}.text`);
    const toolUse = block['toolUse'];
    if (isObject(toolUse) && typeof toolUse['input'] === 'object' && toolUse['input'] !== null) collector.addLeaves(toolUse['input'], `${blockPath}.toolUse.input`);
    const toolResult = block['toolResult'];
    if (isObject(toolResult)) collectBlocks(collector, toolResult['content'], `${blockPath}.toolResult.content`);
    const json = block['json'];
    if (typeof json === 'object' && json !== null) collector.addLeaves(json, `${blockPath}.json`);
    const reasoning = block['reasoningContent'];
    const reasoningText = isObject(reasoning) ? reasoning['reasoningText'] : undefined;
    if (isObject(reasoningText)) collector.optionalString(reasoningText, 'text', `${blockPath}.reasoningContent.reasoningText.text`);
    const guard = block['guardContent'];
    const guardText = isObject(guard) ? guard['text'] : undefined;
    if (isObject(guardText)) collector.optionalString(guardText, 'text', `${blockPath}.guardContent.text.text`);
    const document = block['document'];
    if (isObject(document)) {
      const source = document['source'];
      if (isObject(source) && typeof source['text'] === 'string') collector.add(source, 'text', `${blockPath}.document.source.text`);
      else collector.unscanned++;
    }
    if (block['image'] !== undefined || block['video'] !== undefined) collector.unscanned++;
  }
}

function extractConverse(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collectBlocks(collector, body['system'], 'system');
  const messages = body['messages'];
  if (messages !== undefined && !Array.isArray(messages)) throw badField('messages', 'array');
  for (let index = 0; index < (messages ?? []).length; index++) {
    const message: unknown = (messages as unknown[])[index];
    const path = `messages[${index}]`;
    if (!isObject(message)) throw badField(path, 'object');
    collectBlocks(collector, message['content'], `${path}.content`);
  }
  return collector;
}

function rehydrateBlock(block: unknown, rehydration: Rehydration): void {
  if (!isObject(block)) return;
  const text = (value: string): string => rehydration.text(value);
  if (typeof block['text'] === 'string') block['text'] = text(block['text']);
  const toolUse = block['toolUse'];
  if (isObject(toolUse)) toolUse['input'] = rehydrateLeaves(toolUse['input'], text);
  const reasoning = block['reasoningContent'];
  const reasoningText = isObject(reasoning) ? reasoning['reasoningText'] : undefined;
  if (isObject(reasoningText) && typeof reasoningText['text'] === 'string') reasoningText['text'] = text(reasoningText['text']);
}

function rehydrateMessageText(body: JsonObject, rehydration: Rehydration): void {
  if (typeof body['message'] === 'string') body['message'] = rehydration.text(body['message']);
  if (typeof body['Message'] === 'string') body['Message'] = rehydration.text(body['Message']);
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  401: 'UnrecognizedClientException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  413: 'ValidationException',
  429: 'ThrottlingException',
  502: 'ServiceUnavailableException',
  503: 'ServiceUnavailableException',
  504: 'ModelTimeoutException',
};

/** AWS JSON error body: the SDK reads the error name from `__type`. */
export function bedrockErrorBody(error: unknown): ProviderErrorBody {
  const { status, body } = errorBody(error);
  return { status, body: { __type: ERROR_TYPES[status] ?? 'InternalServerException', message: body.error.message } };
}

/** Delta kinds, where their text is, and whether it is partial JSON. */
function deltaText(delta: JsonObject): { owner: JsonObject; field: string; kind: string; json: boolean } | undefined {
  if (typeof delta['text'] === 'string') return { owner: delta, field: 'text', kind: 'text', json: false };
  const toolUse = delta['toolUse'];
  if (isObject(toolUse) && typeof toolUse['input'] === 'string') return { owner: toolUse, field: 'input', kind: 'toolUse', json: true };
  const reasoning = delta['reasoningContent'];
  if (isObject(reasoning) && typeof reasoning['text'] === 'string') return { owner: reasoning, field: 'text', kind: 'reasoningContent', json: false };
  return undefined;
}

interface OpenBlock {
  readonly rehydrator: ChunkRehydrator;
  readonly kind: string;
}

class ConverseStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  private readonly blocks = new Map<number, OpenBlock>();

  constructor(rehydration: Rehydration) {
    this.rehydration = rehydration;
  }

  event(event: SseEvent, out: SseEvent[]): void {
    const payload = parseStreamEvent(event.data ?? '');
    let changed = false;
    if (event.event === 'contentBlockDelta') {
      changed = this.delta(payload);
    } else if (event.event === 'contentBlockStop') {
      if (typeof payload['contentBlockIndex'] === 'number') this.flush(payload['contentBlockIndex'], out);
    } else if (event.event === 'messageStop') {
      this.end(out);
    } else if (event.event !== 'messageStart' && event.event !== 'contentBlockStart' && event.event !== 'metadata') {
      // Exceptions: the message may quote a token.
      rehydrateMessageText(payload, this.rehydration);
      changed = true;
    }
    if (changed) event.data = JSON.stringify(payload);
    out.push(event);
  }

  end(out: SseEvent[]): void {
    for (const index of [...this.blocks.keys()]) this.flush(index, out);
  }

  errorEvent(error: unknown): SseEvent {
    const { body } = bedrockErrorBody(error);
    const type = (body as { __type: string }).__type;
    return eventStreamEvent(`${type.charAt(0).toLowerCase()}${type.slice(1)}`, { message: (body as { message: string }).message }, 'exception');
  }

  private delta(payload: JsonObject): boolean {
    const index = payload['contentBlockIndex'];
    const delta = payload['delta'];
    if (typeof index !== 'number' || !isObject(delta)) return false;
    const found = deltaText(delta);
    if (found === undefined) return false;
    const text = found.owner[found.field] as string;
    if (text.length === 0) return false;
    let open = this.blocks.get(index);
    if (open === undefined || open.kind !== found.kind) {
      open = { rehydrator: this.rehydration.stream(found.json), kind: found.kind };
      this.blocks.set(index, open);
    }
    const next = open.rehydrator.feed(text);
    if (next === text) return false;
    found.owner[found.field] = next;
    return true;
  }

  private flush(index: number, out: SseEvent[]): void {
    const open = this.blocks.get(index);
    if (open === undefined) return;
    this.blocks.delete(index);
    const rest = open.rehydrator.end();
    if (rest.length === 0) return;
    const delta = open.kind === 'text' ? { text: rest } : open.kind === 'toolUse' ? { toolUse: { input: rest } } : { reasoningContent: { text: rest } };
    out.push(eventStreamEvent('contentBlockDelta', { contentBlockIndex: index, delta }));
  }
}

export const bedrockConverseAdapter: ProviderAdapter = {
  id: 'bedrock.converse',
  rehydrates: true,
  extract: extractConverse,
  // The path decides (`/converse-stream`).
  isStream: () => false,
  rehydrateResponse(body, rehydration) {
    if (!isObject(body)) return;
    rehydrateMessageText(body, rehydration);
    const output = body['output'];
    const message = isObject(output) ? output['message'] : undefined;
    const content = isObject(message) ? message['content'] : undefined;
    if (Array.isArray(content)) for (const block of content) rehydrateBlock(block, rehydration);
  },
  streamRewriter: (rehydration) => new ConverseStreamRewriter(rehydration),
  errorBody: bedrockErrorBody,
};
