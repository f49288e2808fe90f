/**
 * A bounded LRU of detection results. Conversations resend their whole history on every turn,
 * so most texts of a request were already scanned by an earlier one. Keys are SHA-256 digests
 * of the texts: the cache never holds a prompt, only offsets and types.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Span } from '../core/span.js';

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

export interface SpanCacheOptions {
  /** Most texts kept. Default 4096. */
  readonly maxEntries?: number;
  /** Shorter texts are not cached: scanning them costs less than remembering them. */
  readonly minChars?: number;
}

export class SpanCache {
  private readonly entries = new Map<string, readonly Span[]>();
  private readonly maxEntries: number;
  readonly minChars: number;
  hits = 0;
  misses = 0;

  constructor(options: SpanCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 4096;
    this.minChars = options.minChars ?? 64;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The key of `text`, or undefined when it is too short to be cached. A caller that looks a
   * text up and then stores its result computes the digest once and uses the `…Keyed` methods.
   */
  keyOf(text: string): string | undefined {
    return text.length < this.minChars ? undefined : digestOf(text);
  }

  get(text: string): readonly Span[] | undefined {
    const key = this.keyOf(text);
    return key === undefined ? undefined : this.getKeyed(key);
  }

  set(text: string, spans: readonly Span[]): void {
    const key = this.keyOf(text);
    if (key !== undefined) this.setKeyed(key, spans);
  }

  getKeyed(key: string): readonly Span[] | undefined {
    const spans = this.entries.get(key);
    if (spans === undefined) {
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, spans);
    this.hits++;
    return spans;
  }

  setKeyed(key: string, spans: readonly Span[]): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, spans);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
