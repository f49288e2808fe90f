/**
 * Google Gemini (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
 * `:countTokens`): `systemInstruction` and every part of `contents` go out masked (text,
 * `functionCall.args`, `functionResponse.response`, code and its results); inline and file data
 * pass unscanned. Candidates come back rehydrated; in a stream one rehydrator per candidate and
 * kind of text (answer or thought), flushed when the candidate finishes.
 * @module
 */
import { badField, errorBody } from '../../errors.js';
import type { SseEvent } from '../../sse.js';
import { isObject, rehydrateLeaves, TextCollector, type JsonObject, parseStreamEvent } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, ProviderErrorBody, Rehydration, StreamRewriter } from '../provider-adapter.js';

function collectParts(collector: TextCollector, content: JsonObject, path: string): void {
  const parts = content['parts'];
  if (parts === undefined || parts === null) return;
  if (!Array.isArray(parts)) throw badField(`${path}.parts`, 'array');
  for (let index = 0; index < parts.length; index++) {
    const part: unknown = parts[index];
    const partPath = `${path}.parts[${index}]`;
    if (!isObject(part)) throw badField(partPath, 'object');
    if (part['text'] !== undefined) collector.optionalString(part, 'text', `${partPath}.text`);
    const call = part['functionCall'];
    if (isObject(call) && typeof call['args'] === 'object' && call['args'] !== null) collector.addLeaves(call['args'], `${partPath}.functionCall.args`);
    const response = part['functionResponse'];
    if (isObject(response) && typeof response['response'] === 'object' && response['response'] !== null) {
      collector.addLeaves(response['response'], `${partPath}.functionResponse.response`);
    }
    const code = part['executableCode'];
    if (isObject(code)) collector.optionalString(code, 'code', `${partPath}.executableCode.code`);
    const result = part['codeExecutionResult'];
    if (isObject(result)) collector.optionalString(result, 'output', `${partPath}.codeExecutionResult.output`);
    if (part['inlineData'] !== undefined || part['fileData'] !== undefined) collector.unscanned++;
  }
}

function collectRequest(collector: TextCollector, body: JsonObject, prefix: string): void {
  const contents = body['contents'];
  if (contents !== undefined && contents !== null) {
    if (!Array.isArray(contents)) throw badField(`${prefix}contents`, 'array');
    for (let index = 0; index < contents.length; index++) {
      const content: unknown = contents[index];
      if (!isObject(content)) throw badField(`${prefix}contents[${index}]`, 'object');
      collectParts(collector, content, `${prefix}contents[${index}]`);
    }
  }
  const system = body['systemInstruction'] ?? body['system_instruction'];
  if (isObject(system)) collectParts(collector, system, `${prefix}systemInstruction`);
  else if (system !== undefined && system !== null) throw badField(`${prefix}systemInstruction`, 'object');
}

function extractGenerate(body: JsonObject): Extraction {
  const collector = new TextCollector();
  if (!Array.isArray(body['contents'])) throw badField('contents', 'array');
  collectRequest(collector, body, '');
  return collector;
}

function extractCount(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collectRequest(collector, body, '');
  const wrapped = body['generateContentRequest'];
  if (isObject(wrapped)) collectRequest(collector, wrapped, 'generateContentRequest.');
  return collector;
}

/** `withText` false: the stream rehydrates text piece by piece itself. */
function rehydratePart(part: unknown, rehydration: Rehydration, withText = true): void {
  if (!isObject(part)) return;
  const text = (value: string): string => rehydration.text(value);
  if (withText && typeof part['text'] === 'string') part['text'] = text(part['text']);
  const call = part['functionCall'];
  if (isObject(call)) call['args'] = rehydrateLeaves(call['args'], text);
  const code = part['executableCode'];
  if (isObject(code) && typeof code['code'] === 'string') code['code'] = text(code['code']);
  const result = part['codeExecutionResult'];
  if (isObject(result) && typeof result['output'] === 'string') result['output'] = text(result['output']);
}

function rehydrateError(body: JsonObject, rehydration: Rehydration): boolean {
  const error = body['error'];
  if (!isObject(error)) return false;
  if (typeof error['message'] === 'string') error['message'] = rehydration.text(error['message']);
  return true;
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's error body: `{"error":{"code","message","status"}}`. */
export function geminiErrorBody(error: unknown): ProviderErrorBody {
  const { status, body } = errorBody(error);
  return { status, body: { error: { code: status, message: body.error.message, status: STATUS_NAMES[status] ?? 'INTERNAL' } } };
}

class GeminiStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  /** `candidate|text` or `candidate|thought`. */
  private readonly open = new Map<string, ChunkRehydrator>();

  constructor(rehydration: Rehydration) {
    this.rehydration = rehydration;
  }

  event(event: SseEvent, out: SseEvent[]): void {
    if (event.data === undefined) {
      out.push(event);
      return;
    }
    const chunk = parseStreamEvent(event.data);
    if (!rehydrateError(chunk, this.rehydration)) {
      const candidates = chunk['candidates'];
      if (Array.isArray(candidates)) {
        candidates.forEach((candidate: unknown, position) => {
          if (isObject(candidate)) this.candidate(candidate, position);
        });
      }
    }
    event.data = JSON.stringify(chunk);
    out.push(event);
  }

  end(out: SseEvent[]): void {
    const byCandidate = new Map<number, JsonObject[]>();
    for (const [key, rehydrator] of this.open) {
      const rest = rehydrator.end();
      if (rest.length === 0) continue;
      const [index, kind] = key.split('|');
      const parts = byCandidate.get(Number(index)) ?? [];
      parts.push(kind === 'thought' ? { text: rest, thought: true } : { text: rest });
      byCandidate.set(Number(index), parts);
    }
    this.open.clear();
    for (const [index, parts] of byCandidate) {
      const chunk = { candidates: [{ index, content: { role: 'model', parts } }] };
      out.push({ event: undefined, data: JSON.stringify(chunk), extra: [] });
    }
  }

  errorEvent(error: unknown): SseEvent {
    return { event: undefined, data: JSON.stringify(geminiErrorBody(error).body), extra: [] };
  }

  private candidate(candidate: JsonObject, position: number): void {
    const index = typeof candidate['index'] === 'number' ? candidate['index'] : position;
    const content = candidate['content'];
    const parts = isObject(content) && Array.isArray(content['parts']) ? (content['parts'] as unknown[]) : undefined;
    for (const part of parts ?? []) {
      if (!isObject(part)) continue;
      const text = part['text'];
      if (typeof text === 'string' && text.length > 0) {
        const key = `${index}|${part['thought'] === true ? 'thought' : 'text'}`;
        let rehydrator = this.open.get(key);
        if (rehydrator === undefined) {
          rehydrator = this.rehydration.stream(false);
          this.open.set(key, rehydrator);
        }
        part['text'] = rehydrator.feed(text);
      }
      // Calls and code arrive whole.
      rehydratePart(part, this.rehydration, false);
    }
    const finish = candidate['finishReason'];
    if (typeof finish !== 'string' || finish.length === 0) return;
    for (const kind of ['thought', 'text']) {
      const key = `${index}|${kind}`;
      const rehydrator = this.open.get(key);
      if (rehydrator === undefined) continue;
      this.open.delete(key);
      const rest = rehydrator.end();
      if (rest.length === 0) continue;
      const list = parts ?? [];
      const last = [...list].reverse().find((part) => isObject(part) && typeof part['text'] === 'string' && (part['thought'] === true) === (kind === 'thought'));
      if (isObject(last)) last['text'] = `${String(last['text'])}${rest}`;
      else list.push(kind === 'thought' ? { text: rest, thought: true } : { text: rest });
      if (parts === undefined) candidate['content'] = { role: 'model', ...(isObject(content) ? content : {}), parts: list };
    }
  }
}

function rehydrateResponse(body: unknown, rehydration: Rehydration): void {
  if (!isObject(body) || rehydrateError(body, rehydration)) return;
  const candidates = body['candidates'];
  if (!Array.isArray(candidates)) return;
  for (const candidate of candidates) {
    const content = isObject(candidate) ? candidate['content'] : undefined;
    const parts = isObject(content) ? content['parts'] : undefined;
    if (Array.isArray(parts)) for (const part of parts) rehydratePart(part, rehydration);
  }
}

export const geminiGenerateAdapter: ProviderAdapter = {
  id: 'gemini.generate',
  rehydrates: true,
  extract: extractGenerate,
  // The method in the path decides (`:streamGenerateContent`), not the body.
  isStream: () => false,
  rehydrateResponse,
  streamRewriter: (rehydration) => new GeminiStreamRewriter(rehydration),
  errorBody: geminiErrorBody,
};

export const geminiCountTokensAdapter: ProviderAdapter = {
  id: 'gemini.count_tokens',
  rehydrates: false,
  extract: extractCount,
  isStream: () => false,
  rehydrateResponse,
  streamRewriter: () => ({ event: (event, out) => out.push(event), end: () => undefined }),
  errorBody: geminiErrorBody,
};
