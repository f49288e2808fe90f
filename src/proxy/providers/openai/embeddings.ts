/**
 * `POST /v1/embeddings` and the legacy `POST /v1/completions`: their inputs are masked.
 * Embeddings carry no text back; completions' `choices[*].text` is rehydrated, whole or streamed.
 * @module
 */
import { VeilError, VeilErrorCode } from '../../../core/errors.js';
import { badField } from '../../errors.js';
import type { SseEvent } from '../../sse.js';
import { isObject, optionalBoolean, TextCollector, type JsonObject } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, Rehydration, StreamRewriter } from '../provider-adapter.js';
import { rehydrateErrorBody } from './chat-completions.js';

/** A string or an array of strings; arrays of token ids pass (there is no text to mask). */
function collectStrings(collector: TextCollector, body: JsonObject, key: string): void {
  const value = body[key];
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    collector.add(body, key, key);
    return;
  }
  if (!Array.isArray(value)) throw badField(key, 'string or array');
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (typeof item === 'string') collector.add(value, index, `${key}[${index}]`);
    else if (typeof item !== 'number' && !Array.isArray(item)) throw badField(`${key}[${index}]`, 'string');
  }
}

function extractEmbeddings(body: JsonObject): Extraction {
  if (body['input'] === undefined) throw badField('input', 'string or array');
  const collector = new TextCollector();
  collectStrings(collector, body, 'input');
  collector.optionalString(body, 'user', 'user');
  return collector;
}

function extractCompletions(body: JsonObject): Extraction {
  const collector = new TextCollector();
  collectStrings(collector, body, 'prompt');
  collector.optionalString(body, 'suffix', 'suffix');
  collector.optionalString(body, 'user', 'user');
  return collector;
}

class CompletionsStreamRewriter implements StreamRewriter {
  private readonly rehydration: Rehydration;
  private readonly choices = new Map<number, ChunkRehydrator>();
  private template: JsonObject | undefined;
  private done = false;

  constructor(rehydration: Rehydration) {
    this.rehydration = rehydration;
  }

  event(event: SseEvent, out: SseEvent[]): void {
    const data = event.data;
    if (data === undefined || data === '[DONE]') {
      if (data === '[DONE]') {
        this.end(out);
        this.done = true;
      }
      out.push(event);
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a stream event that is not JSON.');
    }
    if (!isObject(chunk)) throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a stream event that is not a JSON object.');
    if (!rehydrateErrorBody(chunk, this.rehydration)) {
      this.template = chunk;
      const choices = chunk['choices'];
      if (Array.isArray(choices)) {
        choices.forEach((choice: unknown, position) => {
          if (!isObject(choice)) return;
          const index = typeof choice['index'] === 'number' ? choice['index'] : position;
          let rehydrator = this.choices.get(index);
          if (rehydrator === undefined) {
            rehydrator = this.rehydration.stream(false);
            this.choices.set(index, rehydrator);
          }
          let text = typeof choice['text'] === 'string' ? rehydrator.feed(choice['text']) : '';
          if (choice['finish_reason'] !== undefined && choice['finish_reason'] !== null) text += rehydrator.end();
          choice['text'] = text;
        });
      }
    }
    event.data = JSON.stringify(chunk);
    out.push(event);
  }

  end(out: SseEvent[]): void {
    if (this.done) return;
    for (const [index, rehydrator] of this.choices) {
      const rest = rehydrator.end();
      if (rest.length === 0) continue;
      const template = this.template ?? {};
      const chunk = { ...template, choices: [{ index, text: rest, finish_reason: null }] };
      out.push({ event: undefined, data: JSON.stringify(chunk), extra: [] });
    }
  }
}

export const openaiEmbeddingsAdapter: ProviderAdapter = {
  id: 'openai.embeddings',
  rehydrates: false,
  extract: extractEmbeddings,
  isStream: () => false,
  rehydrateResponse(body, rehydration) {
    rehydrateErrorBody(body, rehydration);
  },
  streamRewriter: (rehydration) => new CompletionsStreamRewriter(rehydration),
};

export const openaiCompletionsAdapter: ProviderAdapter = {
  id: 'openai.completions',
  rehydrates: true,
  extract: extractCompletions,
  isStream: (body) => optionalBoolean(body, 'stream'),
  rehydrateResponse(body, rehydration) {
    if (rehydrateErrorBody(body, rehydration) || !isObject(body)) return;
    const choices = body['choices'];
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      if (isObject(choice) && typeof choice['text'] === 'string') choice['text'] = rehydration.text(choice['text']);
    }
  },
  streamRewriter: (rehydration) => new CompletionsStreamRewriter(rehydration),
};
