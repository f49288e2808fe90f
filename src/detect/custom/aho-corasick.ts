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

const NONE: number[] = [];

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

function isWordChar(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  return WORD_CHAR.test(text[index] ?? '');
}

export class KeywordMatcher {
  /** All goto edges in one map keyed by `node * 65536 + code`: one lookup per step. */
  private readonly edges = new Map<number, number>();
  /** Goto edges of the root for ASCII, the overwhelmingly common first step. */
  private readonly rootAscii = new Int32Array(128).fill(-1);
  /** Codes of each node's goto edges; shared empty array for leaves (most nodes). */
  private readonly children: number[][] = [[]];
  private readonly fail: number[] = [0];
  /** Keyword indices ending at each node (including those reached through fail links). */
  private readonly out: (readonly number[])[] = [[]];
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
        const key = node * 65536 + code;
        let child = this.edges.get(key);
        if (child === undefined) {
          child = this.fail.length;
          this.edges.set(key, child);
          this.children.push(NONE);
          if (this.children[node] === NONE) this.children[node] = [];
          (this.children[node] as number[]).push(code);
          this.fail.push(0);
          this.out.push(NONE);
          if (node === 0 && code < 128) this.rootAscii[code] = child;
        }
        node = child;
      }
      this.out[node] = [...(this.out[node] as number[]), index];
    });
    this.buildFailLinks();
  }

  private goto(node: number, code: number): number | undefined {
    if (node === 0 && code < 128) {
      const child = this.rootAscii[code] as number;
      return child === -1 ? undefined : child;
    }
    return this.edges.get(node * 65536 + code);
  }

  private buildFailLinks(): void {
    const queue: number[] = [];
    for (const code of this.children[0] as number[]) queue.push(this.goto(0, code) as number);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as number;
      for (const code of this.children[node] as number[]) {
        const child = this.goto(node, code) as number;
        let f = this.fail[node] as number;
        let target = this.goto(f, code);
        while (target === undefined && f !== 0) {
          f = this.fail[f] as number;
          target = this.goto(f, code);
        }
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const inherited = this.out[this.fail[child] as number] as readonly number[];
        if (inherited.length > 0) this.out[child] = [...(this.out[child] as readonly number[]), ...inherited];
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
      let target = this.goto(node, code);
      while (target === undefined && node !== 0) {
        node = this.fail[node] as number;
        target = this.goto(node, code);
      }
      node = target ?? 0;
      const found = this.out[node] as readonly number[];
      if (found.length === 0) continue;
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
