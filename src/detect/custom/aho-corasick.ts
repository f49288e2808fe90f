/**
 * Aho–Corasick multi-pattern matcher: finds every occurrence of thousands of keywords in one
 * pass over the text, independent of how many keywords there are. Case-insensitive (per UTF-16
 * code unit, so offsets never shift) with optional whole-word matching; whitespace of any kind
 * matches a space in a keyword.
 * @module
 */

export interface KeywordMatch {
  readonly start: number;
  readonly end: number;
  /** Index of the keyword in the list the matcher was built from. */
  readonly keyword: number;
}

export interface KeywordMatcherOptions {
  /** Default false: "ACME" matches "acme". */
  readonly caseSensitive?: boolean;
  /** Default true: "acme" does not match inside "acmeish". */
  readonly wholeWords?: boolean;
}

const lowerCache = new Map<number, number>();

function fold(code: number, caseSensitive: boolean): number {
  if (code === 9 || code === 10 || code === 13 || code === 0xa0 || code === 0x202f) return 32;
  if (caseSensitive) return code;
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  let lower = lowerCache.get(code);
  if (lower === undefined) {
    const folded = String.fromCharCode(code).toLowerCase();
    // Characters whose lower case is longer (e.g. U+0130) keep their code unit: offsets must not move.
    lower = folded.length === 1 ? folded.charCodeAt(0) : code;
    lowerCache.set(code, lower);
  }
  return lower;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

function isWordChar(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  return WORD_CHAR.test(text[index] ?? '');
}

export class KeywordMatcher {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Keyword indices ending at each node (including those reached through fail links). */
  private readonly out: number[][] = [[]];
  private readonly lengths: number[] = [];
  private readonly wordEdges: [boolean, boolean][] = [];
  private readonly caseSensitive: boolean;
  private readonly wholeWords: boolean;

  constructor(keywords: readonly string[], options: KeywordMatcherOptions = {}) {
    this.caseSensitive = options.caseSensitive ?? false;
    this.wholeWords = options.wholeWords ?? true;
    keywords.forEach((raw, index) => {
      const keyword = raw.trim().replace(/\s+/gu, ' ');
      this.lengths.push(keyword.length);
      this.wordEdges.push([isWordChar(keyword, 0), isWordChar(keyword, keyword.length - 1)]);
      if (keyword.length === 0) return;
      let node = 0;
      for (let i = 0; i < keyword.length; i++) {
        const code = fold(keyword.charCodeAt(i), this.caseSensitive);
        const transitions = this.next[node] as Map<number, number>;
        let child = transitions.get(code);
        if (child === undefined) {
          child = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          transitions.set(code, child);
        }
        node = child;
      }
      (this.out[node] as number[]).push(index);
    });
    this.buildFailLinks();
  }

  private buildFailLinks(): void {
    const queue: number[] = [];
    for (const child of (this.next[0] as Map<number, number>).values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as number;
      for (const [code, child] of this.next[node] as Map<number, number>) {
        let f = this.fail[node] as number;
        while (f !== 0 && !(this.next[f] as Map<number, number>).has(code)) f = this.fail[f] as number;
        const target = (this.next[f] as Map<number, number>).get(code);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const inherited = this.out[this.fail[child] as number] as number[];
        if (inherited.length > 0) this.out[child] = [...(this.out[child] as number[]), ...inherited];
        queue.push(child);
      }
    }
  }

  /** Every (possibly overlapping) keyword occurrence in `text`, in order of end offset. */
  findAll(text: string): KeywordMatch[] {
    const matches: KeywordMatch[] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const code = fold(text.charCodeAt(i), this.caseSensitive);
      let target = (this.next[node] as Map<number, number>).get(code);
      while (target === undefined && node !== 0) {
        node = this.fail[node] as number;
        target = (this.next[node] as Map<number, number>).get(code);
      }
      node = target ?? 0;
      const found = this.out[node] as number[];
      for (const keyword of found) {
        const end = i + 1;
        const start = end - (this.lengths[keyword] as number);
        if (this.wholeWords) {
          const [wordStart, wordEnd] = this.wordEdges[keyword] as [boolean, boolean];
          if (wordStart && isWordChar(text, start - 1)) continue;
          if (wordEnd && isWordChar(text, end)) continue;
        }
        matches.push({ start, end, keyword });
      }
    }
    return matches;
  }

  /** Non-overlapping occurrences: leftmost first, the longest at each start. */
  find(text: string): KeywordMatch[] {
    const all = this.findAll(text).sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: KeywordMatch[] = [];
    let lastEnd = -1;
    for (const match of all) {
      if (match.start < lastEnd) continue;
      kept.push(match);
      lastEnd = match.end;
    }
    return kept;
  }
}
