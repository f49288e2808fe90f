/**
 * Small helpers shared by the rule detectors: span construction, character classes and the
 * checksums more than one identifier uses.
 * @module
 */
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';

export function span(start: number, end: number, type: EntityType, score: number, detector: string): Span {
  return { start, end, type, score, detector };
}

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAlnumCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** True when the character at `index` is a letter, digit or underscore (out of range: false). */
export function isWordCharAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  return isAlnumCode(code) || code === 95 || code > 127;
}

/** Counts ASCII digits, stopping early once `atLeast` is reached (for cheap prefilters). */
export function countDigits(text: string, atLeast = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57 && ++count >= atLeast) return count;
  }
  return count;
}

/** The ASCII digits of `text`, separators dropped. */
export function digitsOf(text: string): string {
  let digits = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits += text[index];
  }
  return digits;
}

/** Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let value = digits.charCodeAt(index) - 48;
    if (double) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** A run of token characters `[A-Za-z0-9_-]`, `[start, end)`. */
export interface TokenRun {
  readonly start: number;
  readonly end: number;
}

const LONG_RUN_MIN = 17;
let runsText: string | undefined;
let runsCache: TokenRun[] = [];

/**
 * Runs of at least 17 token characters (`[A-Za-z0-9_-]`). VINs, wallet addresses and API keys
 * all live inside such runs, and prose has few of them, so those detectors look only here. The
 * engine runs every detector on the same string, so the last answer is kept and reused.
 */
export function longTokenRuns(text: string): readonly TokenRun[] {
  if (text === runsText) return runsCache;
  const runs: TokenRun[] = [];
  let start = -1;
  for (let index = 0; index <= text.length; index++) {
    const code = index < text.length ? text.charCodeAt(index) : 32;
    if (isAlnumCode(code) || code === 95 || code === 45) {
      if (start === -1) start = index;
    } else if (start !== -1) {
      if (index - start >= LONG_RUN_MIN) runs.push({ start, end: index });
      start = -1;
    }
  }
  runsText = text;
  runsCache = runs;
  return runs;
}
