/**
 * Label consistency within one text: once the model has tagged a name, its other mentions are
 * names too. Documents introduce a person in full and then refer back by surname or first name
 * ("Maria Lindqvist ... Lindqvist reports"), and repeat organisations and places; the tagger
 * sees each mention with only a five-token window, so it misses some of the repeats. Finding
 * them here is cheap (one pass over the tokens) and leaks nothing new: it only re-finds what
 * the model already reported elsewhere in the same text.
 * @module
 */
import { isDemonym } from './demonyms.js';
import { GAZ, type FeatureLexicon } from './features.js';
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import { COMPANY_SUFFIX_END, type RawEntity } from './spans.js';
import type { NerLabel } from './tags.js';
import type { Token } from './tokenize.js';

/** Longest mention (in tokens) that is looked for again. */
const MAX_MENTION_TOKENS = 6;

/** Words that are never a mention on their own, even when they start a tagged name. */
const NOT_ALONE = GAZ.CALENDAR | GAZ.TITLE | GAZ.GREETING | GAZ.TECH | GAZ.NATIONALITY | GAZ.CREDENTIAL;

const UPPER_FIRST = /^\p{Lu}/u;
const LETTERS = /^[\p{L}\p{M}'’-]+$/u;

/**
 * Whether `word` may be looked for on its own: a capitalised word of 2+ letters that running
 * text does not usually write in lower case ("Will", "May", "Rose" as words stay words), and not
 * a nationality or group word, which the model sometimes folds into a place ("Palestinian").
 */
function usableAlone(word: string, lexicon: FeatureLexicon): boolean {
  if (word.length < 2 || !UPPER_FIRST.test(word) || !LETTERS.test(word)) return false;
  const lower = word.toLowerCase();
  if (((lexicon.gazetteer.get(lower) ?? 0) & NOT_ALONE) !== 0 || isDemonym(lower)) return false;
  const cap = lexicon.capitalisation.get(lower);
  return cap === undefined || cap >= 2;
}

const LOWER_LETTERS = /^\p{Ll}[\p{Ll}\p{M}'’-]+$/u;

/**
 * A name part written in lower case ("dave" of "dave kowalski", in chat and transcripts) that is
 * a name and seldom a word: listed as a first or last name and mostly capitalised in running
 * text ("dave", "kowalski" yes; "will", "rose" or "mark" no). Only the parts of a name the model
 * tagged in this text are looked for, so a word that is also a name is taken only there.
 */
function lowerCaseName(word: string, lexicon: FeatureLexicon): boolean {
  if (word.length < 3 || !LOWER_LETTERS.test(word)) return false;
  const gaz = lexicon.gazetteer.get(word) ?? 0;
  if ((gaz & (GAZ.FIRST | GAZ.LAST)) === 0 || (gaz & NOT_ALONE) !== 0 || isDemonym(word)) return false;
  return (lexicon.capitalisation.get(word) ?? 4) >= 3;
}

/**
 * Adds the untagged repeats of tagged mentions to `entities` (which must be in text order and
 * not overlap) and returns the combined list in text order. Repeats are matched on the exact
 * token texts; a PERSON of two or three words also lends its first and last word ("Lindqvist"),
 * a lone one of those words that the model tagged ORG becomes PERSON, and a mention tagged only
 * in part grows to the whole name when the rest of it follows.
 */
export function propagateMentions(
  tokens: readonly Token[],
  entities: readonly RawEntity[],
  lexicon: FeatureLexicon,
): RawEntity[] {
  if (entities.length === 0 || tokens.length < 2) return [...entities];
  const covered = new Uint8Array(tokens.length);
  // Mention (token texts joined by a space) -> label; null when two labels claim it.
  const mentions = new Map<string, NerLabel | null>();
  const add = (key: string, label: NerLabel): void => {
    const known = mentions.get(key);
    if (known === undefined) mentions.set(key, label);
    else if (known !== label) mentions.set(key, null);
  };
  // The words of each entity, by entity index.
  const wordsOf: string[][] = [];
  // The index of each entity's first token.
  const firstToken: number[] = [];
  // First and last words of the people named in full: a lone mention of one is that person.
  const nameParts = new Set<string>();
  let t = 0;
  for (const entity of entities) {
    while (t < tokens.length && (tokens[t] as Token).end <= entity.start) t++;
    const words: string[] = [];
    for (let k = t; k < tokens.length && (tokens[k] as Token).start < entity.end; k++) {
      covered[k] = 1;
      words.push((tokens[k] as Token).text);
    }
    wordsOf.push(words);
    firstToken.push(t);
    if (entity.label === 'PERSON' && (words.length === 2 || words.length === 3)) {
      for (const part of [words[0] as string, words[words.length - 1] as string]) {
        if (usableAlone(part, lexicon) || lowerCaseName(part, lexicon)) nameParts.add(part);
      }
    }
  }
  // A surname alone that the model called an organisation, after the full name: the person.
  const relabelled = entities.map((entity, index) => {
    const words = wordsOf[index] as string[];
    return entity.label === 'ORG' && words.length === 1 && nameParts.has(words[0] as string) ? { ...entity, label: 'PERSON' as const } : entity;
  });
  for (const part of nameParts) add(part, 'PERSON');
  // A company named in full with its legal form ("ACME LOGISTICS, INC.") is then called by its
  // first word ("Acme"), when that word is mostly written capitalised (a name, not a word of
  // the language such as "National" or "United").
  entities.forEach((entity, index) => {
    const words = (wordsOf[index] as string[]).filter((word) => word !== ',' && word !== '.');
    if (entity.label !== 'ORG' || words.length < 3 || !COMPANY_SUFFIX_END.test(words.join(' '))) return;
    const first = words[0] as string;
    const capitalised = lexicon.capitalisation.get(first.toLowerCase()) ?? 4;
    if (first.length < 3 || !LETTERS.test(first) || capitalised < 3 || !usableAlone(first, lexicon)) return;
    add(first, 'ORG');
    if (first === first.toUpperCase()) add(first.charAt(0) + first.slice(1).toLowerCase(), 'ORG');
  });
  relabelled.forEach((entity, index) => {
    const words = wordsOf[index] as string[];
    if (words.length === 0 || words.length > MAX_MENTION_TOKENS) return;
    const first = words[0] as string;
    if (words.length > 1 ? UPPER_FIRST.test(first) : usableAlone(first, lexicon)) add(words.join(' '), entity.label);
  });
  // First token -> the mentions that start with it, longest first.
  const byFirst = new Map<string, { words: string[]; label: NerLabel }[]>();
  for (const [key, label] of mentions) {
    if (label === null) continue;
    const words = key.split(' ');
    const list = byFirst.get(words[0] as string) ?? [];
    list.push({ words, label });
    byFirst.set(words[0] as string, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.words.length - a.words.length);
  // A mention tagged only in part ("Debra" of "Debra Perlingiere" named in full elsewhere) grows
  // to the whole name when the words after it are the rest of it.
  const result = relabelled.map((entity, index) => {
    const words = wordsOf[index] as string[];
    const candidates = words.length === 0 ? undefined : byFirst.get(words[0] as string);
    if (candidates === undefined) return entity;
    const from = firstToken[index] as number;
    for (const candidate of candidates) {
      if (candidate.label !== entity.label || candidate.words.length <= words.length) continue;
      if (!words.every((word, k) => candidate.words[k] === word)) continue;
      const end = from + candidate.words.length - 1;
      if (end >= tokens.length) continue;
      let match = true;
      for (let k = words.length; k < candidate.words.length && match; k++) {
        match = covered[from + k] === 0 && (tokens[from + k] as Token).text === candidate.words[k];
      }
      if (!match) continue;
      for (let k = from; k <= end; k++) covered[k] = 1;
      return { ...entity, end: (tokens[end] as Token).end };
    }
    return entity;
  });
  const added: RawEntity[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (covered[i] === 1) continue;
    const candidates = byFirst.get((tokens[i] as Token).text);
    if (candidates === undefined) continue;
    for (const { words, label } of candidates) {
      const end = i + words.length - 1;
      if (end >= tokens.length) continue;
      let match = true;
      for (let k = 1; k < words.length && match; k++) {
        match = covered[i + k] === 0 && (tokens[i + k] as Token).text === words[k];
      }
      if (!match) continue;
      // A lone word that runs on into another capitalised word is a different name ("Lindqvist Holdings").
      const next = tokens[end + 1];
      if (next !== undefined && covered[end + 1] === 0 && UPPER_FIRST.test(next.text) && next.start - (tokens[end] as Token).end <= 1) break;
      added.push({ start: (tokens[i] as Token).start, end: (tokens[end] as Token).end, label });
      for (let k = i; k <= end; k++) covered[k] = 1;
      i = end;
      break;
    }
  }
  if (added.length === 0) return result;
  return [...result, ...added].sort((a, b) => a.start - b.start);
}

const WORD_CODE = /[\p{L}\p{N}_]/u;
const CAPITALS_RUN = /\p{Lu}{3}/u;
/** Punctuation around a word of a name ("SMITH," in "SMITH, JOHN"). */
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

/** Above this many name forms, each text is read word by word instead of searched per name. */
const SEARCHES_PER_TEXT = 16;
/** A capitalised word where no word character comes before it. */
const CAPITALISED_WORD = /(?<![\p{L}\p{N}_])\p{Lu}[\p{L}\p{N}_]*/gu;
const LEADING_WORD = /^[\p{L}\p{N}_]*/u;

/** One way a name is written: as found, or in capitals. */
interface MentionForm {
  readonly text: string;
  readonly mention: BatchMention;
  /** One word: it must not run on into another capitalised word. */
  readonly lone: boolean;
  readonly capitals: boolean;
}

function indexByFirstWord(forms: readonly MentionForm[]): Map<string, MentionForm[]> {
  const index = new Map<string, MentionForm[]>();
  // `forms` is longest first, and so is every list.
  for (const form of forms) {
    const key = LEADING_WORD.exec(form.text)?.[0] ?? '';
    const list = index.get(key);
    if (list === undefined) index.set(key, [form]);
    else list.push(form);
  }
  return index;
}

/** One byte per character, 1 where a span of the text already lies. */
function coverageOf(length: number, spans: readonly Span[]): Uint8Array {
  const covered = new Uint8Array(length);
  for (const span of spans) covered.fill(1, span.start, span.end);
  return covered;
}

/** A name found in one text of a batch, to look for in the others. */
interface BatchMention {
  readonly name: string;
  readonly type: EntityType;
  readonly score: number;
  /** Indexes of the texts it was found in. */
  readonly origins: Set<number>;
  /** False once two types claim the same words: then it is not looked for anywhere. */
  usable: boolean;
}

/** Whitespace runs in a trimmed value: its word count less one. */
function countSpaces(value: string): number {
  let runs = 0;
  let inRun = false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    const space = code === 32 || code === 9 || code === 10 || code === 13 || code === 160;
    if (space && !inRun) runs++;
    inRun = space;
  }
  return runs;
}

function isWordAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return WORD_CODE.test(text.charAt(index));
}

/** The words of a person's name without titles and edge punctuation ("Dr. Ana Silva" -> Ana, Silva). */
function nameWords(value: string, lexicon: FeatureLexicon): string[] {
  const words: string[] = [];
  for (const raw of value.split(/\s+/)) {
    const word = raw.replace(EDGE_PUNCTUATION, '');
    if (word.length === 0 || ((lexicon.gazetteer.get(word.toLowerCase()) ?? 0) & GAZ.TITLE) !== 0) continue;
    words.push(word);
  }
  return words;
}

/**
 * Mention propagation between the texts of one batch (the messages of a request, the fields of
 * a document, the windows of a long text): a name tagged in one text is a name wherever else it
 * appears, even where its own text gave the model too little to go on ("Lindqvist agreed" in a
 * later message of a conversation that introduced "Maria Lindqvist"). The names are the
 * PERSON, ORG and LOCATION spans already found, and the first and last word of a person named
 * in two or three words, under the same rules as within one text.
 *
 * Returns, per text, the spans to add: whole-word, case-sensitive occurrences that no span of
 * that text covers yet. A name is looked for only in the texts it was not found in, unless
 * `withinText` (windows of one text, where the detector saw each window on its own).
 */
export function mentionsAcrossTexts(
  texts: readonly string[],
  spansPerText: readonly (readonly Span[])[],
  lexicon: FeatureLexicon,
  detector: string,
  options: { readonly withinText?: boolean } = {},
): Span[][] {
  const mentions = new Map<string, BatchMention>();
  const add = (key: string, type: EntityType, score: number, origin: number): void => {
    const known = mentions.get(key);
    if (known === undefined) mentions.set(key, { name: key, type, score, origins: new Set([origin]), usable: true });
    else if (known.type !== type) known.usable = false;
    else known.origins.add(origin);
  };
  spansPerText.forEach((spans, origin) => {
    const text = texts[origin] ?? '';
    // A conversation repeats its names: each (type, value) of a text is weighed once. A text
    // names few, so a list beats hashing a new string per span.
    const seen: { type: EntityType; value: string }[] = [];
    for (const span of spans) {
      const type = span.type;
      if (type !== 'PERSON' && type !== 'ORG' && type !== 'LOCATION') continue;
      const value = text.slice(span.start, span.end).trim();
      if (seen.some((known) => known.type === type && known.value.length === value.length && known.value === value)) continue;
      seen.push({ type, value });
      const spaces = countSpaces(value);
      if (spaces >= MAX_MENTION_TOKENS) continue;
      if (spaces > 0 ? UPPER_FIRST.test(value) : usableAlone(value, lexicon)) add(value, span.type, span.score, origin);
      if (span.type !== 'PERSON' || spaces === 0) continue;
      const parts = nameWords(value, lexicon);
      if (parts.length !== 2 && parts.length !== 3) continue;
      for (const part of [parts[0] as string, parts[parts.length - 1] as string]) {
        if (usableAlone(part, lexicon)) add(part, 'PERSON', span.score, origin);
      }
    }
  });
  const added: Span[][] = texts.map(() => []);
  if (mentions.size === 0) return added;
  // Each name as written and in capitals ("BAKER" in a form's header for "Rose Baker"), longest
  // first, so "Maria Lindqvist" is taken whole before "Maria" could be.
  const forms: MentionForm[] = [];
  for (const mention of mentions.values()) {
    if (!mention.usable) continue;
    const lone = !mention.name.includes(' ');
    forms.push({ text: mention.name, mention, lone, capitals: false });
    const upper = mention.name.toUpperCase();
    if (upper !== mention.name) forms.push({ text: upper, mention, lone, capitals: true });
  }
  forms.sort((a, b) => b.text.length - a.text.length);
  let byFirstWord: Map<string, MentionForm[]> | undefined;
  texts.forEach((text, index) => {
    // Capitals are looked for only in a text that has a run of them.
    const shouts = CAPITALS_RUN.test(text);
    const wanted = (form: MentionForm): boolean =>
      (options.withinText === true || !form.mention.origins.has(index)) && (shouts || !form.capitals);
    const mine = added[index] as Span[];
    let covered: Uint8Array | undefined;
    const take = (at: number, form: MentionForm): boolean => {
      const end = at + form.text.length;
      if (isWordAt(text, at - 1) || isWordAt(text, end)) return false;
      // A lone word running on into another capitalised word is a different name ("Lindqvist Holdings").
      if (form.lone && !form.capitals && text.charCodeAt(end) === 32 && UPPER_FIRST.test(text.charAt(end + 1))) return false;
      covered ??= coverageOf(text.length, spansPerText[index] ?? []);
      for (let k = at; k < end; k++) if (covered[k] === 1) return false;
      covered.fill(1, at, end);
      mine.push({ start: at, end, type: form.mention.type, score: form.mention.score, detector });
      return true;
    };
    if (forms.length <= SEARCHES_PER_TEXT) {
      // A few names: one search each.
      for (const form of forms) {
        if (!wanted(form)) continue;
        for (let at = text.indexOf(form.text); at !== -1; at = text.indexOf(form.text, at + 1)) take(at, form);
      }
    } else {
      // Many names (a long conversation, a table of customers): one pass over the text's
      // capitalised words, each looked up by its first word.
      byFirstWord ??= indexByFirstWord(forms);
      CAPITALISED_WORD.lastIndex = 0;
      for (let match = CAPITALISED_WORD.exec(text); match !== null; match = CAPITALISED_WORD.exec(text)) {
        for (const form of byFirstWord.get(match[0]) ?? []) {
          if (!wanted(form) || !text.startsWith(form.text, match.index)) continue;
          if (take(match.index, form)) break;
        }
      }
    }
    mine.sort((a, b) => a.start - b.start);
  });
  return added;
}
