/**
 * Passwords written as assignments (`password=...`, `pwd: ...`, `"password": "..."`), in prose
 * when the value looks like one (`my password is hunter2`, `the PIN is 4821`), and the
 * credentials inside connection strings (`postgres://user:pass@host`). Only the value is masked,
 * so the reader still sees which field it was.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { isAlnumCode, span } from './rule-kit.js';

const ID = 'rules.password';
// Matched from the keyword on; the character before it is checked in code (a leading lookbehind
// and an open-ended identifier prefix made this the slowest pattern of the tier).
const ASSIGNMENT = /(?:pass(?:word|wd|phrase)?|pwd|pw|secret)["']?\s{0,3}(?:[:=]|=>)\s{0,3}/gi;
/** Prose: "my password is hunter2", "the PIN was 4821", "passcode is now 'x7!k'". */
// "my password is hunter2", "pw is sunflower2024!", and in chat without the verb: "login is
// owlbro99 pass Gr1ndM0de!", "pin 4821" (then the value must hold a digit or a symbol).
const PROSE = /(?:pass(?:word|wd|phrase|code)?|pwd|pw|pin)(?:\s+(?:is|was)\s+(?:now\s+|still\s+|just\s+)?|\s+(?=[^\s%]*[\d!@#$^&*][^\s%]*(?:\s|$)))/gi;
/** A prose value looks like a secret: a digit, a symbol, or a capital inside the word. */
const SECRET_SHAPE = /\d|[^\p{L}\p{M}]|\p{Ll}\p{Lu}/u;
// The user may be empty ("redis://:secret@host"); a password may hold "#" or "?" ("pX9!vQ2#mLr7").
const CONNECTION = /([^\s:/@?#]{0,128}):([^\s@/]{1,256})@[^\s/]/y;
const PLACEHOLDER = /^(?:\*+|x+|\.{3}|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%s|null|none|true|false|undefined|required|optional|string)$/i;

/** Characters that end an unquoted value outright: a space, a quote, a tag. */
const HARD_STOP = /[\s"'<>]/;
/** Characters that end it only where the value visibly ends there; otherwise they are part of it. */
const SOFT_STOP = /[,;&)}\]]/;
/** After a soft stop: a space, the end, a hard stop, more closing marks, or the next `key=` of a list. */
const ENDS_AFTER = /^(?:$|[\s"'<>,;&)}\]]|[A-Za-z_][\w.-]{0,40}=)/;

/**
 * Where an unquoted password ends. Passwords hold `&`, `;`, `)` and the like ("Tr0ub4dor&3"),
 * so those end it only before a space, the end of the text or a following `key=` ("pw=x&user=y").
 */
function unquotedValueEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && end - start < 256) {
    const char = text[end] ?? ' ';
    if (HARD_STOP.test(char)) break;
    if (SOFT_STOP.test(char) && ENDS_AFTER.test(text.slice(end + 1, end + 43))) break;
    end++;
  }
  return end;
}

const CLOSING_QUOTE: Readonly<Record<string, string>> = { '"': '"', "'": "'", '`': '`', '“': '”' };

/**
 * The value inside quotes that open at `at`: its range; `null` when the quote never closes within
 * 256 characters (no value); `undefined` when no quote opens there.
 */
function quotedValueAt(text: string, at: number): { start: number; end: number } | null | undefined {
  const closing = CLOSING_QUOTE[text[at] ?? ''];
  if (closing === undefined) return undefined;
  const end = text.indexOf(closing, at + 1);
  return end === -1 || end - (at + 1) > 256 ? null : { start: at + 1, end };
}

export function findPasswords(text: string): Span[] {
  const spans: Span[] = [];
  ASSIGNMENT.lastIndex = 0;
  for (let match = ASSIGNMENT.exec(text); match !== null; match = ASSIGNMENT.exec(text)) {
    // "bypass=" or "compass:" are not passwords; "db_password=" and "client_secret:" are.
    if (isAlnumCode(text.charCodeAt(match.index - 1))) continue;
    const at = match.index + match[0].length;
    const quoted = quotedValueAt(text, at);
    if (quoted === null) continue;
    const start = quoted?.start ?? at;
    let end = quoted?.end ?? unquotedValueEnd(text, at);
    // A sentence-final period is punctuation.
    if (quoted === undefined && end > start + 1 && text[end - 1] === '.') end--;
    const value = text.slice(start, end);
    // Template variables (${DB_PASS}, {{ pwd }}, <password>) are placeholders, not values.
    if (value.length < 3 || PLACEHOLDER.test(value) || /^(?:\$\{|\{\{|<|%\()/.test(value)) continue;
    spans.push(span(start, end, 'SECRET', 0.9, ID));
    ASSIGNMENT.lastIndex = end;
  }
  PROSE.lastIndex = 0;
  for (let match = PROSE.exec(text); match !== null; match = PROSE.exec(text)) {
    if (isAlnumCode(text.charCodeAt(match.index - 1))) continue;
    const at = match.index + match[0].length;
    const quoted = quotedValueAt(text, at);
    if (quoted === null) continue;
    const start = quoted?.start ?? at;
    let end = quoted?.end ?? start;
    if (quoted === undefined) {
      while (end < text.length && end - start < 128 && !/\s/.test(text[end] ?? ' ')) end++;
      // Punctuation that ends the sentence is not part of the value; "!" and "?" may be (and
      // masking one more character leaks nothing: the answer gets it back).
      while (end > start && /[.,;:)]/.test(text[end - 1] ?? '')) end--;
    }
    const value = text.slice(start, end);
    if (value.length < 3 || PLACEHOLDER.test(value) || !SECRET_SHAPE.test(value) || spans.some((other) => other.start < end && other.end > start)) continue;
    spans.push(span(start, end, 'SECRET', 0.8, ID));
  }
  // Connection strings: after each "scheme://", a "user:password@" part.
  let scheme = text.indexOf('://');
  while (scheme !== -1) {
    CONNECTION.lastIndex = scheme + 3;
    const match = CONNECTION.exec(text);
    scheme = text.indexOf('://', scheme + 3);
    if (match === null) continue;
    const password = match[2] ?? '';
    const start = match.index + (match[1] ?? '').length + 1;
    if (PLACEHOLDER.test(password) || spans.some((other) => other.start === start)) continue;
    spans.push(span(start, start + password.length, 'SECRET', 0.95, ID));
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const passwordDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['SECRET'],
  detect: findPasswords,
};
