/**
 * Nationality, religious and ethnic group words ("Peruvian", "Icelandic", "Saudis"): a
 * quasi-identifier that Presidio calls NRP and CoNLL calls MISC. A closed word list is more
 * reliable here than the model, which never sees these words labelled.
 * @module
 */

const DEMONYMS = `afghan albanian algerian american andorran angolan argentine argentinian armenian australian austrian
azerbaijani bahamian bahraini bangladeshi barbadian belarusian belgian belizean beninese bhutanese bolivian bosnian
botswanan brazilian british bruneian bulgarian burkinabe burmese burundian cambodian cameroonian canadian chadian
chilean chinese colombian congolese rican croatian cuban cypriot czech danish djiboutian dominican dutch
ecuadorean ecuadorian egyptian emirati english eritrean estonian ethiopian fijian filipino finnish french gabonese
gambian georgian german ghanaian greek grenadian guatemalan guinean guyanese haitian honduran hungarian icelandic
indian indonesian iranian iraqi irish israeli italian ivorian jamaican japanese jordanian kazakh kenyan korean
kosovar kuwaiti kyrgyz laotian latvian lebanese liberian libyan lithuanian luxembourgish macedonian malagasy
malawian malaysian maldivian malian maltese mauritanian mauritian mexican moldovan monegasque mongolian montenegrin
moroccan mozambican namibian nepalese nepali nicaraguan nigerian nigerien norwegian omani pakistani palestinian
panamanian paraguayan peruvian polish portuguese qatari romanian russian rwandan salvadoran samoan saudi scottish
senegalese serbian seychellois singaporean slovak slovakian slovenian somali spanish lankan
sudanese surinamese swazi swedish swiss syrian taiwanese tajik tanzanian thai togolese tongan trinidadian tunisian
turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean
european asian african arab arabian latino latina hispanic caucasian slavic nordic scandinavian balkan
muslim christian jewish jew catholic protestant orthodox hindu buddhist sikh shia shiite shii sunni sunnite
mormon evangelical atheist kurdish kurd roma romani pashtun tamil sinhalese yoruba igbo hausa zulu xhosa maori
inuit cherokee navajo kazakhstani uzbekistani tajikistani kyrgyzstani turkmenistani azeri chechen dagestani ingush
ossetian abkhaz tatar bashkir circassian chuvash basque catalan galician flemish walloon bavarian corsican sardinian
sicilian cornish faroese greenlandic lappish frisian bosniak bosniac herzegovinian slovene czechoslovak
yugoslav moldavian transnistrian gagauz kosovan uyghur uighur tibetan hmong khmer cantonese hakka
bengali punjabi gujarati marathi telugu kannada malayali sindhi baloch balochi hazara druze alawite maronite
coptic assyrian chaldean yazidi berber amazigh tuareg fulani somalian ethiopian amhara tigrayan oromo maasai kikuyu
luo wolof mandinka afrikaner zulu sotho tswana shona ndebele malagasy comorian creole
quebecois acadian aboriginal samoan tongan fijian papuan hawaiian`;

const WORDS = new Set<string>();
for (const word of DEMONYMS.split(/\s+/u)) {
  if (word === '') continue;
  WORDS.add(word);
  // Plurals as the group ("Saudis", "Shiis", "Ecuadoreans", "Surinameses").
  WORDS.add(word.endsWith('s') ? `${word}es` : `${word}s`);
}

/** Whether `word` is a listed nationality / group word or its plural ("Palestinian", "Saudis"). */
export function isDemonym(word: string): boolean {
  return WORDS.has(word.toLowerCase());
}

/**
 * Per ASCII first letter, a bit for each length (below 32) some word of the list has: most
 * words of a text ("the", "card", "record") are ruled out from their first letter and length
 * without building their lower-case form. Every listed word is ASCII, and only ASCII letters
 * lower-case to a different ASCII letter of the same length, so the test never drops a match.
 */
const LENGTHS_BY_LETTER = new Uint32Array(26);
for (const word of WORDS) {
  const letter = word.charCodeAt(0) - 97;
  if (letter < 0 || letter >= 26 || word.length >= 32) throw new Error(`demonym list: '${word}' is not a short ASCII word`);
  LENGTHS_BY_LETTER[letter] = (LENGTHS_BY_LETTER[letter] as number) | (1 << word.length);
}

/** False only when no listed word can be the lower-case form of `text[start, end)`. */
function mayBeListed(text: string, start: number, end: number): boolean {
  const code = text.charCodeAt(start) | 32;
  // Not an ASCII letter (the Kelvin sign lower-cases to "k"), or hyphenated: ask the list.
  if (code < 97 || code > 122) return true;
  for (let index = start + 1; index < end; index++) if (text.charCodeAt(index) === 45) return true;
  const length = end - start;
  return length < 32 && ((LENGTHS_BY_LETTER[code - 97] as number) & (1 << length)) !== 0;
}

// Sticky pair: skip to the next letter, then find where the word ends; no match arrays.
const NON_LETTERS = /\P{L}*/uy;
const WORD_AT = /\p{L}+(?:-\p{L}+)?/uy;

// "translate into English", "French subtitles": a language, not a person's group. Masking it
// would break the very request the user makes.
const LANGUAGE_BEFORE = /\b(?:in|into|to|from|speak|speaks|spoke|speaking|learn|learning|native|fluent|study|studying|teach|teaching|write|written|says?|said|mean|means|called)\s+$/iu;
const LANGUAGE_AFTER = /^\s+(?:language|languages|translation|translations|text|version|subtitles?|speakers?|words?|grammar|lessons?|class|classes|course|teacher|keyboard|dictionary|name|term|phrase|spelling|accent|food|cuisine|restaurant|dish|cheese|wine)\b/iu;

export interface DemonymMatch {
  readonly start: number;
  readonly end: number;
}

/** Currency words a nationality names ("Ukrainian hryvnias", "Swiss francs"): money, not a group. */
const CURRENCY_AFTER = /^\s+(?:hryvnias?|francs?|dollars?|roubles?|rubles?|liras?|lira|lei|leu|levs?|leva|dinars?|dirhams?|kroner|kronor|kron[ae]|pesos?|rupees?|yen|yuan|zlotys?|forints?|korun[ay]?|kunas?|manats?|drams?|lari|tenge|riyals?|rials?|pounds?|euros?|marks?|shillings?|rand|naira|baht|ringgit|reais|real)\b/iu;

/**
 * Whether the demonym at `[start, end)` names a language ("translate into English", "Done in
 * French") or a currency ("converted into Ukrainian hryvnias"), not a person's group.
 */
export function namesLanguageOrCurrency(text: string, start: number, end: number): boolean {
  const after = text.slice(end, end + 16);
  return LANGUAGE_BEFORE.test(text.slice(Math.max(0, start - 16), start)) || LANGUAGE_AFTER.test(after) || CURRENCY_AFTER.test(after);
}

/** Demonym and group words in `text` (whole words, case-insensitive). */
export function findDemonyms(text: string): DemonymMatch[] {
  const found: DemonymMatch[] = [];
  let from = 0;
  for (;;) {
    NON_LETTERS.lastIndex = from;
    NON_LETTERS.test(text);
    const start = NON_LETTERS.lastIndex;
    WORD_AT.lastIndex = start;
    if (start >= text.length || !WORD_AT.test(text)) break;
    const end = WORD_AT.lastIndex;
    from = end;
    if (!mayBeListed(text, start, end)) continue;
    const word = text.slice(start, end).toLowerCase();
    const hyphen = word.indexOf('-');
    // "north-american", "african-american": the last part decides.
    const key = hyphen > 0 && !WORDS.has(word) ? word.slice(hyphen + 1) : word;
    if (!WORDS.has(key)) continue;
    if (namesLanguageOrCurrency(text, start, end)) continue;
    found.push({ start, end });
  }
  return found;
}
