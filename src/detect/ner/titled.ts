/**
 * A capitalised name right after a person's title is a person ("Ms. Walters approached",
 * "Judge Robert E. Jones", "Sgt O'Neill"), whether or not the model tagged it: the title says
 * so more surely than any context. Only the name is returned, not the title.
 * @module
 */

export interface TitledName {
  readonly start: number;
  readonly end: number;
}

export interface TitleLexicon {
  /** Words that make the phrase an organisation, a place or a date ("Justice Department", "President Street"). */
  isNotNameWord(lower: string): boolean;
  /** A word of the language that is almost never capitalised ("Who" in "Doctor Who"). */
  isCommonWord(lower: string): boolean;
}

/** Abbreviated titles (the dot optional) and titles written out. */
const TITLE =
  /\b(?:(?:Mr|Mrs|Ms|Mx|Dr|Drs|Prof|Sen|Rep|Gov|Rev|Fr|Capt|Sgt|Lt|Col|Cpl|Pvt|Det|Insp|Supt|Adm|Cmdr|Hon|Messrs|Mme|Mlle)\.?|Miss|Judge|Justice|Senator|Governor|Professor|Doctor|Sir|Dame|Reverend|Detective|Inspector|Sergeant|Captain|Officer|Nurse|Herr|Frau|Señor|Señora|Señorita|Monsieur|Madame|Signor|Signora)[ \t]+/g;
/** One to three name words, initials allowed ("Robert E. Jones", "J. R. R. Tolkien", "O'Neill", "Smith-Jones"). */
const WORD = String.raw`\p{Lu}\p{L}*(?:['’-]\p{L}+)*`;
const INITIALS = String.raw`(?:\p{Lu}\.[ \t]?)`;
/**
 * Lower-case words inside a name: patronymics and particles ("Elnur Rafig oglu Huseynov",
 * "Ludwig van Beethoven", "Maria dos Santos"); never its first or last word.
 */
const PARTICLE = String.raw`(?:oglu|oğlu|ogly|qizi|kyzy|uulu|bin|binti|ibn|bint|al|el|van|von|der|den|de|da|di|du|del|della|dos|das|do|la|le|ter|ten|y)`;
const NAME = new RegExp(
  `^${INITIALS}{0,3}${WORD}(?:[ \\t]+(?:${PARTICLE}[ \\t]+)?${INITIALS}{0,2}${WORD})?(?:[ \\t]+(?:${PARTICLE}[ \\t]+)?${WORD}){0,2}`,
  'u',
);
const PARTICLES = new Set(PARTICLE.slice(3, -1).split('|'));

export function findTitledNames(text: string, lexicon: TitleLexicon): TitledName[] {
  const found: TitledName[] = [];
  TITLE.lastIndex = 0;
  for (let match = TITLE.exec(text); match !== null; match = TITLE.exec(text)) {
    const start = match.index + match[0].length;
    const name = NAME.exec(text.slice(start, start + 80));
    if (name === null) continue;
    // Keep the words up to the first that is no name ("Justice Department", "Doctor Who").
    const words = name[0].split(/([ \t]+)/);
    let length = 0;
    let offset = 0;
    for (let index = 0; index < words.length; index += 2) {
      const word = words[index] as string;
      offset += (index > 0 ? (words[index - 1] as string).length : 0) + word.length;
      // A particle stays when a name word follows it.
      if (PARTICLES.has(word)) continue;
      const lower = word.replace(/[.'’-]+$/, '').toLowerCase();
      const initial = /^\p{Lu}\.$/u.test(word);
      if (!initial && (lexicon.isNotNameWord(lower) || lexicon.isCommonWord(lower))) break;
      length = offset;
    }
    // A name that is only initials ("Mr. J.") is left to the initials rule.
    const value = name[0].slice(0, length).replace(/[ \t]+$/, '');
    if (value.length < 2 || /^(?:\p{Lu}\.[ \t]?)+$/u.test(value)) continue;
    found.push({ start, end: start + value.length });
  }
  return found;
}
