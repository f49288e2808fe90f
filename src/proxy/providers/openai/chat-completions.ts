/**
 * `POST /v1/chat/completions`: every message of the history goes out masked (content strings
 * and parts, names, refusals, tool-call arguments, tool results); every choice of the answer
 * comes back rehydrated, whole or streamed.
 * @module
 */
import { badField } from '../../errors.js';
import type { SseEvent } from '../../sse.js';
import { isObject, optionalBoolean, TextCollector, type JsonObject, parseStreamEvent } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, Rehydration, StreamRewriter } from '../provider-adapter.js';
import { collectContent, rehydrateContent } from './content-parts.js';

function collectToolCalls(collector: TextCollector, message: JsonObject, path: string): void {
  const calls = message['tool_calls'];
  if (calls === undefined || calls === null) return;
  if (!Array.isArray(calls)) throw badField(`${path}.tool_calls`, 'array');
  for (let index = 0; index < calls.length; index++) {
    const call: unknown = calls[index];
    const callPath = `${path}.tool_calls[${index}]`;
    if (!isObject(call)) throw badField(callPath, 'object');
    const fn = call['function'];
    if (isObject(fn)) collector.addJsonString(fn, 'arguments', `${callPath}.function.arguments`);
    else if (isObject(call['custom'])) collector.optionalString(call['custom'] as JsonObject, 'input', `${callPath}.custom.input`);
  }
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
    collectContent(collector, message, 'content', `${path}.content`);
    collector.optionalString(message, 'name', `${path}.name`);
    collector.optionalString(message, 'refusal', `${path}.refusal`);
    collectToolCalls(collector, message, path);
    const legacy = message['function_call'];
    if (isObject(legacy)) collector.addJsonString(legacy, 'arguments', `${path}.function_call.arguments`);
  }
  // Predicted output is usually the very document being edited.
  const prediction = body['prediction'];
  if (isObject(prediction)) collectContent(collector, prediction, 'content', 'prediction.content');
  // Often an end-user id, sometimes an e-mail address.
  collector.optionalString(body, 'user', 'user');
  return collector;
}

function rehydrateMessage(message: JsonObject, rehydration: Rehydration): void {
  const content = message['content'];
  if (content !== undefined && content !== null) message['content'] = rehydrateContent(content, (text) => rehydration.text(text));
  if (typeof message['refusal'] === 'string') message['refusal'] = rehydration.text(message['refusal']);
  const calls = message['tool_calls'];
  if (Array.isArray(calls)) {
    for (const call of calls) {
      if (!isObject(call)) continue;
      const fn = call['function'];
      if (isObject(fn) && typeof fn['arguments'] === 'string') fn['arguments'] = rehydration.json(fn['arguments']);
    }
  }
  const legacy = message['function_call'];
  if (isObject(legacy) && typeof legacy['arguments'] === 'string') legacy['arguments'] = rehydration.json(legacy['arguments']);
  const audio = message['audio'];
  if (isObject(audio) && typeof audio['transcript'] === 'string') audio['transcript'] = rehydration.text(audio['transcript']);
}

/** Rehydrates `error.message` of an OpenAI error body, if that is what `body` is. */
export function rehydrateErrorBody(body: unknown, rehydration: Rehydration): boolean {
  if (!isObject(body)) return false;
  const error = body['error'];
  if (!isObject(error)) return false;
  if (typeof error['message'] === 'string') error['message'] = rehydration.text(error['message']);
  return true;
}

interface ChoiceState {
  content: ChunkRehydrator | undefined;
  refusal: ChunkRehydrator | undefined;
  readonly tools: Map<number, ChunkRehydrator>;
}

/** Streams of `chat.completion.chunk` events, one set of rehydrators per choice and tool call. */
class ChatStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  private readonly choices = new Map<number, ChoiceState>();
  /** The last chunk, parsed or raw: the template for a flush chunk. */
  private template: JsonObject | string | undefined;
  private done = false;

  constructor(rehydration: Rehydration) {
    this.rehydration = rehydration;
  }

  event(event: SseEvent, out: SseEvent[]): void {
    const data = event.data;
    if (data === undefined) {
      out.push(event);
      return;
    }
    if (data === '[DONE]') {
      this.flushAll(out);
      this.done = true;
      out.push(event);
      return;
    }
    if (this.contentOnly(event, data)) {
      out.push(event);
      return;
    }
    const chunk = parseStreamEvent(data);
    if (rehydrateErrorBody(chunk, this.rehydration)) {
      event.data = JSON.stringify(chunk);
      out.push(event);
      return;
    }
    this.template = chunk;
    const choices = chunk['choices'];
    let changed = false;
    if (Array.isArray(choices)) {
      for (let position = 0; position < choices.length; position++) {
        const choice: unknown = choices[position];
        if (isObject(choice) && this.rewriteChoice(choice, position)) changed = true;
      }
    }
    if (changed) event.data = JSON.stringify(chunk);
    out.push(event);
  }

  end(out: SseEvent[]): void {
    if (!this.done) this.flushAll(out);
  }

  /**
   * The fast path for the common chunk: one choice, a string `delta.content`, no tool calls, no
   * finish. Only the content literal is decoded, and the event is re-encoded only when the
   * rehydrated text differs. Anything else (or another JSON layout) returns false and takes the
   * full parse. Inside a JSON string every quote is escaped, so `"content":"` can only be a key.
   */
  private contentOnly(event: SseEvent, data: string): boolean {
    if (data.charCodeAt(0) !== 123 /* { */ || data.charCodeAt(data.length - 1) !== 125 /* } */) return false;
    if (data.includes('"tool_calls"') || data.includes('"refusal":"') || data.includes('"error"')) return false;
    const finish = data.indexOf('"finish_reason":');
    if (finish === -1 || !data.startsWith('null', finish + 16)) return false;
    const indexAt = data.indexOf('"index":');
    if (indexAt === -1 || data.includes('"index":', indexAt + 8)) return false;
    let cursor = indexAt + 8;
    let index = 0;
    let digits = 0;
    for (let code = data.charCodeAt(cursor); code >= 48 && code <= 57; code = data.charCodeAt(++cursor)) {
      index = index * 10 + (code - 48);
      digits++;
    }
    if (digits === 0) return false;
    const key = data.indexOf('"content":"');
    if (key === -1) {
      // Nothing to rehydrate (role-only or empty delta) unless held text waits: leave that to the full path.
      if (data.includes('"content"') || data.includes('"delta":{}')) return false;
      this.template = data;
      return true;
    }
    if (data.includes('"content":"', key + 11)) return false;
    const open = key + 10;
    let close = open + 1;
    while (close < data.length) {
      const code = data.charCodeAt(close);
      if (code === 92 /* \ */) close += 2;
      else if (code === 34 /* " */) break;
      else close++;
    }
    if (close >= data.length) return false;
    let content: unknown;
    try {
      content = JSON.parse(data.slice(open, close + 1));
    } catch {
      return false;
    }
    if (typeof content !== 'string') return false;
    this.template = data;
    if (content.length === 0) return true;
    const state = this.state(index);
    state.content ??= this.rehydration.stream(false);
    const next = state.content.feed(content);
    if (next !== content) event.data = `${data.slice(0, open)}${JSON.stringify(next)}${data.slice(close + 1)}`;
    return true;
  }

  private state(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (state === undefined) {
      state = { content: undefined, refusal: undefined, tools: new Map() };
      this.choices.set(index, state);
    }
    return state;
  }

  /** Returns true when the choice changed. */
  private rewriteChoice(choice: JsonObject, position: number): boolean {
    const index = typeof choice['index'] === 'number' ? choice['index'] : position;
    const state = this.state(index);
    let changed = false;
    let delta = choice['delta'];
    if (isObject(delta)) {
      const content = delta['content'];
      if (typeof content === 'string' && content.length > 0) {
        state.content ??= this.rehydration.stream(false);
        const next = state.content.feed(content);
        if (next !== content) {
          delta['content'] = next;
          changed = true;
        }
      }
      const refusal = delta['refusal'];
      if (typeof refusal === 'string' && refusal.length > 0) {
        state.refusal ??= this.rehydration.stream(false);
        const next = state.refusal.feed(refusal);
        if (next !== refusal) {
          delta['refusal'] = next;
          changed = true;
        }
      }
      const calls = delta['tool_calls'];
      if (Array.isArray(calls)) {
        for (let callPosition = 0; callPosition < calls.length; callPosition++) {
          const call: unknown = calls[callPosition];
          if (!isObject(call)) continue;
          const fn = call['function'];
          const args = isObject(fn) ? fn['arguments'] : undefined;
          if (!isObject(fn) || typeof args !== 'string' || args.length === 0) continue;
          const callIndex = typeof call['index'] === 'number' ? call['index'] : callPosition;
          let rehydrator = state.tools.get(callIndex);
          if (rehydrator === undefined) {
            rehydrator = this.rehydration.stream(true);
            state.tools.set(callIndex, rehydrator);
          }
          const next = rehydrator.feed(args);
          if (next !== args) {
            fn['arguments'] = next;
            changed = true;
          }
        }
      }
    }
    const finish = choice['finish_reason'];
    if (finish !== undefined && finish !== null) {
      if (!isObject(delta)) {
        delta = {};
        choice['delta'] = delta;
      }
      if (this.flushChoice(state, delta as JsonObject)) changed = true;
    }
    return changed;
  }

  /** Appends held-back text of a choice to `delta`. Returns true when anything was added. */
  private flushChoice(state: ChoiceState, delta: JsonObject): boolean {
    let changed = false;
    const content = state.content?.end() ?? '';
    if (content.length > 0) {
      delta['content'] = `${typeof delta['content'] === 'string' ? delta['content'] : ''}${content}`;
      changed = true;
    }
    const refusal = state.refusal?.end() ?? '';
    if (refusal.length > 0) {
      delta['refusal'] = `${typeof delta['refusal'] === 'string' ? delta['refusal'] : ''}${refusal}`;
      changed = true;
    }
    for (const [callIndex, rehydrator] of state.tools) {
      const rest = rehydrator.end();
      if (rest.length === 0) continue;
      const calls = Array.isArray(delta['tool_calls']) ? (delta['tool_calls'] as unknown[]) : [];
      const existing = calls.find((call) => isObject(call) && call['index'] === callIndex);
      const fn = isObject(existing) && isObject(existing['function']) ? existing['function'] : undefined;
      if (fn !== undefined) fn['arguments'] = `${typeof fn['arguments'] === 'string' ? fn['arguments'] : ''}${rest}`;
      else calls.push({ index: callIndex, function: { arguments: rest } });
      delta['tool_calls'] = calls;
      changed = true;
    }
    return changed;
  }

  /** One extra chunk per choice that still holds text (the upstream never sent finish_reason). */
  private flushAll(out: SseEvent[]): void {
    for (const [index, state] of this.choices) {
      const delta: JsonObject = {};
      if (!this.flushChoice(state, delta)) continue;
      const parsed: unknown = typeof this.template === 'string' ? JSON.parse(this.template) : this.template;
      const template = isObject(parsed) ? parsed : {};
      const chunk: JsonObject = {
        id: template['id'],
        object: template['object'] ?? 'chat.completion.chunk',
        created: template['created'],
        model: template['model'],
        choices: [{ index, delta, finish_reason: null }],
      };
      out.push({ event: undefined, data: JSON.stringify(chunk), extra: [] });
    }
  }
}

export const openaiChatAdapter: ProviderAdapter = {
  id: 'openai.chat',
  rehydrates: true,
  extract: extractChat,
  isStream: (body) => optionalBoolean(body, 'stream'),
  rehydrateResponse(body, rehydration) {
    if (rehydrateErrorBody(body, rehydration) || !isObject(body)) return;
    const choices = body['choices'];
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const message = choice['message'];
      if (isObject(message)) rehydrateMessage(message, rehydration);
    }
  },
  streamRewriter: (rehydration) => new ChatStreamRewriter(rehydration),
};
