/**
 * People as records and notes list them:
 * - surname first, after a field label or at the head of a line of demographics
 *   (`Pt: NAKAMURA, HIROSHI`, `PATIENT NAME: Haddad, Layla`, `Chen, Wei-Ming | 59 M | Acct …`);
 * - a name before a credential (`Report called to: Tom RN`, `Nurse: Min-seo RN`);
 * - in clinical notes, the initials of the dictating doctor and the typist
 *   (`(MK/dsl)`, `TR: bcw`, `Job: 774120 / rmk`).
 * And a place as an address line ends it: the state after the city (`Melrose, MA`).
 * @module
 */

export interface RecordName {
  readonly start: number;
  readonly end: number;
}

const NAME_WORD = String.raw`\p{Lu}[\p{L}'’]*(?:-\p{L}[\p{L}'’]*)*`;
/** `Last, First`, a middle name or initial allowed, in any capitalised or upper case. */
const LAST_FIRST = String.raw`${NAME_WORD},[ \t]*${NAME_WORD}(?: (?!(?:Rm|Room|Bed|Unit|MRN?|DOB|Acct|Age|Sex)\b)(?:${NAME_WORD}|\p{Lu}\.))?`;
/** Labels of the fields that hold a person's name. */
const PERSON_LABEL = String.raw`(?:pt|patient(?:[ \t]+name)?|name|full[ \t]+name|contact|emergency[ \t]+contact|next[ \t]+of[ \t]+kin|nok|resident|client|member|insured|subscriber|guarantor|employee|claimant|applicant|student|tenant|re|attn|caregiver|spouse|guardian|parent|mother|father|husband|wife|son|daughter|referring(?:[ \t]+(?:physician|provider|md))?|pcp|attending|surgeon|provider)`;
/** `Last, First` after a colon; the label before the colon is checked on its own (one cheap scan). */
const AFTER_COLON_LAST_FIRST = new RegExp(`[:#][ \\t]*(${LAST_FIRST})(?![\\p{L}])`, 'gu');
const LABEL_BEFORE = new RegExp(`(?<![\\p{L}])${PERSON_LABEL}[ \\t]*$`, 'iu');
/** A line that opens with `Last, First` and goes on with age, sex or a record number. */
const LINE_LAST_FIRST = new RegExp(
  `^[ \\t]*(${LAST_FIRST})(?=[ \\t]*(?:\\||[ \\t]{2,}|,)[ \\t]*(?:\\d{1,3}[ \\t]*(?:y\\/?o|yo|[MF])\\b|MR|MRN|DOB|Acct|Unit|Rm|Room|Bed))`,
  'gmu',
);

/** Surname-first names of records and notes; the span is the whole `Last, First`. */
export function findLastFirstNames(text: string): RecordName[] {
  if (text.indexOf(',') === -1) return [];
  const found: RecordName[] = [];
  for (const pattern of [AFTER_COLON_LAST_FIRST, LINE_LAST_FIRST]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (pattern === AFTER_COLON_LAST_FIRST && !LABEL_BEFORE.test(text.slice(Math.max(0, match.index - 30), match.index))) continue;
      const name = match[1] as string;
      const start = match.index + match[0].lastIndexOf(name);
      if (!found.some((other) => other.start === start)) found.push({ start, end: start + name.length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Credentials written after a name. */
const CREDENTIAL = String.raw`(?:RN|LPN|LVN|MD|M\.D\.|NP|FNP|PA-C|PA|DO|PharmD|DPT|PT|OT|CNA|RD|LCSW|MSW|PhD|DDS|CRNA)`;
/** A credential after a space (and a comma); the name before it is read backwards from there. */
const CREDENTIAL_AFTER_NAME = new RegExp(`,?[ \\t]${CREDENTIAL}(?![A-Za-z0-9-])`, 'g');
const NAME_AT_END = new RegExp(`(?<![\\p{L}\\p{N}'’-])(${NAME_WORD}(?:[ \\t]+${NAME_WORD})?)$`, 'u');

/**
 * A name right before a credential (`Tom RN`, `Min-seo RN`, `Kristen Alvarez, PT`); never a role
 * or a word of the language (`Charge RN`, `Night RN`), nor an abbreviation (`ICU RN`).
 */
export function findCredentialedNames(text: string, isCommonWord: (lower: string) => boolean): RecordName[] {
  const found: RecordName[] = [];
  CREDENTIAL_AFTER_NAME.lastIndex = 0;
  for (let match = CREDENTIAL_AFTER_NAME.exec(text); match !== null; match = CREDENTIAL_AFTER_NAME.exec(text)) {
    const before = text.slice(Math.max(0, match.index - 60), match.index);
    const name = NAME_AT_END.exec(before)?.[1];
    if (name === undefined) continue;
    const words = name.split(/[ \t]+/);
    if (words.some((word) => word === word.toUpperCase() || isCommonWord(word.toLowerCase()))) continue;
    found.push({ start: match.index - name.length, end: match.index });
  }
  return found;
}

/** Pathology and dictation initials: `(MK/dsl)`, `TR: bcw`, `Job: 774120 / rmk`. */
const SLASH_INITIALS = /\((\p{Lu}{2,3})\/(\p{Ll}{2,4})\)/gu;
const TYPIST = /\b(?:TR|T\/R|Typed by|Transcribed by|Job(?:[ \t]*#)?:?[ \t]*\d{3,8}[ \t]*\/)[ \t]*:?[ \t]*(\p{L}{2,4})\b/gu;

/** The initials of the doctor who dictated a note and of its typist (clinical notes only). */
export function findDictationInitials(text: string): RecordName[] {
  const found: RecordName[] = [];
  SLASH_INITIALS.lastIndex = 0;
  for (let match = SLASH_INITIALS.exec(text); match !== null; match = SLASH_INITIALS.exec(text)) {
    const first = match.index + 1;
    found.push({ start: first, end: first + (match[1] as string).length });
    const second = first + (match[1] as string).length + 1;
    found.push({ start: second, end: second + (match[2] as string).length });
  }
  TYPIST.lastIndex = 0;
  for (let match = TYPIST.exec(text); match !== null; match = TYPIST.exec(text)) {
    const initials = match[1] as string;
    const start = match.index + match[0].length - initials.length;
    found.push({ start, end: start + initials.length });
  }
  return found;
}

const STATES = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR'.split(' '),
);
const STATE_AFTER_CITY = /^,[ \t]?([A-Z]{2})(?![A-Za-z])/;

/** Where a city's span should end when a US state code follows it (`Melrose, MA`), else undefined. */
export function stateAfterCity(text: string, cityEnd: number): number | undefined {
  const match = STATE_AFTER_CITY.exec(text.slice(cityEnd, cityEnd + 6));
  if (match === null || !STATES.has(match[1] as string)) return undefined;
  return cityEnd + match[0].length;
}
