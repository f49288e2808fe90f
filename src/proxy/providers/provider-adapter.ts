/**
 * The provider seam. An adapter knows one API shape (OpenAI chat completions, Responses,
 * embeddings; later Anthropic messages, Gemini) and nothing else: it lists the texts a request
 * sends out, with a way back to each, and it rehydrates a whole response or one stream event.
 * Masking, the leak gate and forwarding are the server's, the same for every adapter.
 * @module
 */
import type { SseEvent } from '../sse.js';

type Container = Record<string, unknown> | unknown[];

/** One outgoing text and where it lives in the request body. */
export interface TextSlot {
  /** For audit and errors, e.g. `messages[2].content[0].text`. Never the value. */
  readonly path: string;
  readonly container: Container;
  readonly key: string | number;
}

/** Every text of a request, in one batch for one `mask` call. */
export interface Extraction {
  readonly texts: string[];
  readonly slots: TextSlot[];
  /** Run after the masked texts are written back (re-serialises tool-call arguments). */
  readonly finalizers: (() => void)[];
  /** Image, audio and file parts that left unscanned (no OCR yet); reported, not blocked. */
  readonly unscanned: number;
}

/** What the server tells an adapter about rehydrating this response. */
export interface Rehydration {
  /** Whole text. */
  text(value: string): string;
  /** Whole text, values escaped for a JSON string (tool-call arguments). */
  json(value: string): string;
  /** A streaming rehydrator; `json` selects JSON escaping. */
  stream(json: boolean): ChunkRehydrator;
}

export interface ChunkRehydrator {
  feed(chunk: string): string;
  end(): string;
}

/**
 * Rewrites one response stream. Lives for one response; keeps per-choice / per-tool-call
 * rehydrators. Throws VeilError(Upstream) on an event it cannot read.
 */
export interface StreamRewriter {
  /** Pushes the events to send for `event` (usually just `event`, rewritten) onto `out`. */
  event(event: SseEvent, out: SseEvent[]): void;
  /** Pushes events that flush text still held back when the upstream stream ends. */
  end(out: SseEvent[]): void;
  /** The event that ends a broken stream, in the provider's own shape (default: OpenAI's). */
  errorEvent?(error: unknown): SseEvent;
}

/** An error response in a provider's own shape. */
export interface ProviderErrorBody {
  readonly status: number;
  readonly body: unknown;
}

export interface ProviderAdapter {
  /** e.g. `openai.chat`. */
  readonly id: string;
  /** False for APIs whose answers carry no text (embeddings). */
  readonly rehydrates: boolean;
  /** Validates field types and lists every outgoing text. Throws VeilError(BadInput) naming the field. */
  extract(body: Record<string, unknown>): Extraction;
  /** Whether the client asked for a stream. */
  isStream(body: Record<string, unknown>): boolean;
  /** Rehydrates a parsed JSON response body in place. */
  rehydrateResponse(body: unknown, rehydration: Rehydration): void;
  streamRewriter(rehydration: Rehydration): StreamRewriter;
  /** Gateway errors in the provider's own shape, so its SDK raises its usual errors (default: OpenAI's). */
  errorBody?(error: unknown): ProviderErrorBody;
}

/** Writes masked texts back and runs the finalizers. */
export function applyMasked(extraction: Extraction, masked: readonly string[]): void {
  const { slots } = extraction;
  for (let index = 0; index < slots.length; index++) {
    const slot = slots[index] as TextSlot;
    const value = masked[index] as string;
    if (Array.isArray(slot.container)) slot.container[slot.key as number] = value;
    else slot.container[slot.key as string] = value;
  }
  for (const finalize of extraction.finalizers) finalize();
}
