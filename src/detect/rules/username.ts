/**
 * User names and logins written after their label: "Login: jsmith42", "username=d.okonkwo",
 * "user ID is kwame_m". A bare word has no shape that marks it as a user name, so the value is
 * taken only right after a label and a `:`, `=` or "is", and never when it is a plain filler
 * word ("Username: required"); the account name in a home directory path; the user of a
 * connection string (`postgres://orders_admin:…@db`); the logged-in user of a web server's
 * access log line (`203.0.113.9 - rgarcia [12/Mar/2024:10:14:31 +0000] "GET …`).
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
const NAMING_LABEL = /^(?:user[\s._-]*name|user[\s._-]*id|userid|screen[\s._-]*name|handle|gamer[\s._-]*tag)$/i;
/** "my login is mkhatri": a login someone owns names an account; "the login is broken" does not. */
const OWNED = /\b(?:my|your|his|her|their|our)\s+$/i;
/**
 * The account name in a home directory path ("/home/mkowalski/projects", "/Users/ana.silva/",
 * "C:\\Users\\jdoe\\"): stack traces and shell output carry the developer's user name.
 */
const HOME_DIRECTORY = /(?:\/home\/|\/Users\/|[A-Za-z]:\\Users\\)([A-Za-z0-9_][A-Za-z0-9_.-]{0,31})(?=[\\/])/g;
const SYSTEM_ACCOUNTS = new Set(['root', 'admin', 'ubuntu', 'ec2-user', 'runner', 'node', 'app', 'user', 'shared', 'public', 'default', 'administrator', 'guest', 'vagrant', 'docker', 'jenkins', 'git', 'www-data']);
/** A value shaped like a handle: a digit, `_`, `.` or `@` inside. */
const HANDLE_SHAPE = /[\p{N}_.@]/u;
const NOT_A_NAME =
  /^(?:required|optional|none|null|n\/a|na|unknown|same|your|the|a|an|not|please|enter|here|below|above|and|or|to|of|for|with|as|is|user|username|login|password|email|e-mail|tbd|todo|blank|empty|anonymous|guest|failed|failure|success|successful|ok|error|invalid|disabled|enabled|locked|expired|pending|missing|correct|incorrect|wrong|changed|reset)$/i;

/** `scheme://user:password@` or `scheme://user@host`: the user part. */
const URL_USER = /\b[a-z][a-z0-9+.-]{1,20}:\/\/([A-Za-z0-9_][A-Za-z0-9_.~-]{0,63})(?::[^\s@/]*)?@[\w.-]/g;
/** Common and combined log format: host, identity, user, then the bracketed time. */
const ACCESS_LOG_USER = /^\S+ \S+ ([^\s[\]"-][^\s[\]"]{0,63}) \[\d{1,2}\/[A-Za-z]{3}\/\d{4}:/gm;

export function findUsernames(text: string): Span[] {
  const spans: Span[] = [];
  for (const word of findContextWords(text, USERNAME_CONTEXT)) {
    const match = AFTER_LABEL.exec(text.slice(word.end, word.end + 80));
    const value = match?.[2];
    if (match === null || value === undefined || NOT_A_NAME.test(value)) continue;
    const spokenSeparator = match[1] !== ':' && match[1] !== '=';
    const named = NAMING_LABEL.test(text.slice(word.start, word.end)) || OWNED.test(text.slice(Math.max(0, word.start - 8), word.start));
    if (spokenSeparator && !named && !HANDLE_SHAPE.test(value)) continue;
    const start = word.end + match[0].length - value.length;
    spans.push(span(start, start + value.length, 'USERNAME', 0.8, ID));
  }
  if (text.includes('/home/') || text.includes('/Users/') || text.includes(':\\Users\\')) {
    HOME_DIRECTORY.lastIndex = 0;
    for (let match = HOME_DIRECTORY.exec(text); match !== null; match = HOME_DIRECTORY.exec(text)) {
      const value = match[1] as string;
      if (SYSTEM_ACCOUNTS.has(value.toLowerCase())) continue;
      const start = match.index + match[0].length - value.length;
      if (!spans.some((other) => other.start === start)) spans.push(span(start, start + value.length, 'USERNAME', 0.75, ID));
    }
  }
  const addUser = (start: number, value: string): void => {
    if (SYSTEM_ACCOUNTS.has(value.toLowerCase()) || spans.some((other) => other.start === start)) return;
    spans.push(span(start, start + value.length, 'USERNAME', 0.75, ID));
  };
  if (text.includes('://')) {
    URL_USER.lastIndex = 0;
    for (let match = URL_USER.exec(text); match !== null; match = URL_USER.exec(text)) {
      addUser(match.index + match[0].indexOf('://') + 3, match[1] as string);
    }
  }
  if (text.includes(' [')) {
    ACCESS_LOG_USER.lastIndex = 0;
    for (let match = ACCESS_LOG_USER.exec(text); match !== null; match = ACCESS_LOG_USER.exec(text)) {
      const value = match[1] as string;
      addUser(match.index + match[0].lastIndexOf(` ${value} [`) + 1, value);
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const usernameDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['USERNAME'],
  detect: findUsernames,
};
