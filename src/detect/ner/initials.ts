/**
 * People named by their initials only, as judgments, police reports and case notes do to
 * anonymise them ("the applicant married D.P.", "Mr J.D.", "Ms Y", "children present: M.Q.
 * (age 9)"). The initials still point to one person in the file, so they are masked like a name.
 * Abbreviations of the same shape ("U.S.", "D.C.", "5 P.M.", "M.D.") are not initials.
 * @module
 */

export interface InitialsMatch {
  readonly start: number;
  readonly end: number;
  /** After a title ("Mr S.A."): a person whatever the model made of the letters. */
  readonly titled: boolean;
}

/** A title and one to three capitals ("Mr J.D.", "Ms Y", "Mrs A. K."). */
const TITLED = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s([A-Z](?:\.\s?[A-Z]){0,2}\.?)(?![\p{L}\p{N}])/gu;
/** Two or three capitals, each with its full stop ("D.P.", "A.B.C."). */
const DOTTED = /(?<![\p{L}\p{N}.])[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?(?![\p{L}\p{N}]|\.?[A-Z])/gu;
/** Abbreviations written like initials (letters only, upper case). */
const NOT_INITIALS = new Set([
  'US', 'UK', 'EU', 'UN', 'DC', 'AM', 'PM', 'BC', 'AD', 'CE', 'MD', 'RN', 'PC', 'LP', 'NA', 'JD', 'DO', 'PA', 'NP', 'AC',
  'ACJ', 'CJ', 'IE', 'EG', 'ET', 'AL', 'VS', 'NB', 'PS', 'OK', 'TV', 'ID', 'USA', 'UAE', 'NY', 'LA', 'SF', 'DR', 'SA', 'BV', 'NV',
  'GP', 'QC', 'KC', 'MP', 'VP', 'RSVP', 'PO', 'RR', 'ST', 'JR', 'SR', 'MA', 'BA', 'BS', 'MS', 'DDS', 'LLB', 'LLM', 'SJ', 'JJ',
  'CO', 'NJ', 'NE', 'NW', 'SE', 'SW', 'WC', 'EC', 'EEC', 'USSR', 'GB', 'NZ', 'RI', 'ND', 'SD', 'NC', 'SC', 'WV', 'AI', 'IT', 'IP',
  'CV', 'FOB', 'CIF', 'FRS', 'HR', 'USC', 'RIP', 'AKA', 'PTO', 'QED', 'IOU', 'OBE', 'MBE', 'CBE', 'KBE', 'CPA', 'MBA', 'BSC', 'MSC',
]);

/** Words that start the next sentence rather than continue a name ("married D.P. They have ..."). */
const SENTENCE_STARTERS = new Set([
  'The', 'They', 'He', 'She', 'It', 'We', 'In', 'On', 'At', 'This', 'That', 'His', 'Her', 'Their', 'A', 'An', 'But', 'And',
  'After', 'When', 'Since', 'From', 'On', 'As', 'By', 'For', 'However', 'Then', 'There', 'Both', 'According', 'During', 'Following',
]);

function isAbbreviation(initials: string): boolean {
  return NOT_INITIALS.has(initials.replace(/[.\s]/g, ''));
}

/** Initials naming a person in `text`: after a title, or two or three dotted capitals alone. */
export function findInitials(text: string): InitialsMatch[] {
  const found: InitialsMatch[] = [];
  if (!/[A-Z]\./.test(text) && !/\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s[A-Z](?![\p{L}\p{N}])/u.test(text)) return found;
  TITLED.lastIndex = 0;
  // After a title even "J.D." is a person.
  for (let match = TITLED.exec(text); match !== null; match = TITLED.exec(text)) found.push({ start: match.index, end: match.index + match[0].length, titled: true });
  DOTTED.lastIndex = 0;
  for (let match = DOTTED.exec(text); match !== null; match = DOTTED.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (isAbbreviation(match[0]) || found.some((other) => start < other.end && end > other.start)) continue;
    // "J.R.R. Tolkien", "A. B. Smith": initials before a name are the model's to join.
    const next = /^\s(\p{Lu}\p{Ll}+|(?:de|van|von|da|di|du|le|la|del|der|den|dos)(?= ))/u.exec(text.slice(end, end + 16));
    if (next !== null && !SENTENCE_STARTERS.has(next[1] as string)) continue;
    found.push({ start, end, titled: false });
  }
  return found.sort((a, b) => a.start - b.start);
}
