/**
 * Tier T3: an optional LLM detector over any OpenAI-compatible `/chat/completions` endpoint
 * (Ollama, vLLM, llama.cpp server). It asks for the configured entity types (built-in ones
 * and custom types described in words), validates the JSON answer with zod, and maps every
 * returned value to each verbatim occurrence in the text; values not present are ignored, so a
 * hallucinating model cannot invent spans. Long texts are chunked with overlap. On any
 * failure (network, HTTP status, timeout, malformed answer) the detector returns no spans and
 * reports the failure to the request's call log (`call-log.ts`, read by the gateway's audit) and
 * to `onStatus`, so the request continues on T1 + T2. Successful answers are cached per text
 * (conversations resend their history every turn); failures are not, so the next request asks
 * again.
 * @module
 */
import { request } from 'undici';
import { z } from 'zod';
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { SpanCache, type SpanCacheOptions } from '../span-cache.js';
import { noteLlmDetector, reportLlmCall, type LlmFailure } from './call-log.js';
import { BUILTIN_DESCRIPTIONS, buildMessages, type LlmEntityType } from './prompt.js';

export type { LlmFailure } from './call-log.js';

export interface LlmDetectorOptions {
  /** Base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:11434/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
  /** Built-in types to ask for. Default PERSON, ORG, LOCATION, ADDRESS. */
  readonly types?: readonly EntityType[];
  /** Custom types described in words. */
  readonly customTypes?: readonly LlmEntityType[];
  /** Whole-call budget per chunk, ms. Default 8000. */
  readonly timeoutMs?: number;
  /** Characters per chunk. Default 6000. */
  readonly chunkSize?: number;
  /** Characters shared by neighbouring chunks, so an entity on a boundary is seen whole. Default 200. */
  readonly chunkOverlap?: number;
  /** Chunks in flight at once. Default 2. */
  readonly concurrency?: number;
  /** Send `response_format: {type: 'json_object'}` (Ollama, vLLM and llama.cpp honour it). Default true. */
  readonly jsonMode?: boolean;
  /** Confidence of emitted spans when the model gives none. Default 0.7. */
  readonly score?: number;
  /** Entities the model itself scores below this are dropped. Default 0 (none). */
  readonly minScore?: number;
  /** Successful answers per text (a bounded LRU of offsets and types). `false`: none. */
  readonly cache?: SpanCacheOptions | false;
  /**
   * Called once per `detect` with how the call went. Shared by every caller of this detector:
   * per-request outcomes come from the call log (`withLlmCallLog`) instead.
   */
  readonly onStatus?: (status: LlmStatus) => void;
  readonly id?: string;
}

/** Outcome of one `detect` call; never contains text or values. */
export interface LlmStatus {
  readonly ok: boolean;
  readonly chunks: number;
  readonly failedChunks: number;
  readonly error?: LlmFailure;
  /** Short reason for the first failure (HTTP status, parse error kind). */
  readonly detail?: string;
  readonly ms: number;
  /** Values the model returned that do not occur in the text (dropped). */
  readonly droppedValues: number;
  /** Spans returned (0 on failure). */
  readonly spans: number;
  /** Answered from the cache of earlier successful answers, without a call. */
  readonly cached: boolean;
}

const ANSWER = z.object({
  entities: z
    .array(
      z.object({
        type: z.string().min(1).max(64),
        value: z.string().min(1).max(1000),
        // Optional, and a bad one is ignored rather than failing the whole answer.
        score: z.number().min(0).max(1).optional().catch(undefined),
      }),
    )
    .max(2000),
});

const COMPLETION = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }) }))
    .min(1),
});

class LlmCallError extends Error {
  readonly kind: LlmFailure;
  constructor(kind: LlmFailure, detail: string) {
    super(detail);
    this.kind = kind;
  }
}

export interface TextChunk {
  readonly start: number;
  readonly text: string;
}

/** Splits `text` into chunks of at most `size` characters overlapping by `overlap`, cut at whitespace when possible. */
export function chunkText(text: string, size: number, overlap: number): TextChunk[] {
  if (text.length <= size) return [{ start: 0, text }];
  const chunks: TextChunk[] = [];
  const step = Math.max(1, size - overlap);
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const cut = text.lastIndexOf(' ', end);
      const newline = text.lastIndexOf('\n', end);
      const best = Math.max(cut, newline);
      if (best > start + step / 2) end = best;
    }
    chunks.push({ start, text: text.slice(start, end) });
    if (end >= text.length) break;
    let next = Math.max(start + 1, end - overlap);
    // Start the next chunk at a word boundary too.
    const space = text.indexOf(' ', next);
    if (space !== -1 && space < end) next = space + 1;
    start = next;
  }
  return chunks;
}

/** Extracts the JSON object from a model answer (tolerates code fences and surrounding prose). */
export function parseAnswer(content: string): z.infer<typeof ANSWER> {
  let body = content.trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/u.exec(body);
  if (fenced?.[1] !== undefined) body = fenced[1].trim();
  const first = body.indexOf('{');
  const last = body.lastIndexOf('}');
  if (first === -1 || last < first) throw new LlmCallError('malformed', 'no JSON object in answer');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(first, last + 1));
  } catch {
    throw new LlmCallError('malformed', 'answer is not valid JSON');
  }
  const result = ANSWER.safeParse(parsed);
  if (!result.success) throw new LlmCallError('malformed', 'answer does not match the entity schema');
  return result.data;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Every verbatim, word-bounded occurrence of `value` in `text`. */
export function occurrences(text: string, value: string): number[] {
  const found: number[] = [];
  if (value.length === 0) return found;
  const boundedStart = WORD_CHAR.test(value[0] ?? '');
  const boundedEnd = WORD_CHAR.test(value[value.length - 1] ?? '');
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
    if (boundedStart && at > 0 && WORD_CHAR.test(text[at - 1] ?? '')) continue;
    const end = at + value.length;
    if (boundedEnd && end < text.length && WORD_CHAR.test(text[end] ?? '')) continue;
    found.push(at);
  }
  return found;
}

export class LlmDetector implements Detector {
  readonly id: string;
  readonly tier = 'llm' as const;
  readonly types: readonly EntityType[];
  lastStatus: LlmStatus | undefined;
  private readonly options: LlmDetectorOptions;
  private readonly entityTypes: readonly LlmEntityType[];
  private readonly url: string;
  private readonly cache: SpanCache | undefined;

  constructor(options: LlmDetectorOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new Error(`LLM detector: invalid baseUrl '${options.baseUrl}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('LLM detector: baseUrl must be http(s)');
    if (options.model.trim() === '') throw new Error('LLM detector: model is required');
    this.options = options;
    this.id = options.id ?? 'llm';
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const builtin = (options.types ?? ['PERSON', 'ORG', 'LOCATION', 'ADDRESS']).map((type) => ({
      type,
      description: BUILTIN_DESCRIPTIONS[type] ?? type.toLowerCase().replace(/_/g, ' '),
    }));
    this.entityTypes = [...builtin, ...(options.customTypes ?? [])];
    this.types = this.entityTypes.map((t) => t.type);
    // LLM calls cost far more than hashing, so even short texts are worth remembering.
    this.cache = options.cache === false ? undefined : new SpanCache({ maxEntries: 2048, minChars: 1, ...options.cache });
    noteLlmDetector();
  }

  async detect(text: string): Promise<readonly Span[]> {
    const started = Date.now();
    const cached = this.cache?.get(text);
    if (cached !== undefined) {
      this.report({ ok: true, chunks: 0, failedChunks: 0, ms: Date.now() - started, droppedValues: 0, spans: cached.length, cached: true });
      return [...cached];
    }
    const chunks = text.trim() === '' ? [] : chunkText(text, this.options.chunkSize ?? 6000, this.options.chunkOverlap ?? 200);
    const results: (readonly Span[] | LlmCallError)[] = new Array(chunks.length);
    let dropped = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const index = next++;
        const chunk = chunks[index] as TextChunk;
        try {
          const { spans, droppedValues } = await this.detectChunk(chunk);
          dropped += droppedValues;
          results[index] = spans;
        } catch (error) {
          results[index] = error instanceof LlmCallError ? error : new LlmCallError('network', 'request failed');
        }
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency ?? 2, chunks.length));
    await Promise.all(Array.from({ length: workers }, worker));
    const failures = results.filter((r): r is LlmCallError => r instanceof LlmCallError);
    const spans: Span[] = [];
    const seen = new Set<string>();
    if (failures.length === 0) {
      for (const result of results) {
        for (const span of result as readonly Span[]) {
          const key = `${span.start}:${span.end}:${span.type}`;
          if (seen.has(key)) continue;
          seen.add(key);
          spans.push(span);
        }
      }
    }
    const first = failures[0];
    // A partial answer would look like a complete one downstream; all or nothing.
    const result = failures.length === 0 ? spans.sort((a, b) => a.start - b.start) : [];
    this.report({
      ok: failures.length === 0,
      chunks: chunks.length,
      failedChunks: failures.length,
      ...(first === undefined ? {} : { error: first.kind, detail: first.message }),
      ms: Date.now() - started,
      droppedValues: dropped,
      spans: result.length,
      cached: false,
    });
    if (failures.length === 0) this.cache?.set(text, [...result]);
    return result;
  }

  private report(status: LlmStatus): void {
    this.lastStatus = status;
    reportLlmCall({ ok: status.ok, ms: status.ms, spans: status.spans, ...(status.error === undefined ? {} : { error: status.error }) });
    this.options.onStatus?.(status);
  }

  private async detectChunk(chunk: TextChunk): Promise<{ spans: Span[]; droppedValues: number }> {
    const content = await this.call(chunk.text);
    const answer = parseAnswer(content);
    const wanted = new Set(this.types);
    const spans: Span[] = [];
    let droppedValues = 0;
    const minScore = this.options.minScore ?? 0;
    for (const entity of answer.entities) {
      const type = entity.type.trim().toUpperCase();
      if (!wanted.has(type)) continue;
      if (entity.score !== undefined && entity.score < minScore) continue;
      const value = entity.value.trim();
      if (value.length < 2) continue;
      const hits = occurrences(chunk.text, value);
      if (hits.length === 0) droppedValues++;
      for (const at of hits) {
        spans.push({
          start: chunk.start + at,
          end: chunk.start + at + value.length,
          type,
          score: entity.score ?? this.options.score ?? 0.7,
          detector: this.id,
        });
      }
    }
    return { spans, droppedValues };
  }

  private async call(text: string): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 8000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.options.apiKey !== undefined) headers['authorization'] = `Bearer ${this.options.apiKey}`;
      const body = {
        model: this.options.model,
        messages: buildMessages(text, this.entityTypes),
        temperature: 0,
        stream: false,
        ...((this.options.jsonMode ?? true) ? { response_format: { type: 'json_object' } } : {}),
      };
      let response;
      try {
        response = await request(this.url, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: controller.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch {
        throw new LlmCallError(controller.signal.aborted ? 'timeout' : 'network', controller.signal.aborted ? `no answer within ${timeoutMs} ms` : 'connection failed');
      }
      let raw: string;
      try {
        raw = await response.body.text();
      } catch {
        throw new LlmCallError(controller.signal.aborted ? 'timeout' : 'network', 'answer interrupted');
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new LlmCallError('http', `HTTP ${response.statusCode}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new LlmCallError('malformed', 'completion is not JSON');
      }
      const completion = COMPLETION.safeParse(json);
      if (!completion.success) throw new LlmCallError('malformed', 'not a chat completion');
      return completion.data.choices[0]?.message.content ?? '';
    } finally {
      clearTimeout(timer);
    }
  }
}

export function createLlmDetector(options: LlmDetectorOptions): LlmDetector {
  return new LlmDetector(options);
}
