/**
 * Every adapter through the shared ProviderAdapter contract, over recorded-shape fixtures in
 * `test/fixtures/providers/`. `channels` is what a client assembles from each provider's stream.
 */
import { readFileSync } from 'node:fs';
import { anthropicCountTokensAdapter, anthropicMessagesAdapter } from '../../../src/proxy/providers/anthropic/messages.js';
import { openaiChatAdapter } from '../../../src/proxy/providers/openai/chat-completions.js';
import { openaiCompletionsAdapter } from '../../../src/proxy/providers/openai/completions.js';
import { openaiEmbeddingsAdapter } from '../../../src/proxy/providers/openai/embeddings.js';
import { openaiResponsesAdapter } from '../../../src/proxy/providers/openai/responses.js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { EVENT_STREAM_TYPE, streamFraming } from '../../../src/proxy/framing.js';
import { formatNdjsonLine, NdjsonParser } from '../../../src/proxy/ndjson.js';
import { bedrockConverseAdapter } from '../../../src/proxy/providers/bedrock/converse.js';
import { geminiCountTokensAdapter, geminiGenerateAdapter } from '../../../src/proxy/providers/gemini/generate-content.js';
import { ollamaChatAdapter, ollamaEmbedAdapter, ollamaGenerateAdapter } from '../../../src/proxy/providers/ollama/native.js';
import type { SseEvent } from '../../../src/proxy/sse.js';
import { runProviderAdapterContract, type ProviderFixture, type StreamFraming } from '../../conformance/provider-adapter.contract.js';

type Json = Record<string, unknown>;

export function fixtures(name: string): ProviderFixture[] {
  return JSON.parse(readFileSync(new URL(`../../fixtures/providers/${name}.json`, import.meta.url), 'utf8')) as ProviderFixture[];
}

function append(channels: Record<string, string>, key: string, text: unknown): void {
  if (typeof text === 'string' && text.length > 0) channels[key] = (channels[key] ?? '') + text;
}

function payloads(events: readonly SseEvent[]): Json[] {
  return events.filter((event) => event.data !== undefined && event.data !== '[DONE]').map((event) => JSON.parse(event.data ?? '') as Json);
}

/** Chat completions: content and tool-call arguments per choice. */
export function chatChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const chunk of payloads(events)) {
    for (const choice of (chunk['choices'] as Json[] | undefined) ?? []) {
      const delta = (choice['delta'] ?? {}) as Json;
      append(channels, `choice ${String(choice['index'])} content`, delta['content']);
      for (const call of (delta['tool_calls'] as Json[] | undefined) ?? []) {
        append(channels, `choice ${String(choice['index'])} tool ${String(call['index'])}`, (call['function'] as Json | undefined)?.['arguments']);
      }
    }
  }
  return channels;
}

function responsesChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const payload of payloads(events)) {
    const type = String(payload['type']);
    if (type.endsWith('.delta')) append(channels, `${type} ${String(payload['item_id'])}`, payload['delta']);
    if (type === 'response.output_text.done') append(channels, 'text done', payload['text']);
    if (type === 'response.function_call_arguments.done') append(channels, 'arguments done', payload['arguments']);
    if (type === 'response.completed') append(channels, 'completed', JSON.stringify(payload['response']));
  }
  return channels;
}

function completionsChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const chunk of payloads(events)) {
    for (const choice of (chunk['choices'] as Json[] | undefined) ?? []) append(channels, `choice ${String(choice['index'])}`, choice['text']);
  }
  return channels;
}

/** Anthropic: every delta per content block index and type; event names must match the payload type. */
function anthropicChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const event of events) {
    const payload = JSON.parse(event.data ?? '') as Json;
    if (event.event !== payload['type']) throw new Error(`event ${String(event.event)} carries ${String(payload['type'])}`);
    if (payload['type'] !== 'content_block_delta') continue;
    const delta = payload['delta'] as Json;
    const text = delta['text'] ?? delta['partial_json'] ?? delta['thinking'];
    append(channels, `block ${String(payload['index'])} ${String(delta['type'])}`, text);
  }
  return channels;
}

const NDJSON: StreamFraming = {
  parse(parts) {
    const parser = new NdjsonParser();
    const events: SseEvent[] = [];
    for (const part of parts) events.push(...parser.push(part));
    events.push(...parser.end());
    return events;
  },
  format: formatNdjsonLine,
};

/** Ollama: text per field; tool-call arguments (whole objects) as JSON. */
function ollamaChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const line of payloads(events)) {
    const message = (line['message'] ?? line) as Json;
    append(channels, 'content', message['content']);
    append(channels, 'response', message['response']);
    append(channels, 'thinking', message['thinking']);
    for (const call of (message['tool_calls'] as Json[] | undefined) ?? []) append(channels, 'tool', JSON.stringify(call));
  }
  return channels;
}

/** Gemini: text and thoughts per candidate, function calls (whole) as JSON. */
function geminiChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const chunk of payloads(events)) {
    for (const candidate of (chunk['candidates'] as Json[] | undefined) ?? []) {
      const parts = ((candidate['content'] as Json | undefined)?.['parts'] as Json[] | undefined) ?? [];
      for (const part of parts) {
        append(channels, `candidate ${String(candidate['index'])} ${part['thought'] === true ? 'thought' : 'text'}`, part['text']);
        if (part['functionCall'] !== undefined) append(channels, `candidate ${String(candidate['index'])} call`, JSON.stringify(part['functionCall']));
      }
    }
  }
  return channels;
}

runProviderAdapterContract({ name: 'openai.chat', adapter: openaiChatAdapter, fixtures: fixtures('openai-chat'), channels: chatChannels });
runProviderAdapterContract({ name: 'openai.chat (Azure shapes)', adapter: openaiChatAdapter, fixtures: fixtures('azure-chat'), channels: chatChannels });
runProviderAdapterContract({ name: 'openai.responses', adapter: openaiResponsesAdapter, fixtures: fixtures('openai-responses'), channels: responsesChannels });
runProviderAdapterContract({ name: 'openai.completions', adapter: openaiCompletionsAdapter, fixtures: fixtures('openai-completions'), channels: completionsChannels });
runProviderAdapterContract({ name: 'openai.embeddings', adapter: openaiEmbeddingsAdapter, fixtures: fixtures('openai-embeddings') });
runProviderAdapterContract({ name: 'anthropic.messages', adapter: anthropicMessagesAdapter, fixtures: fixtures('anthropic-messages'), channels: anthropicChannels });
runProviderAdapterContract({
  name: 'anthropic.count_tokens',
  adapter: anthropicCountTokensAdapter,
  fixtures: fixtures('anthropic-messages').map(({ name, request, values, invalid }) => ({ name, request, values, ...(invalid === undefined ? {} : { invalid }) })),
});
runProviderAdapterContract({ name: 'ollama.chat', adapter: ollamaChatAdapter, fixtures: fixtures('ollama-chat'), channels: ollamaChannels, framing: NDJSON });
runProviderAdapterContract({ name: 'ollama.generate', adapter: ollamaGenerateAdapter, fixtures: fixtures('ollama-generate'), channels: ollamaChannels, framing: NDJSON });
runProviderAdapterContract({ name: 'ollama.embed', adapter: ollamaEmbedAdapter, fixtures: fixtures('ollama-embed') });
runProviderAdapterContract({ name: 'gemini.generate', adapter: geminiGenerateAdapter, fixtures: fixtures('gemini-generate'), channels: geminiChannels });
runProviderAdapterContract({
  name: 'gemini.count_tokens',
  adapter: geminiCountTokensAdapter,
  fixtures: fixtures('gemini-generate').map(({ name, request, values }) => ({ name, request, values })),
});

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** AWS event stream; fixture items are `{"event","payload"}` and become binary messages. */
const EVENT_STREAM: StreamFraming = {
  parse(parts) {
    const framing = streamFraming(EVENT_STREAM_TYPE);
    if (framing === undefined) throw new Error('no event stream framing');
    const events: SseEvent[] = [];
    for (const part of parts) events.push(...framing.push(part));
    events.push(...framing.end());
    return events;
  },
  format: (event) => streamFraming(EVENT_STREAM_TYPE)?.format(event) ?? '',
  wire(item) {
    const { event, payload } = JSON.parse(item) as { event: string; payload: unknown };
    const headers = { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: event }, ':content-type': { type: 'string', value: 'application/json' } } as const;
    return Buffer.from(codec.encode({ headers, body: new Uint8Array(Buffer.from(JSON.stringify(payload))) }));
  },
};

/** Bedrock: deltas per content block index and kind; the event type header must match the payload. */
function bedrockChannels(events: readonly SseEvent[]): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const event of events) {
    if (event.event !== 'contentBlockDelta') continue;
    const payload = JSON.parse(event.data ?? '') as { contentBlockIndex: number; delta: Json };
    const delta = payload.delta;
    const block = `block ${payload.contentBlockIndex}`;
    append(channels, `${block} text`, delta['text']);
    append(channels, `${block} toolUse`, (delta['toolUse'] as Json | undefined)?.['input']);
    append(channels, `${block} reasoning`, (delta['reasoningContent'] as Json | undefined)?.['text']);
  }
  return channels;
}

runProviderAdapterContract({ name: 'bedrock.converse', adapter: bedrockConverseAdapter, fixtures: fixtures('bedrock-converse'), channels: bedrockChannels, framing: EVENT_STREAM });
