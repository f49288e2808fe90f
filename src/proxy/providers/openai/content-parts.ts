/**
 * Message content as OpenAI sends it: a string, null, or an array of typed parts. Text-bearing
 * parts are masked; image, audio and file parts pass (OCR is a later extractor).
 * @module
 */
import { badField } from '../../errors.js';
import { isObject, type JsonObject, type TextCollector } from '../json-text.js';

/** Part fields that carry text, by part type (`text`, `input_text`, `output_text`, `refusal`). */
const TEXT_FIELDS: Readonly<Record<string, string>> = {
  text: 'text',
  input_text: 'text',
  output_text: 'text',
  refusal: 'refusal',
  summary_text: 'text',
  reasoning_text: 'text',
};

export function collectContent(collector: TextCollector, owner: JsonObject, key: string, path: string): void {
  const content = owner[key];
  if (content === undefined || content === null) return;
  if (typeof content === 'string') {
    collector.add(owner, key, path);
    return;
  }
  if (!Array.isArray(content)) throw badField(path, 'string or array of content parts');
  for (let index = 0; index < content.length; index++) {
    const part: unknown = content[index];
    const partPath = `${path}[${index}]`;
    if (typeof part === 'string') {
      collector.add(content, index, partPath);
      continue;
    }
    if (!isObject(part)) throw badField(partPath, 'object');
    const type = part['type'];
    const field = typeof type === 'string' ? TEXT_FIELDS[type] : undefined;
    if (field !== undefined) collector.optionalString(part, field, `${partPath}.${field}`);
    else collector.unscanned++;
  }
}

/** Rehydrates text-bearing parts of a content array (or a plain string) and returns it. */
export function rehydrateContent(content: unknown, text: (value: string) => string): unknown {
  if (typeof content === 'string') return text(content);
  if (!Array.isArray(content)) return content;
  for (const part of content) {
    if (!isObject(part)) continue;
    const type = part['type'];
    const field = typeof type === 'string' ? TEXT_FIELDS[type] : undefined;
    if (field === undefined) continue;
    const value = part[field];
    if (typeof value === 'string') part[field] = text(value);
  }
  return content;
}
