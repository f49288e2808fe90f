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
import type { RawEntity } from './spans.js';
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
        if (usableAlone(part, lexicon)) nameParts.add(part);
      }
    }
  }
  // A surname alone that the model called an organisation, after the full name: the person.
  const relabelled = entities.map((entity, index) => {
    const words = wordsOf[index] as string[];
    return entity.label === 'ORG' && words.length === 1 && nameParts.has(words[0] as string) ? { ...entity, label: 'PERSON' as const } : entity;
  });
  for (const part of nameParts) add(part, 'PERSON');
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
