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

function patternFor(context: ContextWords): RegExp {
  let pattern = compiled.get(context);
  if (pattern === undefined) {
    const alternatives = [...context.words]
      .sort((a, b) => b.length - a.length)
      .map((word) => escapeRegExp(word).replace(/\\?\s+/g, '[\\s._-]*'));
    pattern = new RegExp(`(?:^|[^a-z0-9])(?:${alternatives.join('|')})(?![a-z0-9])`, 'i');
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
