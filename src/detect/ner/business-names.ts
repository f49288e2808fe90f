import { findContextWords, type ContextWords } from '../context-words.js';
import { isDemonym } from './demonyms.js';

/**
 * Local businesses named the way reviews, chats and call transcripts name them: a name, then
 * the kind of business ("Ray 's Pizza", "Ashdown Horse Transport", "Caldwell insurance",
 * "TIGER HEATING", "Barry s Auto Tech", "the harborview hotel"). A small business is where a
 * person works, banks or lives nearby; the model, trained mostly on news and tweets, misses most of them.
 * @module
 */

export interface BusinessName {
  readonly start: number;
  readonly end: number;
}

export interface BusinessLexicon {
  /** A word of the language that is almost never capitalised ("great", "local"). */
  isCommonWord(lower: string): boolean;
  /** A word known as a name or a place, or usually capitalised in running text ("Caldwell", "Ashdown"). */
  isProperWord(lower: string): boolean;
  /** The text is written in lower case throughout (a transcript, a chat): names are too. */
  readonly lowerCaseText: boolean;
}

/** Kinds of business that end a business's name. */
const HEADS = new Set(
  `pizza pizzeria cafe café coffee bakery deli diner grill bistro pub tavern brewery restaurant kitchen cantina taqueria
  salon spa barbershop barbers fitness gym karate dojo yoga dental dentistry orthodontics pharmacy chiropractic
  auto autos automotive motors motorsports garage towing transport transportation logistics movers plumbing heating
  roofing electric electrical construction builders landscaping cleaners laundromat florist florists jewelers jewellers
  boutique outlet mart supermarket grocery foods farms vineyard winery hotel inn motel lodge resort hostel realty
  properties realtors insurance bank credit consulting analytics labs software solutions systems technologies media
  marketing agency academy daycare preschool kennels veterinary pets tattoo printing photography hvac storage rentals
  tours travel cinema bookstore hardware appliances tires computers repair repairs services service shipping parcel
  couriers cleaning catering tech bakers butchers optical optometry pediatrics dermatology physiotherapy therapy counseling
  counselling tutoring`
    .split(/\s+/)
    .filter((word) => word !== ''),
);
/**
 * Institutions that hold or guard people, as court judgments and reports name them
 * ("Alytus Correctional Facility", "Pleven Military Garrison", "Diyarbakır E-type Prison"): their
 * names are places and towns the language does not know, so any such word makes the name.
 */
const INSTITUTION_HEADS = new Set(
  `facility prison prisons colony garrison brigade regiment battalion penitentiary jail gaol barracks ombudsman
  sanatorium orphanage asylum`
    .split(/\s+/)
    .filter((word) => word !== ''),
);
/** Kinds that also end everyday phrases ("Social Media", "Operating Systems"): the name needs a word of its own. */
const WEAK_HEADS = new Set(
  `solutions systems technologies media marketing agency academy software labs analytics consulting services service
  properties foods farms travel storage repair repairs computers credit bank tech printing photography tours`
    .split(/\s+/)
    .filter((word) => word !== ''),
);
/** Words before a business kind that make a description, not a name ("the best pizza", "a local bakery"). */
const DESCRIPTIVE = new Set(
  `the a an this that our your my his her their its best worst great good nice new old local small big cheap
  favorite favourite usual other same every any some no one two mobile online italian mexican chinese thai indian
  french japanese korean greek fast full total home car pet dog cat family free public private general customer
  thank thanks you i we they he she it call called calling visit visited try tried love loved recommend recommended
  use used from at to and or with by for of in on is was were are be been went go going get got at via ask about
  what which where who how why when start western eastern northern southern mediterranean national international
  excellent beautiful bad horrible terrible awesome amazing wonderful lovely perfect poor friendly professional`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

const WORD = /[\p{L}][\p{L}\p{N}&'’.-]*/gu;
const MAX_NAME_WORDS = 3;
const NUMBER_AFTER = /^ (?:No\.?|Nr\.?|№) ?\d{1,4}\b/;
/** How far before a business kind its name may start. */
const NAME_WINDOW = 90;
const HEAD_WORDS: ContextWords = { words: [...HEADS, ...INSTITUTION_HEADS] };

function isCapitalised(word: string): boolean {
  return /^\p{Lu}/u.test(word);
}

/**
 * Business names in `text`: up to three name words before a business kind, joined by spaces
 * only. The name words are capitalised, or, in lower-case text such as a transcript, hold a word
 * the language does not have ("harborview", "swiftline"). The scan starts from the kinds (one
 * trie-shaped pattern), so text without any costs one pass of it.
 */
export function findBusinessNames(text: string, lexicon: BusinessLexicon): BusinessName[] {
  const found: BusinessName[] = [];
  for (const hit of findContextWords(text, HEAD_WORDS)) {
    const head = text.slice(hit.start, hit.end);
    const from = Math.max(0, hit.start - NAME_WINDOW);
    const words: { text: string; start: number; end: number }[] = [];
    WORD.lastIndex = 0;
    const window = text.slice(from, hit.start);
    for (let match = WORD.exec(window); match !== null; match = WORD.exec(window)) {
      words.push({ text: match[0], start: from + match.index, end: from + match.index + match[0].length });
    }
    // Walk back from the head over name words; "'s" and "s" of a possessive belong to the word before.
    const name: { text: string; start: number }[] = [];
    let nextStart = hit.start;
    for (let index = words.length - 1; index >= 0 && name.length < MAX_NAME_WORDS; index--) {
      const word = words[index] as { text: string; start: number; end: number };
      if (!/^[ \t]+(?:['’][ \t]*)?$/.test(text.slice(word.end, nextStart))) break;
      nextStart = word.start;
      if (word.text === 's' && index > 0) continue;
      const lower = word.text.toLowerCase().replace(/['’]s$/, '');
      if (DESCRIPTIVE.has(lower) || isDemonym(lower) || (!isCapitalised(word.text) && (!lexicon.lowerCaseText || lexicon.isCommonWord(lower)))) break;
      name.unshift(word);
    }
    if (name.length === 0) continue;
    // A capitalised head needs capitalised name words; and every name needs a word of its own, one
    // the language does not have ("Caldwell", "harborview"), or a possessive ("Ray 's Pizza"):
    // "Excellent Pizza", "Garage Door Repair" and "Liberty construction" are descriptions.
    const capitalisedName = name.every((word) => isCapitalised(word.text));
    // In lower-case text a word the language does not have is all the evidence there is ("harborview").
    const unknownWord = name.some((word) => {
      const lower = word.text.toLowerCase().replace(/['’]s$/, '');
      return lexicon.isProperWord(lower) || (lexicon.lowerCaseText && !lexicon.isCommonWord(lower));
    });
    const possessive = /['’]s?[ \t]*$|[ \t]s[ \t]*$/.test(text.slice((name[name.length - 1] as { start: number }).start, hit.start));
    if (isCapitalised(head) && !capitalisedName) continue;
    const institution = INSTITUTION_HEADS.has(head.toLowerCase());
    // An institution's name is a town or a person the language does not have ("Alytus", "Pleven").
    const ownWord = institution && capitalisedName && name.some((word) => !lexicon.isCommonWord(word.text.toLowerCase()));
    if (!unknownWord && !ownWord && !(possessive && !WEAK_HEADS.has(head.toLowerCase()))) continue;
    let start = (name[0] as { start: number }).start;
    // "Barry s Auto" then "Barry s Auto Tech": one name, the longer.
    const previous = found[found.length - 1];
    if (previous !== undefined && previous.end > start) {
      start = Math.min(start, previous.start);
      found.pop();
    }
    // "Baku Pre-Trial Detention Facility No. 1": the number is part of the name.
    const numbered = institution ? NUMBER_AFTER.exec(text.slice(hit.end, hit.end + 12)) : null;
    found.push({ start, end: hit.end + (numbered?.[0].length ?? 0) });
  }
  return found;
}
