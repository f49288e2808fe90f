/**
 * The legacy `POST /v1/completions`: `prompt` and `suffix` are masked; `choices[*].text` comes
 * back rehydrated, whole or streamed (one rehydrator per choice).
 * @module
 */
import type { SseEvent } from '../../sse.js';
import { isObject, optionalBoolean, TextCollector, type JsonObject, parseStreamEvent } from '../json-text.js';
import type { ChunkRehydrator, Extraction, ProviderAdapter, Rehydration, StreamRewriter } from '../provider-adapter.js';
import { rehydrateErrorBody } from './chat-completions.js';
import { collectStrings } from './embeddings.js';

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
    const chunk = parseStreamEvent(data);
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
