/**
 * The demo upstream: an in-process, OpenAI-compatible responder used only when no upstream is
 * configured. It answers from what it received, so one curl shows both sides of the gateway:
 * the answer text quotes the (masked) prompt and comes back rehydrated, while the extra
 * `veil_demo.provider_saw` field is left alone and shows exactly what a provider would have seen.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { demoMessages } from './demo-anthropic.js';
import { isObject, type JsonObject } from './providers/json-text.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from './upstream.js';

const MODEL = 'veil-demo';
const TOKEN_PATTERN = /<<[A-Z][A-Z0-9_]*_\d+>>/g;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .filter((text) => text.length > 0)
    .join(' ');
}

function tokensIn(text: string): string[] {
  return [...new Set(text.match(TOKEN_PATTERN) ?? [])];
}

function json(statusCode: number, body: unknown): UpstreamResponse {
  const payload = JSON.stringify(body);
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
    body: Readable.from([Buffer.from(payload)]),
  };
}

function sse(events: readonly string[]): UpstreamResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    body: Readable.from(events.map((event) => Buffer.from(event))),
  };
}

/** Splits text into small pieces so a stream visibly cuts through tokens. */
function pieces(text: string, size = 7): string[] {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out;
}

interface Reply {
  readonly text: string | undefined;
  readonly toolCall: { name: string; arguments: string } | undefined;
  readonly providerSaw: string;
}

function firstToolName(tools: unknown): { name: string; properties: string[] } | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const tool of tools) {
    if (!isObject(tool)) continue;
    const fn = isObject(tool['function']) ? tool['function'] : tool;
    if (typeof fn['name'] !== 'string') continue;
    const parameters = isObject(fn['parameters']) ? fn['parameters'] : {};
    const properties = isObject(parameters['properties']) ? Object.keys(parameters['properties']) : [];
    return { name: fn['name'], properties };
  }
  return undefined;
}

/** The demo's whole "model": quote the last message, or call the first tool with its tokens. */
function reply(lastRole: string, lastText: string, tools: unknown): Reply {
  const tool = firstToolName(tools);
  const tokens = tokensIn(lastText);
  if (lastRole === 'tool') {
    return { text: `The tool answered: ${lastText}`, toolCall: undefined, providerSaw: lastText };
  }
  if (tool !== undefined) {
    const args: Record<string, string> = {};
    const names = tool.properties.length > 0 ? tool.properties : ['text'];
    names.forEach((name, index) => {
      args[name] = tokens[index] ?? lastText;
    });
    return { text: undefined, toolCall: { name: tool.name, arguments: JSON.stringify(args) }, providerSaw: lastText };
  }
  const seen = tokens.length === 0 ? 'no personal data' : `${tokens.length} masked value(s): ${tokens.join(', ')}`;
  return { text: `You wrote: "${lastText}" (I saw ${seen}.)`, toolCall: undefined, providerSaw: lastText };
}

const NOTE = 'provider_saw is what left the gateway; the rest of this answer was rehydrated by Veil.';

function chat(body: JsonObject): UpstreamResponse {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const last: unknown = messages[messages.length - 1];
  const role = isObject(last) && typeof last['role'] === 'string' ? last['role'] : 'user';
  const answer = reply(role, isObject(last) ? textOf(last['content']) : '', body['tools']);
  const n = typeof body['n'] === 'number' && body['n'] > 1 ? Math.min(body['n'], 8) : 1;
  const id = `chatcmpl-demo-${randomUUID().slice(0, 8)}`;
  const created = Math.floor(Date.now() / 1000);
  const demo = { provider_saw: answer.providerSaw, note: NOTE };
  const finish = answer.toolCall === undefined ? 'stop' : 'tool_calls';
  const toolCalls = (index: number): JsonObject[] | undefined =>
    answer.toolCall === undefined
      ? undefined
      : [{ id: `call_demo_${index}`, type: 'function', function: { name: answer.toolCall.name, arguments: answer.toolCall.arguments } }];
  if (body['stream'] !== true) {
    return json(200, {
      id,
      object: 'chat.completion',
      created,
      model: MODEL,
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: 'assistant', content: answer.text ?? null, ...(answer.toolCall === undefined ? {} : { tool_calls: toolCalls(index) }) },
        finish_reason: finish,
      })),
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      veil_demo: demo,
    });
  }
  const events: string[] = [];
  const chunk = (choices: unknown[], extra: JsonObject = {}): void => {
    events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: MODEL, choices, ...extra })}\n\n`);
  };
  for (let index = 0; index < n; index++) {
    chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }], index === 0 ? { veil_demo: demo } : {});
    if (answer.toolCall !== undefined) {
      const call = (toolCalls(index) ?? [])[0] as JsonObject;
      chunk([{ index, delta: { tool_calls: [{ index: 0, id: call['id'], type: 'function', function: { name: answer.toolCall.name, arguments: '' } }] }, finish_reason: null }]);
      for (const piece of pieces(answer.toolCall.arguments)) {
        chunk([{ index, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish_reason: null }]);
      }
    } else {
      for (const piece of pieces(answer.text ?? '')) chunk([{ index, delta: { content: piece }, finish_reason: null }]);
    }
    chunk([{ index, delta: {}, finish_reason: finish }]);
  }
  events.push('data: [DONE]\n\n');
  return sse(events);
}

function responses(body: JsonObject): UpstreamResponse {
  const input = body['input'];
  let role = 'user';
  let lastText = typeof input === 'string' ? input : '';
  if (Array.isArray(input)) {
    const last: unknown = input[input.length - 1];
    if (isObject(last)) {
      if (last['type'] === 'function_call_output') {
        role = 'tool';
        lastText = textOf(last['output']);
      } else {
        lastText = textOf(last['content']);
      }
    }
  }
  const answer = reply(role, lastText, body['tools']);
  const id = `resp_demo_${randomUUID().slice(0, 8)}`;
  const itemId = `msg_demo_${randomUUID().slice(0, 8)}`;
  const item: JsonObject =
    answer.toolCall === undefined
      ? { id: itemId, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer.text ?? '', annotations: [] }] }
      : { id: itemId, type: 'function_call', status: 'completed', call_id: 'call_demo_0', name: answer.toolCall.name, arguments: answer.toolCall.arguments };
  const response = (status: string, output: unknown[]): JsonObject => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: MODEL,
    output,
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
    veil_demo: { provider_saw: answer.providerSaw, note: NOTE },
  });
  if (body['stream'] !== true) return json(200, response('completed', [item]));
  let sequence = 0;
  const events: string[] = [];
  const emit = (type: string, payload: JsonObject): void => {
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`);
  };
  emit('response.created', { response: response('in_progress', []) });
  if (answer.toolCall === undefined) {
    const text = answer.text ?? '';
    emit('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    emit('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const piece of pieces(text)) emit('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece });
    emit('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text });
    emit('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
  } else {
    emit('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } });
    for (const piece of pieces(answer.toolCall.arguments)) emit('response.function_call_arguments.delta', { item_id: itemId, output_index: 0, delta: piece });
    emit('response.function_call_arguments.done', { item_id: itemId, output_index: 0, arguments: answer.toolCall.arguments });
  }
  emit('response.output_item.done', { output_index: 0, item });
  emit('response.completed', { response: response('completed', [item]) });
  return sse(events);
}

function embeddings(body: JsonObject): UpstreamResponse {
  const input = body['input'];
  const inputs = Array.isArray(input) ? input : [input];
  const data = inputs.map((value, index) => {
    const digest = createHash('sha256').update(JSON.stringify(value ?? '')).digest();
    const embedding = Array.from({ length: 8 }, (_, dim) => ((digest[dim] ?? 0) - 128) / 128);
    return { object: 'embedding', index, embedding };
  });
  return json(200, { object: 'list', data, model: MODEL, usage: { prompt_tokens: 0, total_tokens: 0 } });
}

function completions(body: JsonObject): UpstreamResponse {
  const prompt = typeof body['prompt'] === 'string' ? body['prompt'] : JSON.stringify(body['prompt'] ?? '');
  return json(200, {
    id: `cmpl-demo-${randomUUID().slice(0, 8)}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: MODEL,
    choices: [{ index: 0, text: ` You wrote: "${prompt}"`, finish_reason: 'stop', logprobs: null }],
    veil_demo: { provider_saw: prompt, note: NOTE },
  });
}

function notFound(path: string): UpstreamResponse {
  return json(404, { error: { message: `The demo upstream has no ${path}.`, type: 'invalid_request_error', code: 'not_found', param: null } });
}

export class DemoUpstream implements Upstream {
  readonly kind = 'demo' as const;
  readonly describe = 'built-in demo upstream (no provider configured)';

  request(request: UpstreamRequest): Promise<UpstreamResponse> {
    const path = request.path.split('?')[0] ?? '';
    if (request.method === 'GET' && path === '/v1/models') {
      return Promise.resolve(json(200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'veil' }] }));
    }
    if (request.method !== 'POST') return Promise.resolve(notFound(path));
    let body: unknown;
    try {
      body = JSON.parse(typeof request.body === 'string' ? request.body : String(request.body ?? ''));
    } catch {
      return Promise.reject(new VeilError(VeilErrorCode.Upstream, 'The demo upstream takes JSON bodies only.'));
    }
    if (!isObject(body)) return Promise.resolve(notFound(path));
    switch (path) {
      case '/v1/chat/completions':
        return Promise.resolve(chat(body));
      case '/v1/responses':
        return Promise.resolve(responses(body));
      case '/v1/embeddings':
        return Promise.resolve(embeddings(body));
      case '/v1/completions':
        return Promise.resolve(completions(body));
      case '/v1/messages':
        return Promise.resolve(demoMessages(body));
      default:
        return Promise.resolve(notFound(path));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
