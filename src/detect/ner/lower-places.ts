/**
 * Places written in lower case, as chats and questions write them ("transport between noida and
 * greater noida", "guys from orlando"): a city, state or country of the gazetteer right after a
 * word that introduces a place, when the language does not also use the word in lower case
 * ("mobile", "reading", "nice" stay).
 * @module
 */

export interface LowerPlace {
  readonly start: number;
  readonly end: number;
}

export interface PlaceLexicon {
  /** A city, state or country of the gazetteer. */
  isPlace(lower: string): boolean;
  /** Almost never capitalised in running text. */
  isCommonWord(lower: string): boolean;
}

/** A word that introduces a place, then a lower-case word (a second one for "greater noida", "new york"). */
const AFTER_PREPOSITION = /\b(?:in|to|from|near|around|between|at|via|across|visit|visiting|visited|outside|inside|towards?|and)[ \t]+((?:greater|new|north|south|east|west|san|los|las|el|la|st)[ \t]+)?(\p{Ll}{3,20})(?![\p{L}\p{N}@'’-])/gu;

/** Words the gazetteer lists as places that lower-case text means otherwise. */
const NOT_PLACES = new Set(['central', 'force', 'grenade', 'union', 'city', 'state', 'county', 'town', 'village', 'university', 'march', 'may', 'june', 'august', 'china']);

export function findLowerCasePlaces(text: string, lexicon: PlaceLexicon): LowerPlace[] {
  const found: LowerPlace[] = [];
  AFTER_PREPOSITION.lastIndex = 0;
  for (let match = AFTER_PREPOSITION.exec(text); match !== null; match = AFTER_PREPOSITION.exec(text)) {
    const word = match[2] as string;
    if (!lexicon.isPlace(word) || lexicon.isCommonWord(word) || NOT_PLACES.has(word)) continue;
    const prefix = match[1] ?? '';
    const end = match.index + match[0].length;
    // "new york" is one place; "greater noida" too, when the word after the prefix is the place.
    found.push({ start: end - word.length - prefix.length, end });
    // The word may introduce the next place itself ("between noida and greater noida").
    AFTER_PREPOSITION.lastIndex = end;
  }
  return found;
}
