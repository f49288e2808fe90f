/**
 * `POST /v1/responses`: `instructions`, string or item-array `input` (messages, function calls
 * and their outputs, reasoning summaries) go out masked; `output` items come back rehydrated,
 * and in a stream the text and argument deltas are rehydrated as they pass while the `*.done`
 * and `response.completed` events carry the rehydrated full text.
 * @module
 */
import { badField } from '../../errors.js';
import type { SseEvent } from '../../sse.js';
import { isObject, optionalBoolean, TextCollector, type JsonObject, parseStreamEvent } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, Rehydration, StreamRewriter } from '../provider-adapter.js';
import { rehydrateErrorBody } from './chat-completions.js';
import { collectContent, rehydrateContent } from './content-parts.js';

function collectItem(collector: TextCollector, item: JsonObject, path: string): void {
  const type = item['type'];
  if (type === 'function_call') {
    collector.addJsonString(item, 'arguments', `${path}.arguments`);
  } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
    collectContent(collector, item, 'output', `${path}.output`);
  } else if (type === 'custom_tool_call') {
    collector.optionalString(item, 'input', `${path}.input`);
  } else if (type === 'reasoning') {
    collectContent(collector, item, 'summary', `${path}.summary`);
  } else if (type === 'message' || type === undefined) {
    if (item['role'] !== undefined && typeof item['role'] !== 'string') throw badField(`${path}.role`, 'string');
    collectContent(collector, item, 'content', `${path}.content`);
  }
}

function extractResponses(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collector.optionalString(body, 'instructions', 'instructions');
  const input = body['input'];
  if (typeof input === 'string') {
    collector.add(body, 'input', 'input');
  } else if (Array.isArray(input)) {
    for (let index = 0; index < input.length; index++) {
      const item: unknown = input[index];
      if (!isObject(item)) throw badField(`input[${index}]`, 'object');
      collectItem(collector, item, `input[${index}]`);
    }
  } else if (input !== undefined && input !== null) {
    throw badField('input', 'string or array of input items');
  }
  collector.optionalString(body, 'user', 'user');
  return collector;
}

function rehydrateItem(item: unknown, rehydration: Rehydration): void {
  if (!isObject(item)) return;
  const type = item['type'];
  if (type === 'message') {
    rehydrateContent(item['content'], (text) => rehydration.text(text));
  } else if (type === 'function_call') {
    if (typeof item['arguments'] === 'string') item['arguments'] = rehydration.json(item['arguments']);
  } else if (type === 'reasoning') {
    rehydrateContent(item['summary'], (text) => rehydration.text(text));
  } else if (type === 'custom_tool_call' && typeof item['input'] === 'string') {
    item['input'] = rehydration.text(item['input']);
  }
}

function rehydrateResponseObject(response: unknown, rehydration: Rehydration): void {
  if (!isObject(response)) return;
  const output = response['output'];
  if (Array.isArray(output)) for (const item of output) rehydrateItem(item, rehydration);
  if (typeof response['output_text'] === 'string') response['output_text'] = rehydration.text(response['output_text']);
  // The response object echoes the (masked) instructions of the request.
  if (typeof response['instructions'] === 'string') response['instructions'] = rehydration.text(response['instructions']);
  const error = response['error'];
  if (isObject(error) && typeof error['message'] === 'string') error['message'] = rehydration.text(error['message']);
}

/** Delta event types, the field that carries the delta, and whether it is JSON (arguments). */
const DELTAS: Readonly<Record<string, { readonly field: string; readonly json: boolean; readonly done: string; readonly doneField: string }>> = {
  'response.output_text.delta': { field: 'delta', json: false, done: 'response.output_text.done', doneField: 'text' },
  'response.refusal.delta': { field: 'delta', json: false, done: 'response.refusal.done', doneField: 'refusal' },
  'response.function_call_arguments.delta': {
    field: 'delta',
    json: true,
    done: 'response.function_call_arguments.done',
    doneField: 'arguments',
  },
  'response.reasoning_summary_text.delta': {
    field: 'delta',
    json: false,
    done: 'response.reasoning_summary_text.done',
    doneField: 'text',
  },
};

const DONE_TO_DELTA = new Map(Object.entries(DELTAS).map(([delta, spec]) => [spec.done, { delta, ...spec }]));

interface OpenDelta {
  readonly rehydrator: ChunkRehydrator;
  /** The last delta event, the template for a flush event. */
  last: JsonObject;
  readonly eventName: string | undefined;
}

class ResponsesStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  private readonly open = new Map<string, OpenDelta>();

  constructor(rehydration: Rehydration) {
    this.rehydration = rehydration;
  }

  event(event: SseEvent, out: SseEvent[]): void {
    const data = event.data;
    if (data === undefined || data === '[DONE]') {
      if (data === '[DONE]') this.end(out);
      out.push(event);
      return;
    }
    const payload = parseStreamEvent(data);
    const type = typeof payload['type'] === 'string' ? payload['type'] : (event.event ?? '');
    const delta = DELTAS[type];
    if (delta !== undefined) {
      const text = payload[delta.field];
      if (typeof text !== 'string') {
        out.push(event);
        return;
      }
      const key = `${type}|${String(payload['item_id'] ?? payload['output_index'])}|${String(payload['content_index'] ?? payload['summary_index'] ?? '')}`;
      let open = this.open.get(key);
      if (open === undefined) {
        open = { rehydrator: this.rehydration.stream(delta.json), last: payload, eventName: event.event };
        this.open.set(key, open);
      }
      open.last = payload;
      const next = open.rehydrator.feed(text);
      if (next !== text) {
        payload[delta.field] = next;
        event.data = JSON.stringify(payload);
      }
      out.push(event);
      return;
    }
    const done = DONE_TO_DELTA.get(type);
    if (done !== undefined) {
      const key = `${done.delta}|${String(payload['item_id'] ?? payload['output_index'])}|${String(payload['content_index'] ?? payload['summary_index'] ?? '')}`;
      this.flush(key, out);
      const full = payload[done.doneField];
      if (typeof full === 'string') payload[done.doneField] = done.json ? this.rehydration.json(full) : this.rehydration.text(full);
    } else if (type === 'response.content_part.done' || type === 'response.content_part.added') {
      rehydrateContent([payload['part']], (text) => this.rehydration.text(text));
    } else if (type === 'response.output_item.done' || type === 'response.output_item.added') {
      rehydrateItem(payload['item'], this.rehydration);
    } else if (type.startsWith('response.') && isObject(payload['response'])) {
      if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') this.end(out);
      rehydrateResponseObject(payload['response'], this.rehydration);
    } else if (type === 'error') {
      if (typeof payload['message'] === 'string') payload['message'] = this.rehydration.text(payload['message']);
      rehydrateErrorBody(payload, this.rehydration);
    } else {
      out.push(event);
      return;
    }
    event.data = JSON.stringify(payload);
    out.push(event);
  }

  end(out: SseEvent[]): void {
    for (const key of [...this.open.keys()]) this.flush(key, out);
  }

  /** Emits the text a delta stream still holds as one more delta event. */
  private flush(key: string, out: SseEvent[]): void {
    const open = this.open.get(key);
    if (open === undefined) return;
    this.open.delete(key);
    const rest = open.rehydrator.end();
    if (rest.length === 0) return;
    const payload: JsonObject = { ...open.last, delta: rest };
    out.push({ event: open.eventName, data: JSON.stringify(payload), extra: [] });
  }
}

export const openaiResponsesAdapter: ProviderAdapter = {
  id: 'openai.responses',
  rehydrates: true,
  extract: extractResponses,
  isStream: (body) => optionalBoolean(body, 'stream'),
  rehydrateResponse(body, rehydration) {
    if (rehydrateErrorBody(body, rehydration)) return;
    rehydrateResponseObject(body, rehydration);
  },
  streamRewriter: (rehydration) => new ResponsesStreamRewriter(rehydration),
};
