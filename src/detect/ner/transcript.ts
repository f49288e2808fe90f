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
