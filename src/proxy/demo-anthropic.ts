/**
 * The demo upstream's Anthropic Messages answer (`/v1/messages`), used only when no upstream is
 * configured at all: like the OpenAI demo it quotes the last user message as it arrived (tokens
 * and all), or calls the first tool with the tokens it saw, whole or as a stream in 7-character
 * pieces so tokens visibly split across events. `veil_demo.provider_saw` is left alone.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { isObject, type JsonObject } from './providers/json-text.js';
import type { UpstreamResponse } from './upstream.js';

const TOKEN_PATTERN = /<<[A-Z][A-Z0-9_]*_\d+>>/g;
const NOTE = 'provider_saw is what left the gateway; the rest of this answer was rehydrated by Veil.';

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (typeof block['text'] === 'string') texts.push(block['text']);
    else if (block['type'] === 'tool_result') texts.push(textOf(block['content']));
  }
  return texts.filter((text) => text.length > 0).join(' ');
}

function pieces(text: string, size = 7): string[] {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out;
}

function firstTool(tools: unknown): { name: string; properties: string[] } | undefined {
  if (!Array.isArray(tools)) return undefined;
  const tool: unknown = tools[0];
  if (!isObject(tool) || typeof tool['name'] !== 'string') return undefined;
  const schema = isObject(tool['input_schema']) ? tool['input_schema'] : {};
  return { name: tool['name'], properties: isObject(schema['properties']) ? Object.keys(schema['properties']) : [] };
}

/** Answers a Messages request in Anthropic's shape. */
export function demoMessages(body: JsonObject): UpstreamResponse {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const last: unknown = messages[messages.length - 1];
  const lastText = isObject(last) ? textOf(last['content']) : '';
  const tokens = [...new Set(lastText.match(TOKEN_PATTERN) ?? [])];
  const isToolResult = isObject(last) && Array.isArray(last['content']) && last['content'].some((block: unknown) => isObject(block) && block['type'] === 'tool_result');
  const tool = isToolResult ? undefined : firstTool(body['tools']);
  const seen = tokens.length === 0 ? 'no personal data' : `${tokens.length} masked value(s): ${tokens.join(', ')}`;
  const text = isToolResult ? `The tool answered: ${lastText}` : `You wrote: "${lastText}" (I saw ${seen}.)`;
  const input: Record<string, string> = {};
  (tool === undefined || tool.properties.length === 0 ? ['text'] : tool.properties).forEach((name, index) => {
    input[name] = tokens[index] ?? lastText;
  });
  const id = `msg_demo_${randomUUID().slice(0, 8)}`;
  const stop = tool === undefined ? 'end_turn' : 'tool_use';
  const content = tool === undefined ? [{ type: 'text', text }] : [{ type: 'tool_use', id: 'toolu_demo_0', name: tool.name, input }];
  const message = (blocks: unknown[], stopReason: string | null): JsonObject => ({
    id,
    type: 'message',
    role: 'assistant',
    model: 'veil-demo',
    content: blocks,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
    veil_demo: { provider_saw: lastText, note: NOTE },
  });
  if (body['stream'] !== true) {
    const payload = JSON.stringify(message(content, stop));
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }, body: Readable.from([Buffer.from(payload)]) };
  }
  const events: string[] = [];
  const emit = (type: string, payload: JsonObject): void => {
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`);
  };
  emit('message_start', { message: message([], null) });
  if (tool === undefined) {
    emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const piece of pieces(text)) emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  } else {
    emit('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_demo_0', name: tool.name, input: {} } });
    for (const piece of pieces(JSON.stringify(input))) emit('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: piece } });
  }
  emit('content_block_stop', { index: 0 });
  emit('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 0 } });
  emit('message_stop', {});
  return { statusCode: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: Readable.from(events.map((event) => Buffer.from(event))) };
}
