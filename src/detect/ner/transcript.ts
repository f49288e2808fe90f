/**
 * Names that chat logs and voice transcripts give in their own way: the speaker labels of a
 * conversation ("jess: omg", "NightOwl: sent") and names spelled out letter by letter, as
 * speech-to-text writes them ("that's j o h n s m i t h").
 * @module
 */

export interface TranscriptName {
  readonly start: number;
  readonly end: number;
}

/** A label at the start of a line, then a colon and the turn. */
const SPEAKER = /^[ \t]*(@?[\p{L}][\p{L}\p{N}_.-]{0,29}):[ \t]+\S/gmu;
/**
 * Labels that name a role or a field, not a person: transcript roles ("Agent:", "Caller:"),
 * e-mail and form fields ("Subject:", "Date:") and log levels.
 */
const NOT_SPEAKERS = new Set([
  'agent', 'user', 'caller', 'customer', 'client', 'assistant', 'system', 'bot', 'ai', 'ivr', 'operator', 'rep', 'representative',
  'support', 'receptionist', 'nurse', 'doctor', 'dr', 'patient', 'interviewer', 'interviewee', 'candidate', 'moderator', 'host',
  'guest', 'speaker', 'q', 'a', 'question', 'answer', 'me', 'you', 'them', 'human', 'model', 'tool', 'function', 'note', 'notes',
  'subject', 'from', 'to', 'cc', 'bcc', 'date', 're', 'fw', 'fwd', 'sent', 'name', 'address', 'phone', 'email', 'e-mail', 'tel',
  'mobile', 'fax', 'dob', 'mrn', 'id', 'ref', 'reference', 'order', 'ticket', 'status', 'priority', 'summary', 'description',
  'reason', 'plan', 'assessment', 'diagnosis', 'result', 'results', 'error', 'warning', 'warn', 'info', 'debug', 'trace', 'fatal',
  'todo', 'fixme', 'example', 'input', 'output', 'response', 'request', 'step', 'update', 'edit', 'ps', 'nb', 'tl;dr', 'tldr',
  'http', 'https', 'ftp', 'mailto', 'file', 'time', 'location', 'attendees', 'agenda', 'action', 'owner', 'title', 'role',
  'company', 'department', 'team', 'project', 'version', 'total', 'amount', 'price', 'quantity', 'item', 'items',
  // Labels of identifiers in forms and records ("SSN: 123-45-6789").
  'ssn', 'sin', 'nino', 'nhs', 'iban', 'bic', 'swift', 'vat', 'ein', 'tin', 'pin', 'otp', 'cvv', 'cvc', 'exp', 'acct', 'account',
  'card', 'routing', 'passport', 'license', 'licence', 'npi', 'upn', 'ubrn', 'nhi', 'dl',
]);
/** A name spelled out after the phrases that introduce spelling: "that's j o h n s m i t h". */
const SPELLED = /\b(?:that's|that is|spelled|spelt|spelling is|it's spelled|spelled as|as in)\s+((?:[a-z]\s){2,}[a-z])\b/gi;

/**
 * Speaker labels of a conversation: when the text has two labels at least that start lines of
 * several words (a dialogue) and one of them speaks twice, every such label that names no role
 * or field and is no word of the language (`isCommonWord`).
 */
export function findSpeakers(text: string, isCommonWord: (lower: string) => boolean): TranscriptName[] {
  if (text.indexOf(':') === -1) return [];
  const turns = new Map<string, { start: number; end: number }[]>();
  const spoken = new Set<string>();
  SPEAKER.lastIndex = 0;
  for (let match = SPEAKER.exec(text); match !== null; match = SPEAKER.exec(text)) {
    const label = match[1] as string;
    const lower = label.replace(/^@/, '').toLowerCase();
    // Keys of YAML or a form ("value:", "port:") are words of the language, not names.
    if (NOT_SPEAKERS.has(lower) || /\d{3}/.test(label) || isCommonWord(lower)) continue;
    // A turn is a sentence; a key's value is mostly one token.
    const lineEnd = text.indexOf('\n', match.index + match[0].length);
    if (/\S+\s+\S+\s+\S+/.test(text.slice(match.index + match[0].length - 1, lineEnd === -1 ? undefined : lineEnd))) spoken.add(label);
    const start = match.index + match[0].indexOf(label);
    const list = turns.get(label) ?? [];
    list.push({ start, end: start + label.length });
    turns.set(label, list);
  }
  const repeated = [...turns.values()].filter((list) => list.length >= 2);
  if (turns.size < 2 || repeated.length === 0 || spoken.size < 2) return [];
  // Every label of a dialogue counts once one of them speaks twice: "Sam:" may speak only once.
  return [...turns.values()].flat().sort((a, b) => a.start - b.start);
}

/**
 * The sender of each line of an exported chat, after its date and time: WhatsApp writes
 * `12/04/2025, 19:02 - Tunde: …` or `[12/04/2025, 19:02:11] Tunde: …`, other apps `2025-04-12 19:02 Tunde: …`.
 */
const EXPORTED_LINE =
  /^[ \t]*\[?(?:\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{4}-\d{2}-\d{2}),?[ \t]\d{1,2}:\d{2}(?::\d{2})?(?:[ \u202f]?[APap]\.?[Mm]\.?)?\]?[ \t]?(?:[-–][ \t])?([A-Za-z\u00c0-\u024f~+][^:\n]{0,39}?):[ \t]/gm;

/** How a family saves its own in the phone: a relation, not a name. */
const KIN = new Set(['mum', 'mom', 'mummy', 'mommy', 'dad', 'daddy', 'papa', 'mama', 'amma', 'appa', 'ammi', 'abbu', 'baba', 'grandma', 'grandpa', 'granny', 'nana', 'nani', 'dadi', 'aunty', 'auntie', 'uncle', 'sis', 'bro', 'wife', 'hubby', 'husband', 'son', 'daughter']);
const LOG_LEVEL = /\b(?:INFO|DEBUG|WARN|WARNING|ERROR|TRACE|FATAL|CRITICAL|NOTICE)\b/;

/** The senders of an exported chat's lines (never the app's own lines, which have no colon after a name). */
export function findChatSenders(text: string): TranscriptName[] {
  const found: TranscriptName[] = [];
  if (text.indexOf(':') === -1) return found;
  EXPORTED_LINE.lastIndex = 0;
  for (let match = EXPORTED_LINE.exec(text); match !== null; match = EXPORTED_LINE.exec(text)) {
    const raw = match[1] as string;
    const name = raw.trim();
    // A phone number stands for a sender not in the contacts; the phone rule takes it.
    if (name.length === 0 || /^\+?[\d\s()-]+$/.test(name) || NOT_SPEAKERS.has(name.toLowerCase()) || KIN.has(name.toLowerCase())) continue;
    // A log line's level and logger ("INFO handlers:"), not a sender.
    if (LOG_LEVEL.test(name)) continue;
    // The group ends right before the colon and the space that close the match.
    const start = match.index + match[0].length - 2 - raw.length + (raw.length - raw.trimStart().length);
    found.push({ start, end: start + name.length });
  }
  return found;
}

/** Names spelled out letter by letter after "that's", "spelled" and the like. */
export function findSpelledNames(text: string): TranscriptName[] {
  const found: TranscriptName[] = [];
  SPELLED.lastIndex = 0;
  for (let match = SPELLED.exec(text); match !== null; match = SPELLED.exec(text)) {
    const value = match[1] as string;
    const start = match.index + match[0].length - value.length;
    found.push({ start, end: start + value.length });
  }
  return found;
}
