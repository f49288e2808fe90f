/**
 * Occupations stated about a person: a job title on a name's line ("Janka Szász  Network and
 * computer systems administrator", "Matthew Reumer, the Civil drafter, said") and after the
 * phrases that introduce one ("works as a school librarian", "a retired machinist", "Occupation:
 * nurse"). A rare occupation next to a name or an employer narrows a person down, which is why
 * clinical de-identification treats it as an identifier. A rule over a word list, not the model:
 * a job title ends in one of a few hundred head nouns, and only these contexts are read, so
 * "the plumber called" or "a driver issue" are left alone.
 * @module
 */

/** The nouns a job title ends in (lower case). */
const HEADS = new Set([
  'accountant', 'actor', 'actress', 'actuary', 'adjuster', 'administrator', 'adviser', 'advisor', 'agent', 'aide', 'analyst',
  'anesthetist', 'animator', 'announcer', 'appraiser', 'apprentice', 'architect', 'archivist', 'artist', 'assembler',
  'assessor', 'assistant', 'attendant', 'attorney', 'auditor', 'author', 'baker', 'barber', 'barista',
  'bartender', 'biologist', 'boilermaker', 'bookkeeper', 'bricklayer', 'broker', 'builder', 'butcher', 'buyer', 'captain',
  'caretaker', 'carpenter', 'cashier', 'chef', 'chemist', 'chiropractor', 'cleaner', 'clerk', 'coach', 'collector',
  'columnist', 'compiler', 'composer', 'conductor', 'conservator', 'consultant', 'controller', 'cook', 'coordinator',
  'copywriter', 'coroner', 'correspondent', 'counsel', 'counselor', 'counsellor', 'courier', 'curator', 'custodian',
  'dancer', 'dentist', 'deputy', 'designer', 'detective', 'developer', 'dietitian', 'dietician', 'director', 'dispatcher',
  'doctor', 'drafter', 'draftsman', 'driver', 'economist', 'editor', 'educator', 'electrician', 'engineer', 'entrepreneur',
  'estimator', 'examiner', 'executive', 'farmer', 'farmworker', 'firefighter', 'fisherman', 'fitter', 'florist',
  'foreman', 'forester', 'gardener', 'geologist', 'glazier', 'groundskeeper', 'guard', 'hairdresser', 'handler',
  'handyman', 'hostess', 'housekeeper', 'hygienist', 'illustrator', 'inspector', 'installer', 'instructor', 'interpreter',
  'investigator', 'janitor', 'jeweler', 'jeweller', 'journalist', 'judge', 'labourer', 'laborer', 'landscaper', 'lawyer',
  'lecturer', 'librarian', 'lifeguard', 'lineman', 'locksmith', 'logistician', 'machinist', 'maid', 'mail carrier',
  'maintainer', 'manager', 'marketer', 'mason', 'mathematician', 'mechanic', 'mediator', 'midwife', 'miner', 'minister',
  'mover', 'musician', 'nanny', 'navigator', 'negotiator', 'nurse', 'nutritionist', 'officer', 'operator',
  'optician', 'optometrist', 'orderly', 'organizer', 'packer', 'painter', 'paralegal', 'paramedic', 'pastor', 'pathologist',
  'pharmacist', 'photographer', 'physician', 'physicist', 'physiotherapist', 'pilot', 'planner', 'plasterer', 'plumber',
  'podiatrist', 'policeman', 'policewoman', 'porter', 'postman', 'preparer', 'priest', 'processor',
  'producer', 'professor', 'programmer', 'projectionist', 'promoter', 'proofreader', 'psychiatrist', 'psychologist',
  'publicist', 'publisher', 'purchaser', 'rabbi', 'radiographer', 'rancher', 'realtor', 'receptionist', 'recruiter',
  'referee', 'reporter', 'repairer', 'representative', 'researcher', 'roofer', 'sailor', 'salesman', 'saleswoman',
  'salesperson', 'scientist', 'sculptor', 'secretary', 'sheriff', 'singer', 'soldier', 'sonographer',
  'specialist', 'statistician', 'steward', 'stewardess', 'stylist', 'superintendent', 'supervisor', 'surgeon', 'surveyor',
  'tailor', 'teacher', 'technician', 'technologist', 'teller', 'tender', 'therapist', 'trader', 'trainer', 'translator',
  'treasurer', 'trucker', 'tutor', 'typist', 'underwriter', 'upholsterer', 'urologist', 'valet', 'veterinarian', 'waiter',
  'waitress', 'warden', 'welder', 'worker', 'writer', 'zoologist', 'vet', 'ceo', 'cfo', 'cto', 'president', 'chairman',
  'chairwoman', 'founder', 'owner', 'intern', 'scholar', 'student',
  'marine', 'sergeant', 'lieutenant', 'colonel', 'corporal', 'seaman', 'airman', 'ranger', 'constable',
  'headteacher', 'headmaster', 'headmistress', 'principal', 'housewife', 'homemaker', 'cowboy', 'shepherd', 'fishmonger', 'grocer', 'chauffeur', 'cabbie', 'dockworker', 'longshoreman',
]);
/** Suffixes of occupations the list does not name ("echocardiographer", "immunologist"). */
const HEAD_SUFFIX = /(?:ologist|ographer|iatrist|therapist|ician|ographist)$/;
/** Heads that are occupations only with a word before them ("property manager" yes, "manager" alone on a name line no). */
const VAGUE_ALONE = new Set(['agent', 'aide', 'assistant', 'tender', 'guard', 'student', 'owner', 'minister', 'judge', 'deputy', 'executive', 'mover', 'marine', 'handler', 'cook', 'intern', 'founder', 'president', 'captain']);
/** Words inside a job title: modifiers and nouns, never a function word or a verb. */
const NOT_IN_TITLE = new Set([
  'the', 'a', 'an', 'to', 'is', 'was', 'are', 'were', 'be', 'been', 'has', 'had', 'have', 'will', 'would', 'can', 'could',
  'said', 'says', 'say', 'called', 'calls', 'asked', 'told', 'met', 'meets', 'hired', 'saw', 'sees', 'i', 'he', 'she', 'we',
  'they', 'you', 'his', 'her', 'their', 'my', 'our', 'your', 'it', 'its', 'this', 'that', 'these', 'those', 'who', 'which',
  'for', 'from', 'with', 'at', 'in', 'on', 'by', 'as', 'not', 'no', 'but', 'or', 'if', 'then', 'than', 'also', 'very',
  'personal', 'info', 'phone', 'email', 'e-mail', 'address', 'mr', 'mrs', 'ms', 'dr', 'another', 'any', 'each', 'every',
  'some', 'many', 'much', 'more', 'most', 'other', 'such', 'same', 'own', 'one', 'two', 'three', 'only', 'just', 'even',
  'all', 'both', 'few', 'several', 'what', 'whose', 'how', 'when', 'where', 'why', 'there', 'here', 'so', 'too', 'like',
]);
/** Modifiers ending in -ed that job titles carry ("Licensed practical nurse"); other -ed words are verbs. */
const TITLE_PARTICIPLES = new Set(['licensed', 'registered', 'certified', 'qualified', 'chartered', 'retired', 'skilled', 'unskilled', 'self-employed', 'advanced', 'enrolled', 'accredited', 'experienced', 'trained', 'appointed', 'elected', 'contracted']);

/** Verbs before "as": "works as a", "employed as", "career as". */
const AS_WORDS = ['work', 'works', 'worked', 'working', 'employed', 'hired', 'trained', 'serve', 'serves', 'served', 'serving', 'job', 'jobs', 'career'];
/** Before "a"/"an": "is a", "was an"; "he's a" is checked apart. */
const BE_WORDS = ['is', 'was', 'am', 'are', 'were'];
/** Words between the article and the title that mark a job ("a retired machinist"). */
const JOB_ADJECTIVES = [
  'retired', 'former', 'unemployed', 'part-time', 'full-time', 'self-employed', 'freelance', 'practising', 'practicing', 'trainee',
  'senior', 'junior', 'head', 'chief', 'lead', 'local', 'professional',
];
/** Adjectives that mark a job even without "is" before the article ("a retired machinist"). */
const STRONG_ADJECTIVES = ['retired', 'former', 'unemployed', 'freelance', 'trainee', 'practising', 'practicing'];
const ANCHORS = / (?:as|an?|the|of) |:/g;
/** Nouns whose "of" names a job: "the position of", "the role of". */
const ROLE_NOUNS = ['position', 'role', 'post', 'job', 'title', 'rank'];
/** Nouns for a person that an occupation may stand beside: "the applicant, a journalist". */
const PERSON_NOUN_BEFORE =
  /\b(?:applicants?|plaintiffs?|defendants?|claimants?|complainants?|petitioners?|appellants?|accused|suspects?|victims?|witness|witnesses|deceased|patient|client|tenant|landlord|employee|husband|wife|partner|son|daughter|father|mother|brother|sister|uncle|aunt|cousin|neighbou?r|friend|man|woman)(?:'s)?,$/i;
/** Labels a title follows: "Occupation: nurse", "Job title: welder". */
const LABELS = ['occupation', 'profession', 'job title', 'job', 'position', 'employment', 'work'];

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Whether one of `words` ends at `end` as a whole word (any case). Compares in place: no copies. */
function wordEndsAt(text: string, end: number, words: readonly string[]): boolean {
  for (const word of words) {
    const start = end - word.length;
    if (start < 0 || (start > 0 && !isSpace(text.charCodeAt(start - 1)))) continue;
    let same = true;
    for (let i = 0; i < word.length && same; i++) same = (text.charCodeAt(start + i) | 32) === word.charCodeAt(i);
    if (same) return true;
  }
  return false;
}

/** The length of one of `words` starting at `start` and followed by a space, or 0. */
function wordStartsAt(text: string, start: number, words: readonly string[]): number {
  for (const word of words) {
    if (text.startsWith(word, start) && isSpace(text.charCodeAt(start + word.length))) return word.length + 1;
  }
  return 0;
}

/**
 * Where a title may start after an introducing phrase: past "as (a|an|the)", "is (a|an)
 * [adjective]", "(a|an|the) retired", or a label and its colon. Found from the literal words,
 * which indexOf finds faster than one pattern tried at every position.
 */
function introducedStarts(text: string): number[] {
  const starts: number[] = [];
  // One pass for all the anchors: a pattern of literals is scanned faster than four indexOf runs.
  ANCHORS.lastIndex = 0;
  for (let match = ANCHORS.exec(text); match !== null; match = ANCHORS.exec(text)) {
    const at = match.index;
    const anchor = match[0];
    ANCHORS.lastIndex = at + 1;
    if (anchor === ':') {
      if (!wordEndsAt(text, at, LABELS)) continue;
      let start = at + 1;
      while (start < text.length && isSpace(text.charCodeAt(start)) && start - at < 8) start++;
      starts.push(start);
    } else if (anchor === ' as ') {
      const start = at + 4;
      const article = wordStartsAt(text, start, ['a', 'an', 'the']);
      // "worked at The Copper Kettle as a barista": "as a" names a role after any word; after a
      // work verb the article may be missing ("employed as nurse").
      if (!wordEndsAt(text, at, AS_WORDS) && (article === 0 || text.startsWith('the', start))) continue;
      starts.push(start + article);
    } else if (anchor === ' of ') {
      // "the position of Senior Data Engineer", "the role of charge nurse".
      if (wordEndsAt(text, at, ROLE_NOUNS)) starts.push(at + 4);
    } else {
      const start = at + anchor.length;
      // "is a", "he's a"
      const be = anchor !== ' the ' && (wordEndsAt(text, at, BE_WORDS) || ((text.charCodeAt(at - 1) | 32) === 115 && (text.charCodeAt(at - 2) === 39 || text.charCodeAt(at - 2) === 0x2019)));
      // "The applicant, a journalist,", "her husband, a retired farmer": an apposition to a person.
      const apposition = anchor !== ' the ' && text.charCodeAt(at - 1) === 44 && PERSON_NOUN_BEFORE.test(text.slice(Math.max(0, at - 24), at));
      const adjective = wordStartsAt(text, start, be || apposition ? JOB_ADJECTIVES : STRONG_ADJECTIVES);
      if (adjective > 0) starts.push(start + adjective);
      else if (be || apposition) starts.push(start);
    }
  }
  return starts;
}

const WORD = /[\p{L}][\p{L}\p{M}'’-]*/uy;

export interface ProfessionMatch {
  readonly start: number;
  readonly end: number;
}

function isHead(word: string): boolean {
  const lower = word.toLowerCase();
  if (HEADS.has(lower) || HEAD_SUFFIX.test(lower)) return true;
  // Plurals for several people ("both police officers", "lawyers practising in Sofia").
  if (lower.length < 5 || !lower.endsWith('s')) return false;
  const singular = lower.slice(0, -1);
  return HEADS.has(singular) || HEAD_SUFFIX.test(singular);
}

function titleWord(word: string): boolean {
  const lower = word.toLowerCase();
  if (NOT_IN_TITLE.has(lower)) return false;
  if (/(?:ed|ing)$/.test(lower) && !TITLE_PARTICIPLES.has(lower) && !isHead(lower)) {
    // "-ing" words name fields of work ("Crushing, grinding, and polishing machine tender",
    // "Laboratory", "Nursing"): allowed only before a head within the phrase; verbs in "-ed" never.
    return lower.endsWith('ing');
  }
  return true;
}

/**
 * Reads a job title starting at `from`: up to eight words (with `and`, `&` and commas between)
 * ending in a head noun, the last head within the phrase. Returns its end, or -1. The title must
 * be followed by the end of a line, punctuation, a capitalised word or a preposition, so "a
 * driver issue" is not a title. `singleWordOk`: a head that is vague alone ("assistant") counts.
 */
function readTitle(text: string, from: number, singleWordOk: boolean): number {
  let at = from;
  let words = 0;
  let end = -1;
  let headWords = 0;
  while (words < 8) {
    WORD.lastIndex = at;
    const match = WORD.exec(text);
    if (match === null) break;
    const word = match[0];
    const lower = word.toLowerCase();
    // "of" ends a title ("professor of medicine" ends at "professor"; "descendant of former
    // President" is no title at all).
    if (lower === 'of' || (lower === 'and' ? words === 0 : !titleWord(word))) break;
    words++;
    const wordEnd = at + word.length;
    if (lower !== 'and' && isHead(word)) {
      end = wordEnd;
      headWords = words;
    }
    // Between words: one space, or a comma and a space ("Court, municipal, and license clerk").
    const gap = /^(?:, ?| |-| & )/.exec(text.slice(wordEnd, wordEnd + 3));
    if (gap === null) break;
    // A double space or a line break ends the title.
    if (text.charCodeAt(wordEnd + gap[0].length) === 32) break;
    at = wordEnd + gap[0].length;
  }
  if (end === -1) return -1;
  const title = text.slice(from, end);
  if (headWords === 1 && !singleWordOk && VAGUE_ALONE.has(title.toLowerCase())) return -1;
  // What follows: not another lower-case noun ("a driver issue").
  const after = text.slice(end, end + 24);
  const next = /^ ([\p{Ll}][\p{L}'’-]*)/u.exec(after);
  if (next !== null && !/^(?:at|in|for|with|and|who|from|of|on|to|by|since|until|before|after|when|until|there|here|now|then|but|or|so|for|because|named|called|practising|practicing|working|employed|based|living|residing|currently)$/.test(next[1] as string)) return -1;
  return end;
}

/** Gaps between a name and its job title on the name's line: spaces, ", the", ", a", ", ". */
const AFTER_NAME = /^(?: {1,3}|\t|, (?:the |a |an |our |my |your |both )?|, (?:retired |former )| - | – | \| )/;
/** Offices of a court after a judge's or registrar's name. */
const COURT_OFFICES = /^(?:Vice-)?President\b|^(?:Deputy |Section )?Registrar\b|^Deputy Registrar\b|^Deputy\b|^Judges?\b/;
/** The line under a name (a signature, a CV): the whole line must be the title. */
const NEXT_LINE = /^[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*/;

/**
 * Job titles in `text`: on the line of a person's name (`people`: PERSON spans, in order), and
 * after the phrases that introduce an occupation.
 */
export function findProfessions(text: string, people: readonly { start: number; end: number }[]): ProfessionMatch[] {
  const found: ProfessionMatch[] = [];
  const add = (start: number, end: number): void => {
    if (end > start && !found.some((other) => start < other.end && end > other.start)) found.push({ start, end });
  };
  for (const person of people) {
    const after = text.slice(person.end, person.end + 12);
    const line = NEXT_LINE.exec(after);
    if (line !== null) {
      const start = person.end + line[0].length;
      const end = readTitle(text, start, true);
      if (end !== -1 && /^[ \t]*(?:\r?\n|$|[,|])/.test(text.slice(end, end + 4))) add(start, end);
      continue;
    }
    const gap = AFTER_NAME.exec(after);
    if (gap === null) continue;
    // "Karin Beike Leasing consultant Fritz-Armstrong": a title after a plain space only on a
    // line that the name starts (a signature or a record), not in running prose.
    if (/^[ \t]/.test(gap[0]) && !/(?:^|\n)[ \t]*$/.test(text.slice(Math.max(0, person.start - 8), person.start))) continue;
    const start = person.end + gap[0].length;
    const end = readTitle(text, start, gap[0].includes(','));
    // "Helga Maurstad, President", "Anna Berg, Deputy Registrar": the offices of the court that
    // signs a judgment, not a fact about a party.
    if (end !== -1 && !COURT_OFFICES.test(text.slice(start, end + 12))) add(start, end);
  }
  for (const start of introducedStarts(text)) {
    const end = readTitle(text, start, true);
    if (end !== -1) add(start, end);
  }
  return found.sort((a, b) => a.start - b.start);
}
