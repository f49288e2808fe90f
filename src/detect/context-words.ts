/**
 * Context words: one shared mechanism for "this number is an SSN because the word SSN is
 * nearby". Detectors declare their words; this module answers whether any of them stands in a
 * window before (or, less strongly, after) a span.
 * @module
 */

export interface ContextWords {
  /** Lower-case words or short phrases. */
  readonly words: readonly string[];
  /** Characters to look back from the span start. Default 40. */
  readonly before?: number;
  /** Characters to look ahead from the span end. Default 20. */
  readonly after?: number;
}

const compiled = new WeakMap<ContextWords, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A space inside a context word matches any run of separators ("acct no", "acct_no", "acct-no"). */
const SEPARATOR = '[\\s._-]*';

interface TrieNode {
  end: boolean;
  readonly children: Map<string, TrieNode>;
}

/**
 * The words as one pattern shaped like a trie ("acc(?:ount(?: number)?|t)"): after a word's
 * first letters only the words sharing them are tried, instead of every alternative at every
 * position. It matches what the flat alternation of the words, longest first, matches.
 */
function trieSource(words: readonly string[]): string {
  const root: TrieNode = { end: false, children: new Map() };
  for (const word of words) {
    let node = root;
    // A run of white space is one unit (the separator pattern); every other character is one.
    for (const unit of word.toLowerCase().match(/\s+|[\s\S]/g) ?? []) {
      const key = /^\s+$/.test(unit) ? ' ' : unit;
      let next = node.children.get(key);
      if (next === undefined) {
        next = { end: false, children: new Map() };
        node.children.set(key, next);
      }
      node = next;
    }
    node.end = true;
  }
  const emit = (node: TrieNode): string => {
    const branches = [...node.children].map(([key, child]) => (key === ' ' ? SEPARATOR : escapeRegExp(key)) + emit(child));
    if (branches.length === 0) return '';
    const body = branches.length === 1 ? branches[0] as string : `(?:${branches.join('|')})`;
    // Longer words first: the continuation is tried before the word that ends here.
    return node.end ? `(?:${body})?` : body;
  };
  return emit(root);
}

function patternFor(context: ContextWords): RegExp {
  let pattern = compiled.get(context);
  if (pattern === undefined) {
    pattern = new RegExp(`(?:^|[^a-z0-9])(?:${trieSource(context.words)})(?![a-z0-9])`, 'i');
    compiled.set(context, pattern);
  }
  return pattern;
}

/** True when one of the context words occurs near `[start, end)` of `text`. */
export function hasContext(text: string, start: number, end: number, context: ContextWords): boolean {
  const before = context.before ?? 40;
  const after = context.after ?? 20;
  const pattern = patternFor(context);
  const windowBefore = text.slice(Math.max(0, start - before), start);
  if (pattern.test(windowBefore)) return true;
  if (after <= 0) return false;
  return pattern.test(text.slice(end, end + after));
}

const globalCompiled = new WeakMap<ContextWords, RegExp>();

/** A context word found in a text: `[start, end)` of the word itself. */
export interface ContextWordHit {
  readonly start: number;
  readonly end: number;
}

/**
 * Every occurrence of the context words in `text`, in order. Detectors whose values only count
 * with a keyword (passport, MRN, routing numbers) scan for the keyword first and look at what
 * follows it, which is far cheaper than testing the context of every token in the text.
 */
export function findContextWords(text: string, context: ContextWords): ContextWordHit[] {
  let pattern = globalCompiled.get(context);
  if (pattern === undefined) {
    pattern = new RegExp(patternFor(context).source, 'gi');
    globalCompiled.set(context, pattern);
  }
  const hits: ContextWordHit[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const first = match[0].charCodeAt(0);
    const lead = isAsciiAlnum(first) ? 0 : 1;
    hits.push({ start: match.index + lead, end: match.index + match[0].length });
  }
  return hits;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
