/**
 * Names the way e-mails and messages write them: the quoted display name before an address
 * (`"Townsend, George" <gtownsend@…>`, `"TJO"<…>`) and the sign-off under a message (`Thanks,⏎KB`,
 * `…talk to you later⏎GT`, `dp⏎Debra Perlingiere`, `FYI⏎Vince⏎P.S. …`).
 * @module
 */

export interface MailName {
  readonly start: number;
  readonly end: number;
}

export interface SignOffLexicon {
  isFirstName(lower: string): boolean;
  /** A word known as a name or a place, or usually capitalised in running text. */
  isProperWord(lower: string): boolean;
  /** A word of the language that is almost never capitalised ("ok", "later"). */
  isCommonWord(lower: string): boolean;
}

/** A quoted display name right before an address in angle brackets. */
const DISPLAY_NAME = /"([^"\n<>@]{2,60})"[ \t]*<[^<>\s@]{1,64}@[^<>\s]{1,255}>/g;
/** Letters (any script), spaces, commas, dots, apostrophes and hyphens; no digits. */
const NAME_CHARS = /^[\p{L}\p{M}][\p{L}\p{M} ,.'’-]*$/u;
/** Words that make a display name an organisation's or a role's ("Accenture Support", "Billing Team"). */
const NOT_A_PERSON = /\b(?:inc|llc|ltd|corp|co|gmbh|support|team|service|services|help|helpdesk|desk|sales|billing|info|admin|noreply|no-reply|news|newsletter|notifications?|department|dept|office|group|customer|care|hr|it|accounts?|payable|receivable)\b/i;

/** Quoted display names of e-mail addresses that read as a person's name. */
export function findDisplayNames(text: string): MailName[] {
  if (text.indexOf('"') === -1 || text.indexOf('@') === -1) return [];
  const found: MailName[] = [];
  DISPLAY_NAME.lastIndex = 0;
  for (let match = DISPLAY_NAME.exec(text); match !== null; match = DISPLAY_NAME.exec(text)) {
    const raw = match[1] as string;
    const name = raw.trim();
    if (!NAME_CHARS.test(name) || NOT_A_PERSON.test(name) || name.split(/\s+/).length > 5) continue;
    const start = match.index + 1 + raw.indexOf(name);
    found.push({ start, end: start + name.length });
  }
  return found;
}

/** Lines that close a message; the line after one is its writer. */
const CLOSINGS = new Set([
  'thanks', 'thank you', 'thx', 'tx', 'ty', 'many thanks', 'thanks again', 'regards', 'best regards', 'kind regards',
  'warm regards', 'best', 'all the best', 'cheers', 'sincerely', 'yours', 'yours truly', 'yours sincerely', 'fyi', 'love',
  'take care', 'talk soon', 'talk to you later', 'later', 'see you', 'see ya', 'bye', 'ciao', 'rgds', 'br', 'tia',
]);
/** One word that is a sign-off rather than a name ("Thanks", "OK"). */
const NOT_SIGNATURES = new Set([
  'ok', 'okay', 'yes', 'no', 'hi', 'hey', 'hello', 'thanks', 'thx', 'regards', 'cheers', 'best', 'fyi', 'bye', 'lol', 'lmao',
  'omg', 'ps', 'pps', 'nb', 'tia', 'asap', 'eom', 'fw', 'fwd', 're', 'cc', 'bcc', 'am', 'pm', 'us', 'uk', 'eu', 'usa', 'ceo',
  'cfo', 'cto', 'hr', 'it', 'pr', 'faq', 'id', 'na', 'n/a', 'etc', 'end', 'done', 'sent', 'attachment', 'attachments',
  'enclosure', 'signature', 'confidential', 'unsubscribe', 'sincerely', 'love', 'xoxo', 'xx', 'xo', 'later', 'soon',
]);
const ONE_WORD_LINE = /^[ \t]*-{0,2}[ \t]*([\p{L}][\p{L}'’.]{1,19})[ \t]*$/u;
/** The line after a sign-off that still belongs to the signature block or the quoted reply. */
const AFTER_SIGNATURE = /^[ \t]*(?:p\.?s\.?\b|-{2,}|_{3,}|>|-----|on .{4,80} wrote:|sent from my|original message)/i;
/** A full name on its own line: two or three capitalised words. */
const NAME_LINE = /^[ \t]*\p{Lu}[\p{L}'’.-]+(?:[ \t]+\p{Lu}[\p{L}'’.-]+){1,2}[ \t]*$/u;
const SENTENCE_END = /[.!?:)]$/;
/** Two or three letters after a finished sentence, ending the line. */
const TRAILING_INITIALS = /[.!?][ \t]+(\p{L}{2,3})[ \t]*$/u;
/** One capitalised word and a comma, alone on a line. */
const GREETING_LINE = /^[ \t]*(\p{Lu}[\p{L}'’-]{1,19}),[ \t]*$/u;
/** Words that open a message without naming anyone. */
const NOT_GREETED = new Set([
  'hi', 'hello', 'hey', 'dear', 'all', 'team', 'folks', 'everyone', 'everybody', 'guys', 'sir', 'madam', 'sirs', 'gentlemen',
  'ladies', 'friends', 'colleagues', 'greetings', 'morning', 'afternoon', 'evening', 'well', 'so', 'now', 'also', 'however',
  'first', 'second', 'third', 'finally', 'again', 'please', 'yes', 'no', 'ok', 'okay', 'sorry', 'anyway', 'unfortunately',
  'meanwhile', 'otherwise', 'therefore', 'moreover', 'furthermore', 'additionally', 'sincerely', 'regards', 'thanks',
  'cheers', 'best', 'love', 'yours', 'respectfully', 'cordially', 'warmly', 'honestly', 'actually', 'basically', 'today',
  'tomorrow', 'yesterday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'note', 'example',
  'ingredients', 'instructions', 'steps', 'step', 'summary', 'background', 'subject', 're', 'attendees', 'agenda',
]);

/**
 * The writer's name or initials on a line of its own under a message: after a closing line
 * ("Thanks,", "Talk to you later") or a finished sentence, and either last in the text or
 * followed by what follows signatures (a P.S., a full name line, a quoted reply).
 */
/** Any line one of the shapes below could read: most texts have none, and pay one pass for it. */
const ANY_CANDIDATE = /^[ \t]*(?:-{0,2}[ \t]*[\p{L}][\p{L}'’.]{1,19}|\p{Lu}[\p{L}'’-]{1,19},)[ \t]*\r?$|[.!?][ \t]+\p{L}{2,3}[ \t]*\r?$/mu;

export function findSignOffs(text: string, lexicon: SignOffLexicon): MailName[] {
  if (text.indexOf('\n') === -1 || !ANY_CANDIDATE.test(text)) return [];
  const lines: { start: number; text: string }[] = [];
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    lines.push({ start, text: text.slice(start, end).replace(/\r$/, '') });
    if (newline === -1) break;
    start = newline + 1;
  }
  const found: MailName[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as { start: number; text: string };
    const next = nextLine(lines, index);
    // "…anything else. dp⏎Debra Perlingiere": initials closing the last sentence, over the full name.
    const trailing = TRAILING_INITIALS.exec(line.text);
    if (trailing !== null && next !== undefined && NAME_LINE.test(next)) {
      const initials = trailing[1] as string;
      if (!NOT_SIGNATURES.has(initials.toLowerCase()) && (initials === initials.toUpperCase() || !lexicon.isCommonWord(initials.toLowerCase()))) {
        const start = line.start + line.text.length - trailing[0].length + trailing[0].indexOf(initials);
        found.push({ start, end: start + initials.length });
      }
    }
    // "Tammi,⏎Attached is …": the name a message opens with, alone on its line.
    const greeting = GREETING_LINE.exec(line.text);
    if (greeting !== null && next !== undefined) {
      const name = greeting[1] as string;
      const lower = name.toLowerCase();
      if (!NOT_GREETED.has(lower) && !NOT_SIGNATURES.has(lower) && (lexicon.isFirstName(lower) || lexicon.isProperWord(lower))) {
        const start = line.start + line.text.indexOf(name);
        found.push({ start, end: start + name.length });
      }
    }
  }
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index] as { start: number; text: string };
    const match = ONE_WORD_LINE.exec(line.text);
    if (match === null) continue;
    const word = (match[1] as string).replace(/\.$/, '');
    const lower = word.toLowerCase();
    if (word.length < 2 || NOT_SIGNATURES.has(lower)) continue;
    const previous = previousLine(lines, index);
    if (previous === undefined) continue;
    const afterClosing = isClosing(previous);
    if (!afterClosing && !SENTENCE_END.test(previous)) continue;
    const next = nextLine(lines, index);
    // Right under "Regards," the line is the writer's even when another message follows.
    const underClosingLine = CLOSINGS.has(previous.replace(/[,.!:;\s-]+$/, '').toLowerCase());
    if (next !== undefined && !underClosingLine && !AFTER_SIGNATURE.test(next) && !NAME_LINE.test(next)) continue;
    // Initials ("GT", "dp", "KB") or a name; a plain word of the language ends a sentence ("The", "Done").
    const initials = word.length <= 3 && /^\p{L}+$/u.test(word);
    const common = lexicon.isCommonWord(lower);
    if (initials ? common && word !== word.toUpperCase() : !lexicon.isFirstName(lower) && (common || !afterClosing || !/^\p{Lu}/u.test(word))) continue;
    const start = line.start + line.text.indexOf(match[1] as string);
    found.push({ start, end: start + word.length });
  }
  return found;
}

/** "Thanks,", "Best regards", "… talk to you later", "… as well? Thx". */
function isClosing(line: string): boolean {
  const closing = line.replace(/[,.!:;\s-]+$/, '').toLowerCase();
  if (CLOSINGS.has(closing)) return true;
  for (const phrase of CLOSINGS) {
    if (!closing.endsWith(phrase)) continue;
    const before = closing.slice(0, closing.length - phrase.length);
    if (/[.!?]\s+$/.test(before) || (phrase.length > 6 && /\s$/.test(before))) return true;
  }
  return false;
}

function previousLine(lines: readonly { text: string }[], index: number): string | undefined {
  for (let at = index - 1; at >= 0; at--) if ((lines[at] as { text: string }).text.trim() !== '') return (lines[at] as { text: string }).text.trim();
  return undefined;
}

function nextLine(lines: readonly { text: string }[], index: number): string | undefined {
  for (let at = index + 1; at < lines.length; at++) if ((lines[at] as { text: string }).text.trim() !== '') return (lines[at] as { text: string }).text;
  return undefined;
}
