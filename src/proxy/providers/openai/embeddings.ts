/**
 * `POST /v1/embeddings`: every input string is masked. No text comes back.
 * @module
 */
import { badField } from '../../errors.js';
import { TextCollector, type JsonObject } from '../json-text.js';
import type { Extraction, ProviderAdapter } from '../provider-adapter.js';
import { rehydrateErrorBody } from './chat-completions.js';

/** A string or an array of strings; arrays of token ids pass (there is no text to mask). */
export function collectStrings(collector: TextCollector, body: JsonObject, key: string): void {
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

export const openaiEmbeddingsAdapter: ProviderAdapter = {
  id: 'openai.embeddings',
  rehydrates: false,
  extract: extractEmbeddings,
  isStream: () => false,
  rehydrateResponse(body, rehydration) {
    rehydrateErrorBody(body, rehydration);
  },
  // Embeddings never stream; an unexpected event stream passes through untouched.
  streamRewriter: () => ({ event: (event, out) => out.push(event), end: () => undefined }),
};

