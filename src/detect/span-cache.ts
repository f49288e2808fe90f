/**
 * A bounded LRU of detection results keyed by the text itself. Conversations resend their
 * whole history on every turn, so most texts of a request were already scanned by an earlier
 * one. Keys are the texts, kept only in memory, and evicted by count and by total size.
 * @module
 */
import type { Span } from '../core/span.js';

export interface SpanCacheOptions {
  /** Most texts kept. Default 4096. */
  readonly maxEntries?: number;
  /** Most characters kept across all keys. Default 8 million (about 16 MB). */
  readonly maxChars?: number;
  /** Shorter texts are not cached: scanning them costs less than remembering them. */
  readonly minChars?: number;
}

export class SpanCache {
  private readonly entries = new Map<string, readonly Span[]>();
  private readonly maxEntries: number;
  private readonly maxChars: number;
  readonly minChars: number;
  private chars = 0;
  hits = 0;
  misses = 0;

  constructor(options: SpanCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 4096;
    this.maxChars = options.maxChars ?? 8_000_000;
    this.minChars = options.minChars ?? 64;
  }

  get size(): number {
    return this.entries.size;
  }

  get(text: string): readonly Span[] | undefined {
    if (text.length < this.minChars) return undefined;
    const spans = this.entries.get(text);
    if (spans === undefined) {
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(text);
    this.entries.set(text, spans);
    this.hits++;
    return spans;
  }

  set(text: string, spans: readonly Span[]): void {
    if (text.length < this.minChars || text.length > this.maxChars / 4) return;
    if (this.entries.has(text)) return;
    this.entries.set(text, spans);
    this.chars += text.length;
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
      this.chars -= oldest.value.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}
