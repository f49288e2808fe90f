/**
 * People named the way posts name them: a handle written with a space after the at sign
 * ("via (@ brookewylie)", "Fair point @ kyle28walker", as text rebuilt from tokens and some
 * clients write it) and hashtags that are a person's name run together ("#JamesFoley",
 * "#RIPJohnnyWinter", "#marksanchez").
 * @module
 */

export interface SocialName {
  readonly start: number;
  readonly end: number;
}

/** The questions these rules ask of the NER lexicon, lower-case words in. */
export interface NameLexicon {
  isFirstName(lower: string): boolean;
  isLastName(lower: string): boolean;
  /** A word of the language that is almost never capitalised ("home", "watch"). */
  isCommonWord(lower: string): boolean;
}

/** `@`, one space, a handle; the handle starts with a letter, so "@ 7:30PM" and "@ 410-336" stay. */
const SPACED_HANDLE = /(?<![\p{L}\p{N}_.@])@ (\p{L}[\p{L}\p{N}_]{1,29})(?=[\s).,:;!?]|$)/gu;
/** A capitalised word after the handle: a venue of a check-in ("(@ Nottingham Railway Station)"). */
const NEXT_CAPITALISED = /^[ \t]+\p{Lu}/u;
const URL_AFTER = /^\s+https?:/;

/** Handles written `@ name`: never a common word ("I'm @ home"), never the start of a venue's name. */
export function findSpacedHandles(text: string, lexicon: NameLexicon): SocialName[] {
  if (text.indexOf('@ ') === -1) return [];
  const found: SocialName[] = [];
  SPACED_HANDLE.lastIndex = 0;
  for (let match = SPACED_HANDLE.exec(text); match !== null; match = SPACED_HANDLE.exec(text)) {
    const handle = match[1] as string;
    const end = match.index + match[0].length;
    const after = text.slice(end, end + 12);
    // Short plain words after "@ " are the language ("@ home", "@ work", "@ least"); a long
    // run-together one is a handle even when the training text saw it only in lower case.
    if (handle.length <= 8 && !/[\d_]/.test(handle) && lexicon.isCommonWord(handle.toLowerCase())) continue;
    // "(@ YouTube http://…)", "(@ Cooperative Food)": a check-in at a place, not a person.
    if (NEXT_CAPITALISED.test(after) || URL_AFTER.test(after)) continue;
    found.push({ start: match.index, end });
  }
  return found;
}

const HASHTAG = /(?<![\p{L}\p{N}_&#])#([\p{L}][\p{L}\p{N}_]{4,40})\b/gu;
/** Capitalised parts of a run-together tag: "JamesFoley" → James, Foley; "RIPJohnnyWinter" → RIP, Johnny, Winter. */
const CAMEL_PART = /\p{Lu}+(?!\p{Ll})|\p{Lu}\p{Ll}+/gu;
/** Words a name tag may start with. */
const TAG_PREFIXES = new Set(['rip', 'justice', 'free', 'team', 'pray', 'prayfor', 'remember']);

/** Parts of a CamelCase tag that are a person's name: a first name, then one or two name words. */
function camelName(body: string, lexicon: NameLexicon): { from: number } | undefined {
  const parts: { text: string; index: number }[] = [];
  CAMEL_PART.lastIndex = 0;
  let covered = 0;
  for (let match = CAMEL_PART.exec(body); match !== null; match = CAMEL_PART.exec(body)) {
    if (match.index !== covered) return undefined;
    parts.push({ text: match[0], index: match.index });
    covered = match.index + match[0].length;
  }
  if (covered !== body.length) return undefined;
  let first = 0;
  if (parts.length > 2 && TAG_PREFIXES.has((parts[0] as { text: string }).text.toLowerCase())) first = 1;
  const name = parts.slice(first);
  if (name.length < 2 || name.length > 3) return undefined;
  const words = name.map((part) => part.text.toLowerCase());
  if (!lexicon.isFirstName(words[0] as string)) return undefined;
  // "#MarkMyWords", "#JustinWatchIt": the rest must read as names, not as words of a phrase.
  if (words.slice(1).some((word) => word.length < 2 || lexicon.isCommonWord(word))) return undefined;
  return { from: (name[0] as { index: number }).index };
}

/** A lower-case tag that splits into a first name and a surname ("#marksanchez", "#lukebatty"). */
function runTogetherName(body: string, lexicon: NameLexicon): boolean {
  if (body !== body.toLowerCase() || !/^\p{Ll}+$/u.test(body)) return false;
  for (let cut = 3; cut <= body.length - 4; cut++) {
    const first = body.slice(0, cut);
    const last = body.slice(cut);
    if (lexicon.isFirstName(first) && lexicon.isLastName(last) && !lexicon.isCommonWord(first) && !lexicon.isCommonWord(last)) return true;
  }
  return false;
}

/** Hashtags that name a person; the span is the whole tag, `#` included. */
export function findNameHashtags(text: string, lexicon: NameLexicon): SocialName[] {
  if (text.indexOf('#') === -1) return [];
  const found: SocialName[] = [];
  HASHTAG.lastIndex = 0;
  for (let match = HASHTAG.exec(text); match !== null; match = HASHTAG.exec(text)) {
    const body = match[1] as string;
    if (camelName(body, lexicon) !== undefined || runTogetherName(body, lexicon)) {
      found.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return found;
}
