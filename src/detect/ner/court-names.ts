/**
 * People as court papers and police reports write them: the judges under an opinion
 * (`OKAMOTO, A.C.J.`, `DRISCOLL, J.`), the parties of a caption in capitals over their role
 * (`YOHANNES TEKLE GEBREMARIAM,⏎Petitioner,`), and an officer's badge or shoulder number after
 * the name (`Det. Monica Flores #6127`, `PC Laura Bentley 4417`).
 * @module
 */

export interface CourtName {
  readonly start: number;
  readonly end: number;
  /** PERSON, or ORG for a party named with a company word (`MERIDIAN AUTO FINANCE LLC,⏎Defendant`). */
  readonly type: 'PERSON' | 'ORG' | 'ID';
  /** For a judge's line: where the line ends, since the title after the name (`J.`) is no name. */
  readonly lineEnd?: number;
}

/** A judge's name in capitals, then J., JJ., C.J., P.J., A.C.J. alone on the line. */
const JUDGE_LINE = /^[ \t]*(\p{Lu}[\p{Lu}'’-]+(?:[ \t]+\p{Lu}[\p{Lu}'’.-]*){0,3}),[ \t]*(?:A\.[ \t]?)?(?:[CP]\.[ \t]?)?JJ?\.[ \t]*\r?$/gmu;
/** A party in capitals, a comma, and its role on the next line. */
const CAPTION_PARTY =
  /^[ \t]*(\p{Lu}[\p{Lu}'’.-]+(?:[ \t]+\p{Lu}[\p{Lu}'’.-]*){1,5}),[ \t]*\r?\n[ \t]*(?:Petitioners?|Plaintiffs?|Defendants?|Respondents?|Appellants?|Appellees?|Debtors?|Claimants?|Applicants?|Movants?)\b/gmu;
const COMPANY_WORD = /\b(?:LLC|L\.L\.C\.|INC|INC\.|CORP|CORP\.|CORPORATION|COMPANY|CO\.|LTD|LTD\.|LLP|LP|PLC|BANK|GROUP|HOLDINGS|TRUST|ASSOCIATION|UNIVERSITY|HOSPITAL|COUNTY|CITY|STATE|DEPARTMENT|AGENCY|SERVICES|FINANCE|INSURANCE)\b/;

export function findCourtNames(text: string): CourtName[] {
  const found: CourtName[] = [];
  if (text.includes('J.')) {
    JUDGE_LINE.lastIndex = 0;
    for (let match = JUDGE_LINE.exec(text); match !== null; match = JUDGE_LINE.exec(text)) {
      const name = match[1] as string;
      const start = match.index + match[0].indexOf(name);
      found.push({ start, end: start + name.length, type: 'PERSON', lineEnd: match.index + match[0].length });
    }
  }
  if (text.includes(',\n') || text.includes(',\r\n') || /,[ \t]+\r?\n/.test(text)) {
    CAPTION_PARTY.lastIndex = 0;
    for (let match = CAPTION_PARTY.exec(text); match !== null; match = CAPTION_PARTY.exec(text)) {
      const name = match[1] as string;
      const start = match.index + match[0].indexOf(name);
      found.push({ start, end: start + name.length, type: COMPANY_WORD.test(name) ? 'ORG' : 'PERSON' });
    }
  }
  return found;
}

/** Police ranks and roles whose holders are written with a number after the name. */
const OFFICER_TITLE = /\b(?:PC|DC|PCSO|Sgt|DS|DI|DCI|Ofc|Officer|Det|Detective|Deputy|Trooper|Constable|Agent|Specialist|Sergeant|Inspector|Patrolman|Cpl)\.?[ \t]/;
/** A number right after a name: `#8841`, or a bare shoulder number of three to six digits. */
const NUMBER_AFTER_NAME = /^[ \t]?(#[ \t]?)?(\d{3,6})(?![\d/:.,-]\d|\d)/;

/**
 * Badge and shoulder numbers after the people found (`start`/`end` of each person): with `#`
 * after any name, and bare after a name that a police rank introduces on the same line.
 */
export function findBadgeNumbers(text: string, people: readonly { start: number; end: number }[]): CourtName[] {
  const found: CourtName[] = [];
  for (const person of people) {
    const match = NUMBER_AFTER_NAME.exec(text.slice(person.end, person.end + 12));
    if (match === null) continue;
    if (match[1] === undefined) {
      const lineStart = text.lastIndexOf('\n', person.start - 1) + 1;
      if (!OFFICER_TITLE.test(text.slice(Math.max(lineStart, person.start - 40), person.end))) continue;
    }
    const value = match[2] as string;
    const start = person.end + match[0].length - value.length;
    found.push({ start, end: start + value.length, type: 'ID' });
  }
  return found;
}
