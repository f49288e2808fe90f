/**
 * User names and logins written after their label: "Login: jsmith42", "username=d.okonkwo",
 * "user ID is kwame_m". A bare word has no shape that marks it as a user name, so the value is
 * taken only right after a label and a `:`, `=` or "is", and never when it is a plain filler
 * word ("Username: required").
 * @module
 */
import type { Span } from '../../core/span.js';
import { findContextWords } from '../context-words.js';
import type { Detector } from '../detector.js';
import { USERNAME_CONTEXT } from './context.js';
import { span } from './rule-kit.js';

const ID = 'rules.username';
/** The label's separator, then the value: letters, digits and `._-@+`, not ending in punctuation. */
const AFTER_LABEL = /^\s{0,3}(:|=|\bis\b|\bwas\b)\s{0,3}["'`]?([\p{L}\p{N}_](?:[\p{L}\p{N}_.@+-]{0,62}[\p{L}\p{N}_])?)/u;
/** Labels that name a user name outright, so "my username is kwame" counts; "the login is broken" does not. */
const NAMING_LABEL = /^(?:user[\s._-]*name|user[\s._-]*id|userid|screen[\s._-]*name|handle)$/i;
/** A value shaped like a handle: a digit, `_`, `.` or `@` inside. */
const HANDLE_SHAPE = /[\p{N}_.@]/u;
const NOT_A_NAME =
  /^(?:required|optional|none|null|n\/a|na|unknown|same|your|the|a|an|not|please|enter|here|below|above|and|or|to|of|for|with|as|is|user|username|login|password|email|e-mail|tbd|todo|blank|empty|anonymous|guest|failed|failure|success|successful|ok|error|invalid|disabled|enabled|locked|expired|pending|missing|correct|incorrect|wrong|changed|reset)$/i;

export function findUsernames(text: string): Span[] {
  const spans: Span[] = [];
  for (const word of findContextWords(text, USERNAME_CONTEXT)) {
    const match = AFTER_LABEL.exec(text.slice(word.end, word.end + 80));
    const value = match?.[2];
    if (match === null || value === undefined || NOT_A_NAME.test(value)) continue;
    const spokenSeparator = match[1] !== ':' && match[1] !== '=';
    if (spokenSeparator && !NAMING_LABEL.test(text.slice(word.start, word.end)) && !HANDLE_SHAPE.test(value)) continue;
    const start = word.end + match[0].length - value.length;
    spans.push(span(start, start + value.length, 'USERNAME', 0.8, ID));
  }
  return spans;
}

export const usernameDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['USERNAME'],
  detect: findUsernames,
};
