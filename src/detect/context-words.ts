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
