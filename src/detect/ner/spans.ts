/**
 * Turns BIO tags into entity spans and applies the small amount of rule assistance the model
 * benefits from: titles join the name they introduce, address pieces separated only by commas
 * or line breaks become one LOCATION, and spans without a letter (numbers, dates, units) are
 * never names.
 * @module
 */
import { isInside, labelOfTag, type NerLabel } from './tags.js';
import type { Token } from './tokenize.js';

export interface RawEntity {
  start: number;
  end: number;
  label: NerLabel;
}

const TITLES = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'madam', 'mme', 'mlle', 'herr',
  'frau', 'rev', 'hon', 'judge', 'capt', 'sgt', 'lt', 'col', 'gen', 'nurse',
]);

const LETTER = /\p{L}/u;

/**
 * Tokens that are never part of a name or place even when the model attaches them: record
 * field labels and credentials next to names ("Gerald MRN", "Sarah Patel, MD"), and the
 * "v." of case names ("Smith v. Jones").
 */
const EDGE_STOP = new Set([
  'mrn', 'dob', 'ssn', 'id', 'md', 'phd', 'rn', 'np', 'pa', 'dds', 'dmd', 'esq', 'jd', 'mba', 'cpa', 'pt', 'dx',
  'hx', 'bp', 'hr', 'rx', 'tel', 'fax', 'email', 'e-mail', 'phone', 'mobile', 'cell', 'v', 'vs', 'n/a', 'na',
  'ref', 're', 'fw', 'fwd', 'cc', 'bcc', 'subject', 'attn', 'do',
  // More credentials, and the labels of record fields that follow a name on the same line.
  'lcsw', 'lpc', 'lmft', 'msw', 'psyd', 'dnp', 'aprn', 'crna', 'pharmd', 'rph', 'lpn', 'cna', 'fnp', 'facp', 'facs', 'mph',
  'dea', 'npi', 'ein', 'itin', 'cvv', 'exp', 'acct', 'acct#', 'account', 'exam', 'admitted', 'discharged', 'sex', 'gender', 'room', 'bed', 'attending',
  // The same labels in German and French forms ("Meine Steuer-ID ist ...", "Adresse: ...").
  'adresse', 'anschrift', 'telefon', 'geburtsdatum', 'steuer-id', 'steuernummer', 'ausweis', 'téléphone', 'courriel',
]);

/**
 * Possessives that start a sentence in German and French ("Meine", "Votre"), trimmed from the
 * start of a name only ("Shawty Lo Mein" keeps its last word); not ones that are also names or
 * places (Seine, Notre Dame, MA).
 */
const LEAD_STOP = new Set(['meine', 'mein', 'meinen', 'ihre', 'unsere', 'mes', 'votre', 'sehr', 'geehrte', 'geehrter', 'liebe', 'lieber']);

/**
 * The capitalised nouns and forms of address of German letters, which the model, trained on
 * languages that capitalise names only, reads as names ("vielen Dank", "Ihr Schreiben",
 * "Sachbearbeiter"), and the greetings and pronouns of other languages in short messages
 * ("Hola", "Cześć", "Mijn"). Trimmed from either edge of a name; a span of nothing else goes.
 */
const GERMAN_LETTER_WORDS = new Set([
  'vielen', 'dank', 'ihr', 'ihre', 'ihren', 'ihrem', 'ihres', 'ihrer', 'schreiben', 'unterlagen', 'sachbearbeiter',
  'sachbearbeiterin', 'grüßen', 'grüße', 'freundlichen', 'anlage', 'anlagen', 'betreff', 'antrag', 'bescheid', 'rechnung',
  'vertrag', 'mitteilung', 'nachricht', 'anfrage', 'auftrag', 'kundennummer', 'versicherungsnummer', 'aktenzeichen',
  'rückfragen', 'fragen', 'verfügung', 'bearbeitung', 'eingang', 'posteingang', 'schadensfall', 'sehr', 'geehrte', 'geehrter',
  'termin', 'konto', 'damen', 'herren', 'falls', 'bestehen', 'sie', 'mich', 'uns', 'hautarzt', 'hausarzt', 'hotline', 'kundenservice',
  'lastschrift', 'überweisung', 'bitte', 'danke', 'hallo', 'grüße', 'anbei', 'leider',
  // Greetings and pronouns of other languages that the model reads as names in short messages.
  'hola', 'gracias', 'saludos', 'estimado', 'estimada', 'bonjour', 'merci', 'madame', 'monsieur', 'enfant', 'cordialement', 'ciao',
  'grazie', 'buongiorno', 'gentile', 'mille', 'mijn', 'hartelijk', 'groeten', 'beste', 'cześć', 'dzień', 'dobry',
  'dziękuję', 'pozdrawiam', 'hej', 'tack', 'hälsningar', 'obrigado', 'obrigada', 'olá', 'bom', 'dia', 'cumprimentos',
]);

/** ISO 4217 codes of the currencies amounts are most often given in. */
const CURRENCY_CODES = new Set([
  'EUR', 'USD', 'GBP', 'BGN', 'TRY', 'RUB', 'PLN', 'CHF', 'JPY', 'CNY', 'RMB', 'INR', 'SEK', 'NOK', 'DKK', 'HUF', 'CZK',
  'HRK', 'UAH', 'AUD', 'CAD', 'NZD', 'BRL', 'MXN', 'ZAR', 'KRW', 'SGD', 'HKD', 'ILS', 'AED', 'SAR', 'RSD', 'MKD', 'GEL',
  'AZN', 'MDL', 'KZT', 'ISK', 'EGP', 'NGN', 'KES', 'PHP', 'IDR', 'THB', 'MYR', 'VND', 'PKR', 'ARS', 'CLP', 'PEN',
]);

/**
 * Clinical and record abbreviations that are never an entity on their own ("CAD", "PCP",
 * "ED"): a span consisting of just one of them is dropped. Not trimmed from longer spans, since
 * some double as state codes ("Detroit, MI").
 */
const SOLO_STOP = new Set([
  ...EDGE_STOP,
  'cad', 'cabg', 'mi', 'ed', 'er', 'icu', 'nicu', 'picu', 'pacu', 'pcp', 'sob', 'htn', 'dm', 'dm0', 'chf', 'copd',
  'ct', 'mri', 'ekg', 'ecg', 'eeg', 'rr', 'ot', 'or', 'gi', 'ent', 'ob', 'gyn', 'obgyn', 'hiv', 'aids', 'tb', 'uti',
  'cva', 'tia', 'dvt', 'pe', 'uri', 'npo', 'prn', 'bid', 'tid', 'qid', 'qd', 'po', 'iv', 'im', 'sc', 'nkda', 'ros',
  'hpi', 'pmh', 'psh', 'fh', 'sh', 'cc', 'ap', 'cbc', 'bmp', 'cmp', 'lfts', 'inr', 'ptt', 'hgb', 'hct', 'wbc', 'plt',
  'bun', 'cr', 'egfr', 'ckd', 'esrd', 'afib', 'cpr', 'dnr', 'dni', 'ems', 'ekg', 'echo', 'cxr', 'abg', 'ua', 'ivf',
  'nsaid', 'nsaids', 'ace', 'arb', 'ssri', 'ppi', 'otc', 'ed0', 'asap', 'fyi', 'eta', 'tbd', 'faq', 'ok', 'pm', 'am',
  'isbn', 'issn', 'doi', 'url', 'uri', 'ip', 'ipv4', 'ipv6', 'api', 'sdk', 'id', 'uuid', 'guid', 'sku', 'ean', 'upc', 'vat', 'pdf', 'csv',
  // Time zones ("a datetime in UTC") and job titles ("says CFO Hank Scorpio").
  'utc', 'gmt', 'est', 'edt', 'pst', 'pdt', 'cst', 'cdt', 'mst', 'mdt', 'cet', 'cest', 'bst', 'jst', 'aest',
  'ceo', 'cfo', 'cto', 'coo', 'cio', 'cmo', 'vp', 'svp', 'evp',
  // More of the clinical shorthand and section headings of notes ("ECG showed NSR", "LVEF 55%",
  // "CARDIOLOGY CONSULT NOTE").
  'nsr', 'rca', 'lcx', 'lvef', 'tte', 'tee', 'pci', 'stemi', 'nstemi', 'acs', 'gerd', 'bph', 'osa', 'cpap',
  'bipap', 'snf', 'nad', 'rrr', 'ctab', 'heent', 'perrla', 'jvd', 'abd', 'hba1c', 'a1c', 'tsh', 'ldl', 'hdl', 'bmi',
  'etoh', 'ivdu', 'hcv', 'hbv', 'mrsa', 'vre', 'pna', 'sah', 'sdh', 'ich', 'tbi', 'ptsd', 'adhd', 'ocd', 'mdd',
  'qhs', 'qam', 'qpm', 'consult', 'consultation', 'note', 'notes', 'discharge', 'admission',
  'assessment', 'impression', 'findings', 'procedure', 'procedures', 'medications', 'allergies', 'addendum',
  'eircode', 'postcode', 'zip',
  // Acronyms of legal and payment documents ("the IBAN", "ECF No. 12", "the CCTV").
  'iban', 'abn', 'ecf', 'ach', 'cctv', 'ppsr', 'bic', 'swift', 'sepa', 'kyc', 'nda',
  // And of software and business ("the DB", "our CRM", "EMEA"), which developer and business text is full of.
  'erp', 'crm', 'hvac', 'ota', 'emea', 'apac', 'latam', 'rma', 'fhir', 'hl7', 'timestamp', 'traceback', 'sql', 'json',
  'yaml', 'xml', 'html', 'css', 'ssh', 'vpn', 'dns', 'cpu', 'gpu', 'ssd', 'sla', 'kpi', 'roi', 'okr', 'saas', 'etl', 'llm',
  // Currency codes ("3,000 euros (EUR)", "BGN 2,000"); not ones that are also names or places (RON, BAM).
  ...[...CURRENCY_CODES].map((code) => code.toLowerCase()),
]);
/**
 * Words that name a role, not a person, when they stand alone as a PERSON: contract parties
 * ("the Borrower"), court parties, transcript speaker labels ("CALLER:", "Assistant:") and
 * instructions at the start of a prompt ("Summarize:"), all of which the model sometimes tags.
 */
const ROLE_WORDS = new Set([
  'lender', 'borrower', 'buyer', 'seller', 'purchaser', 'vendor', 'landlord', 'tenant', 'lessor', 'lessee', 'licensor',
  'licensee', 'employer', 'employee', 'contractor', 'subcontractor', 'consultant', 'client', 'customer', 'supplier',
  'plaintiff', 'plaintiffs', 'defendant', 'defendants', 'petitioner', 'respondent', 'appellant', 'appellee', 'claimant',
  'guarantor', 'trustee', 'beneficiary', 'executor', 'grantor', 'grantee', 'mortgagor', 'mortgagee', 'assignor', 'assignee',
  'debtor', 'creditor', 'insured', 'insurer', 'subscriber', 'member', 'company', 'party', 'parties', 'discloser',
  'recipient', 'witness', 'affiant', 'declarant', 'counsel', 'caller', 'agent', 'operator', 'user', 'assistant', 'system',
  'speaker', 'interviewer', 'interviewee', 'moderator', 'summarize', 'summarise', 'translate', 'rewrite', 'explain',
]);
/**
 * Weekdays and months of languages that capitalise nouns (German), which the model, trained
 * mostly on English, may read as a first name ("am Montag"). English ones are in its gazetteer.
 */
const FOREIGN_CALENDAR_WORDS = new Set([
  'montag', 'dienstag', 'mittwoch', 'donnerstag', 'freitag', 'samstag', 'sonnabend', 'sonntag', 'januar', 'jänner',
  'februar', 'märz', 'juni', 'juli', 'oktober', 'dezember', 'wochenende', 'feiertag',
]);
const SHORT_CODE = /^[A-Za-z]{1,2}\d{1,2}$/;
const GAP_JOINS_ADDRESS = /^[\s,]{1,8}$/u;
const BLANK_LINE = /\n[ \t]*\r?\n/;

/** Words a full stop abbreviates inside a person's name ("Dr. Ana Silva", "Martin Luther King Jr. Day"). */
const ABBREVIATIONS = new Set([...TITLES, 'st', 'jr', 'sr', 'gov', 'sen', 'rep', 'pres', 'gen', 'adm', 'cmdr', 'messrs', 'fr', 'bros', 'pvt', 'cpl', 'maj', 'brig', 'supt', 'insp', 'det', 'amb']);
const SENTENCE_END = new Set(['.', '!', '?']);
const CJK_SENTENCE_END = new Set(['。', '！', '？']);

/**
 * Whether token `i` ends a sentence, so no PERSON runs on across it: a full stop, exclamation or
 * question mark followed by white space, after a word that is not an initial ("J.") or an
 * abbreviation that names use ("Dr.", "Jr."). The model sometimes tags straight on ("Maria
 * Lindqvist. Lindqvist agreed" as one name), which would give two mentions one token. Places
 * and organisations keep their full stops: addresses are full of them ("ul. Miła 53", "Király u.
 * 15.") and so are company names ("Yahoo! Inc.").
 */
function endsSentence(text: string, tokens: readonly Token[], i: number): boolean {
  const token = tokens[i] as Token;
  // Chinese and Japanese full stops end a sentence with no space after them.
  if (CJK_SENTENCE_END.has(token.text)) return true;
  if (!SENTENCE_END.has(token.text)) return false;
  const after = text.charCodeAt(token.end);
  if (!(after === 32 || after === 10 || after === 13 || after === 9)) return false;
  if (token.text !== '.') return true;
  const previous = tokens[i - 1];
  if (previous === undefined || previous.end !== token.start) return true;
  const word = previous.text.toLowerCase();
  return word.length > 1 && !ABBREVIATIONS.has(word);
}

export function tagsToEntities(text: string, tokens: readonly Token[], tags: Uint8Array): RawEntity[] {
  const entities: RawEntity[] = [];
  let current: RawEntity | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const tag = tags[i] ?? 0;
    const label = labelOfTag(tag);
    if (label === undefined || (label === 'PERSON' && endsSentence(text, tokens, i))) {
      current = undefined;
      continue;
    }
    if (current !== undefined && isInside(tag) && current.label === label) {
      current.end = token.end;
    } else {
      current = { start: token.start, end: token.end, label };
      entities.push(current);
    }
  }
  trimEdges(tokens, entities);
  dropCaseReporters(text, entities);
  // What the two steps above emptied must not take on titles or house numbers below.
  const kept = entities.filter((entity) => entity.end > entity.start);
  trimLowerCaseLead(tokens, kept);
  trimLowerCaseTail(tokens, kept);
  trimAfterInstitution(tokens, kept);
  attachCompanyNames(text, tokens, kept);
  relabelCompanies(text, kept);
  const named = splitTitledNames(text, tokens, kept);
  attachTitles(text, tokens, named);
  attachHouseNumbers(text, tokens, named);
  return mergeAddressPieces(text, joinNicknames(text, splitChinese(text, splitAtLoneBrackets(text, named)))).filter(
    (entity) => entity.end > entity.start && LETTER.test(text.slice(entity.start, entity.end)) && !onlyContactLabels(text, entity),
  );
}

function stopKey(token: Token): string {
  // "M.D." and "MD", "Ph.D." and "PhD" alike.
  return token.text.toLowerCase().replace(/\./g, '');
}

function isStop(token: Token | undefined): boolean {
  return token !== undefined && EDGE_STOP.has(stopKey(token));
}

const QUOTES = new Set(["'", '"', '‘', '’', '“', '”', '«', '»', '„', '`']);

function isLeadStop(token: Token | undefined): boolean {
  return token !== undefined && (LEAD_STOP.has(token.text.toLowerCase()) || GERMAN_LETTER_WORDS.has(token.text.toLowerCase()));
}

/** A quote mark is never part of a name ("last_name = 'Okonkwo'"). */
function isQuote(token: Token | undefined): boolean {
  return token !== undefined && QUOTES.has(token.text);
}

function trimEdges(tokens: readonly Token[], entities: RawEntity[]): void {
  if (entities.length === 0) return;
  let t = 0;
  for (const entity of entities) {
    while (t < tokens.length && (tokens[t] as Token).start < entity.start) t++;
    let first = t;
    let last = first;
    while (last + 1 < tokens.length && (tokens[last + 1] as Token).end <= entity.end) last++;
    if (first === last) {
      const only = tokens[first];
      // A letter or two and a number is a code ("Q3", "A4", "B12"), not a name; user names
      // with digits ("kyle28walker") stay.
      const personOnly =
        entity.label === 'PERSON' && only !== undefined && (SHORT_CODE.test(only.text) || FOREIGN_CALENDAR_WORDS.has(stopKey(only)));
      // "the Borrower", "the Seller", "the Landlord's": a party's role, whatever the model called it.
      const role = only !== undefined && entity.label !== 'LOCATION' && ROLE_WORDS.has(stopKey(only));
      if (only !== undefined && (SOLO_STOP.has(stopKey(only)) || GERMAN_LETTER_WORDS.has(stopKey(only)) || personOnly || role)) entity.end = entity.start;
      continue;
    }
    // "the Landlord's deposit": a party's role with its possessive.
    if (last === first + 1 && entity.label !== 'LOCATION' && /^['’]s$/.test((tokens[last] as Token).text) && ROLE_WORDS.has(stopKey(tokens[first] as Token))) {
      entity.end = entity.start;
      continue;
    }
    // An amount is not a name: "BGN 2,000" tagged as an organisation.
    if (CURRENCY_CODES.has((tokens[first] as Token).text) && /^\d/.test(tokens[first + 1]?.text ?? '')) {
      entity.end = entity.start;
      continue;
    }
    // Places keep trailing codes ("Bethesda, MD"); names and organisations lose field labels.
    if (entity.label === 'LOCATION') continue;
    while (first <= last && (isStop(tokens[first]) || tokens[first]?.text === '.' || isQuote(tokens[first]) || isLeadStop(tokens[first]))) first++;
    while (last >= first && (isStop(tokens[last]) || tokens[last]?.text === ',' || isQuote(tokens[last]) || GERMAN_LETTER_WORDS.has((tokens[last] as Token).text.toLowerCase()))) last--;
    if (first > last) {
      entity.end = entity.start;
      continue;
    }
    entity.start = (tokens[first] as Token).start;
    entity.end = (tokens[last] as Token).end;
  }
}

/**
 * Index of the token that starts at `offset`, if one does. Tokens are in text order, so a
 * binary search answers without building a map of every token per call.
 */
function tokenStartingAt(tokens: readonly Token[], offset: number): number | undefined {
  let low = 0;
  let high = tokens.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const start = (tokens[middle] as Token).start;
    if (start === offset) return middle;
    if (start < offset) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

function attachTitles(text: string, tokens: readonly Token[], entities: RawEntity[]): void {
  if (entities.length === 0) return;
  for (const entity of entities) {
    if (entity.label !== 'PERSON') continue;
    const index = tokenStartingAt(tokens, entity.start);
    if (index === undefined || index === 0) continue;
    let j = index - 1;
    if (tokens[j]?.text === '.' && j > 0) j--;
    const title = tokens[j];
    if (title === undefined || !TITLES.has(title.text.toLowerCase())) continue;
    // Only when the title sits right before the name (at most one space and a dot between).
    if (entity.start - title.end > 2 || text.slice(title.end, entity.start).includes('\n')) continue;
    entity.start = title.start;
  }
}

/** Lower-case words that belong to a name ("Vincent van Gogh", "Ana da Silva", "bin Salman"). */
const NAME_PARTICLES = new Set([
  'van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'do', 'dos', 'das', 'du', 'la', 'le', 'bin', 'ibn', 'al', 'el', 'ter', 'ten', 'zu', 'y',
]);
const LOWER_WORD = /^\p{Ll}+$/u;
const UPPER_INITIAL = /^\p{Lu}/u;

/** Law-report abbreviations that look like places ("384 U.S. 436", "512 F.3d 218", "12 Cal. App. 4th 50"). */
const REPORTER = /^(?:U\.\s?S\.|S\.\s?Ct\.|L\.\s?Ed\.(?:\s?2d)?|F\.(?:\s?(?:2d|3d|4th|Supp\.(?:\s?(?:2d|3d))?))?|N\.\s?Y\.(?:\s?(?:2d|3d))?|Cal\.(?:\s?App\.)?(?:\s?(?:2d|3d|4th|5th))?|(?:A|P|N\.\s?E|N\.\s?W|S\.\s?E|S\.\s?W|So)\.(?:\s?(?:2d|3d))?|E\.\s?H\.\s?R\.\s?R\.|W\.\s?L\.\s?R\.|All\s?E\.\s?R\.)$/;
const VOLUME_BEFORE = /\d{1,4}\s$/;
const PAGE_AFTER = /^\s\d{1,5}\b/;

/** A place tagged on the reporter of a case citation ("Arizona, 384 U.S. 436") is not one. */
function dropCaseReporters(text: string, entities: RawEntity[]): void {
  for (const entity of entities) {
    if (entity.label !== 'LOCATION' && entity.label !== 'ORG') continue;
    // The model may take the page ("U.S. 544") or the volume too ("550 U.S. 544").
    const value = text.slice(entity.start, entity.end);
    if (!value.includes('.')) continue;
    const parts = CITATION.exec(value);
    if (parts === null || !REPORTER.test(parts[2] as string)) continue;
    const volume = parts[1] !== undefined || VOLUME_BEFORE.test(text.slice(Math.max(0, entity.start - 5), entity.start));
    const page = parts[3] !== undefined || PAGE_AFTER.test(text.slice(entity.end, entity.end + 7));
    if (volume && page) entity.end = entity.start;
  }
}
const CITATION = /^(\d{1,4}\s)?(.+?)(\s\d{1,5})?$/;

/** English function words: a lower-case run holding one is a phrase around a name, not part of it. */
const FUNCTION_WORDS = new Set(['of', 'the', 'a', 'an', 'for', 'to', 'in', 'on', 'by', 'with', 'and', 'at', 'from', 'that', 'which']);

/**
 * "judgment of the City Court of Copenhagen": an English phrase before a person or organisation
 * is not part of it, so lower-case words before the first capitalised one go when they hold a
 * function word (name particles right before the capital stay). Other languages put common
 * nouns first ("kralja Otoa", "vlade BiH"), which stay. Places keep theirs: street types are
 * often lower case ("ul. Miła 53", "rue de la Paix").
 */
function trimLowerCaseLead(tokens: readonly Token[], entities: RawEntity[]): void {
  for (const entity of entities) {
    if (entity.label !== 'PERSON' && entity.label !== 'ORG') continue;
    const first = tokenStartingAt(tokens, entity.start);
    if (first === undefined) continue;
    let capital = first;
    while (capital < tokens.length && (tokens[capital] as Token).end <= entity.end && !UPPER_INITIAL.test((tokens[capital] as Token).text)) {
      if (!LOWER_WORD.test((tokens[capital] as Token).text)) break;
      capital++;
    }
    const at = tokens[capital];
    if (capital === first || at === undefined || at.end > entity.end || !UPPER_INITIAL.test(at.text)) continue;
    if (!tokens.slice(first, capital).some((token) => FUNCTION_WORDS.has(token.text))) continue;
    let start = capital;
    while (start > first && NAME_PARTICLES.has((tokens[start - 1] as Token).text)) start--;
    if (start > first) entity.start = (tokens[start] as Token).start;
  }
}

/**
 * The same at the other end: "the Bratislava I District Court and remitted the case" ends at
 * "Court" when the lower-case words after the last capitalised one start with a function word.
 * Lower-case words that end a name in other languages ("Ústavný súd") stay.
 */
/**
 * The index of the last token of `entity` that is not a lower-case word, when lower-case words
 * follow it inside the span (a tail to look at); undefined when there is no such tail.
 */
function beforeLowerCaseTail(tokens: readonly Token[], entity: RawEntity): number | undefined {
  const first = tokenStartingAt(tokens, entity.start);
  if (first === undefined) return undefined;
  let last = first;
  while (last + 1 < tokens.length && (tokens[last + 1] as Token).end <= entity.end) last++;
  let kept = last;
  while (kept > first && LOWER_WORD.test((tokens[kept] as Token).text)) kept--;
  return kept === last ? undefined : kept;
}

function trimLowerCaseTail(tokens: readonly Token[], entities: RawEntity[]): void {
  for (const entity of entities) {
    if (entity.label !== 'PERSON' && entity.label !== 'ORG') continue;
    const capital = beforeLowerCaseTail(tokens, entity);
    if (capital === undefined || !UPPER_INITIAL.test((tokens[capital] as Token).text)) continue;
    const next = (tokens[capital + 1] as Token).text;
    // "of" and "the" go on inside names ("Seeds of peace", "Friends of the earth").
    if (FUNCTION_WORDS.has(next) && next !== 'of' && next !== 'the') entity.end = (tokens[capital] as Token).end;
  }
}

/**
 * English words that end the name of an institution: "Haskovo District Court" is a name, and
 * the model sometimes runs on into the verb after it ("... District Court found him guilty").
 * Lower-case words after one go, except "of" and "the", which continue the name ("Court of
 * Appeal"). Names in other languages keep theirs ("Okresný súd").
 */
const INSTITUTION_HEADS = new Set([
  'Court', 'Tribunal', 'Office', 'Ministry', 'Department', 'Directorate', 'Agency', 'Authority', 'Commission', 'Committee',
  'Council', 'Police', 'Prosecutor', 'Prison', 'Hospital', 'Clinic', 'University', 'College', 'School', 'Bank', 'Service',
  'Inspectorate', 'Government', 'Parliament', 'Assembly', 'Administration', 'Board', 'Bureau', 'Institute', 'Centre', 'Center',
]);

function trimAfterInstitution(tokens: readonly Token[], entities: RawEntity[]): void {
  for (const entity of entities) {
    if (entity.label !== 'ORG' && entity.label !== 'LOCATION') continue;
    const head = beforeLowerCaseTail(tokens, entity);
    if (head === undefined || !INSTITUTION_HEADS.has((tokens[head] as Token).text)) continue;
    const next = (tokens[head + 1] as Token).text;
    if (next !== 'of' && next !== 'the') entity.end = (tokens[head] as Token).end;
  }
}

/** Titles that only ever stand before a person's name. */
const PERSON_TITLES = new Set(['Mr', 'Mrs', 'Ms', 'Mx', 'Dr', 'Prof', 'Judge', 'Mme', 'Mlle', 'Herr', 'Frau', 'MR', 'MRS', 'MS', 'DR', 'PROF']);

/**
 * A name right after a person's title is a person even when the model read the words after it
 * as an organisation ("Dr Todorova of the Sliven hospital"): the name up to the first lower-case
 * word becomes a PERSON, and what follows "of the" stays an organisation of its own.
 */
function splitTitledNames(text: string, tokens: readonly Token[], entities: RawEntity[]): RawEntity[] {
  const out: RawEntity[] = [];
  for (const entity of entities) {
    const index = entity.label === 'PERSON' ? undefined : tokenStartingAt(tokens, entity.start);
    if (index === undefined || index === 0 || !UPPER_INITIAL.test((tokens[index] as Token).text)) {
      out.push(entity);
      continue;
    }
    let j = index - 1;
    if (tokens[j]?.text === '.' && j > 0) j--;
    const title = tokens[j] as Token;
    if (!PERSON_TITLES.has(title.text) || entity.start - title.end > 2 || text.slice(title.end, entity.start).includes('\n')) {
      out.push(entity);
      continue;
    }
    let cut = index + 1;
    while (cut < tokens.length && (tokens[cut] as Token).end <= entity.end && !LOWER_WORD.test((tokens[cut] as Token).text)) cut++;
    const nameEnd = (tokens[cut - 1] as Token).end;
    out.push({ start: entity.start, end: nameEnd, label: 'PERSON' });
    let rest = cut;
    while (rest < tokens.length && (tokens[rest] as Token).end <= entity.end && LOWER_WORD.test((tokens[rest] as Token).text)) rest++;
    if (rest < tokens.length && (tokens[rest] as Token).end <= entity.end) out.push({ start: (tokens[rest] as Token).start, end: entity.end, label: entity.label });
  }
  return out;
}

const HAN = /\p{sc=Han}/u;
/**
 * Characters that end a Chinese name where the model runs on: the particle 的, and verbs and
 * adverbs that follow a subject ("欧阳娜娜说张伟" is two people and a verb). Not 都 or 也, which
 * transliterated names use (成都, 維也納).
 */
const CHINESE_BREAKS = new Set([...'的说說是了把被很就']);
/** More that never stand inside a person's name (prepositions and conjunctions around one). */
const CHINESE_PERSON_BREAKS = new Set([...CHINESE_BREAKS, ...'在与跟对给']);
/** Pronoun and generic place words the model reads as places ("那里" there, "当地" local). */
const CHINESE_GENERIC_PLACES = new Set([
  '那里', '这里', '哪里', '那儿', '这儿', '哪儿', '这边', '那边', '当地', '本地', '外地', '国内', '国外', '海外', '全国', '各地',
  '此地', '该地', '附近', '周围', '境内', '境外', '城市', '农村', '乡下', '市区', '郊区', '那裡', '這裡', '哪裡', '這邊', '當地',
  '國內', '國外', '全國', '各地', '農村', '市區', '郊區',
]);

/**
 * Chinese text has no spaces, so a span can run through a particle or a verb into the next
 * word: it is cut there, and a piece of one character left over by the cut goes. Generic place
 * words ("那里") are dropped. Spans without Chinese characters pass unchanged.
 */
function splitChinese(text: string, entities: RawEntity[]): RawEntity[] {
  if (!entities.some((entity) => HAN.test(text.slice(entity.start, entity.end)))) return entities;
  const out: RawEntity[] = [];
  for (const entity of entities) {
    const value = text.slice(entity.start, entity.end);
    if (!HAN.test(value)) {
      out.push(entity);
      continue;
    }
    const breaks = entity.label === 'PERSON' ? CHINESE_PERSON_BREAKS : CHINESE_BREAKS;
    let pieceStart = entity.start;
    const flush = (end: number): void => {
      const piece = text.slice(pieceStart, end);
      // A lone character tagged as such stays ("中美关系": China and America); cut off, it goes.
      const single = piece.length === 1 && HAN.test(piece) && end - pieceStart < entity.end - entity.start;
      if (piece.length > 0 && !single && !CHINESE_GENERIC_PLACES.has(piece)) out.push({ start: pieceStart, end, label: entity.label });
    };
    for (let at = entity.start; at < entity.end; at++) {
      if (!breaks.has(text.charAt(at))) continue;
      flush(at);
      pieceStart = at + 1;
    }
    flush(entity.end);
  }
  return out;
}

/**
 * A span never holds half of a bracket pair. "Supreme Court (Højesteret" is two names, one each
 * side of the bracket; "Czech Republic)" just loses the bracket.
 */
function splitAtLoneBrackets(text: string, entities: RawEntity[]): RawEntity[] {
  const out: RawEntity[] = [];
  for (const entity of entities) {
    const value = text.slice(entity.start, entity.end);
    const open = value.lastIndexOf('(');
    const close = value.indexOf(')');
    const lone = open !== -1 && !value.includes(')', open) ? open : close !== -1 && !value.slice(0, close).includes('(') ? close : -1;
    if (lone === -1) {
      out.push(entity);
      continue;
    }
    const before = value.slice(0, lone).trimEnd();
    const after = value.slice(lone + 1).trimStart();
    if (LETTER.test(before)) out.push({ start: entity.start, end: entity.start + before.length, label: entity.label });
    if (LETTER.test(after)) out.push({ start: entity.end - after.length, end: entity.end, label: entity.label });
  }
  return out;
}

/** Legal forms that only a company's name ends in (not SE or SA, which end addresses too). */
const COMPANY_ONLY_SUFFIX_END = /(?:^|[\s-])(?:Inc|Ltd|Limited|LLC|LLP|PLC|plc|Corp|Corporation|GmbH|AG|S\.A|S\.p\.A|SpA|Oy|Oyj|ApS|A\/S)\.?$/;

/** A name that ends in a legal form is a company whatever the model called it ("Allianz Versicherungs-AG"). */
function relabelCompanies(text: string, entities: RawEntity[]): void {
  for (const entity of entities) {
    if (entity.label !== 'ORG' && COMPANY_ONLY_SUFFIX_END.test(text.slice(entity.start, entity.end))) entity.label = 'ORG';
  }
}

export const COMPANY_SUFFIX_END =
  /(?:^|\s)(?:Inc|INC|Incorporated|INCORPORATED|Ltd|LTD|Limited|LIMITED|LLC|L\.L\.C|LLP|PLLC|PLC|plc|Corp|CORP|Corporation|CORPORATION|GmbH|AG|KG|SE|SA|S\.A|NV|N\.V|BV|B\.V|AB|Oy|Oyj|ASA|A\/S|ApS|SpA|S\.p\.A|SAS|SARL|Pty|KK|K\.K)\.?$/;
const CAPITALISED_WORD = /^\p{Lu}[\p{L}\p{M}'’&-]*$/u;
/** Capitalised words that start a sentence or a phrase rather than a company's name. */
const NOT_COMPANY_WORDS = new Set([
  'the', 'a', 'an', 'in', 'on', 'at', 'for', 'by', 'from', 'to', 'with', 'and', 'or', 'but', 'of', 'our', 'their', 'his', 'her',
  'my', 'your', 'its', 'this', 'that', 'these', 'those', 'when', 'while', 'if', 'as', 'since', 'after', 'before', 'both', 'we',
  'i', 'he', 'she', 'they', 'it', 'dear', 'hi', 'hello', 'thanks', 'via', 'per', 're', 'fwd', 'attn',
  // Job titles in signature blocks ("Project Manager National Energy Corporation").
  'manager', 'director', 'president', 'officer', 'engineer', 'counsel', 'partner', 'chairman', 'chair', 'secretary',
  'assistant', 'associate', 'analyst', 'consultant', 'head', 'lead', 'senior', 'vice', 'chief', 'executive', 'coordinator',
]);

/**
 * "Fortuna Invest A/S": the model sometimes tags only the words next to a company suffix. An
 * organisation that ends in a legal-form suffix takes up to three capitalised words right
 * before it, one space apart, that no other entity holds.
 */
function attachCompanyNames(text: string, tokens: readonly Token[], entities: RawEntity[]): void {
  for (const [position, entity] of entities.entries()) {
    const before = entities[position - 1];
    const floor = before === undefined ? 0 : before.end;
    if (entity.label !== 'ORG' || !COMPANY_SUFFIX_END.test(text.slice(entity.start, entity.end))) continue;
    let index = tokenStartingAt(tokens, entity.start);
    if (index === undefined) continue;
    for (let k = 0; k < 3 && index > 0; k++) {
      const previous = tokens[index - 1] as Token;
      const word = previous.text.toLowerCase();
      if (!CAPITALISED_WORD.test(previous.text) || NOT_COMPANY_WORDS.has(word) || TITLES.has(word) || ROLE_WORDS.has(word)) break;
      if (entity.start - previous.end !== 1 || text[previous.end] !== ' ' || previous.start < floor) break;
      entity.start = previous.start;
      index--;
    }
  }
}

const HOUSE_NUMBER = /^\d{1,6}[A-Za-z]?$/;

/** "0896 69 Farnell Street": numbers right before an address belong to it. */
function attachHouseNumbers(text: string, tokens: readonly Token[], entities: RawEntity[]): void {
  if (entities.length === 0) return;
  for (const entity of entities) {
    if (entity.label !== 'LOCATION') continue;
    let index = tokenStartingAt(tokens, entity.start);
    if (index === undefined) continue;
    for (let k = 0; k < 2 && index > 0; k++) {
      const previous = tokens[index - 1] as Token;
      if (!HOUSE_NUMBER.test(previous.text) || entity.start - previous.end !== 1 || text[previous.end] !== ' ') break;
      entity.start = previous.start;
      index--;
    }
  }
}

/** `"Bart" Okonkwo-Smith`: a quoted nickname, then the surname the model left out. */
const NICKNAME_GAP = /^\s(["“'‘(])$/;
const AFTER_NICKNAME = /^["”'’)]\s(\p{Lu}[\p{L}\p{M}'’]*(?:-\p{Lu}[\p{L}\p{M}'’]*)?)(?![\p{L}\p{N}])/u;

/**
 * A first name, a quoted nickname and a surname are one person (`Bartholomew "Bart"
 * Okonkwo-Smith`); the model tends to tag the first two and leave the surname, which would leak.
 */
function joinNicknames(text: string, entities: RawEntity[]): RawEntity[] {
  for (let i = 0; i + 1 < entities.length; i++) {
    const first = entities[i] as RawEntity;
    const nickname = entities[i + 1] as RawEntity;
    if (first.label !== 'PERSON' || nickname.label !== 'PERSON' || !NICKNAME_GAP.test(text.slice(first.end, nickname.start))) continue;
    const after = AFTER_NICKNAME.exec(text.slice(nickname.end, nickname.end + 48));
    const next = entities[i + 2];
    if (after === null) continue;
    const end = nickname.end + after[0].length;
    if (next !== undefined && next.start < end) continue;
    first.end = end;
    entities.splice(i + 1, 1);
  }
  return entities;
}

/** The labels of phone lines ("Tel.", "mobile", "pgr"): a "place" of numbers and these is a phone list. */
const CONTACT_LABELS = new Set(['tel', 'telephone', 'phone', 'ph', 'mobile', 'mob', 'cell', 'fax', 'pager', 'pgr', 'ext', 'x', 'no', 'nr', 'home', 'work', 'office']);

function onlyContactLabels(text: string, entity: RawEntity): boolean {
  if (entity.label !== 'LOCATION') return false;
  const words = text.slice(entity.start, entity.end).match(/\p{L}+/gu) ?? [];
  return words.every((word) => CONTACT_LABELS.has(word.toLowerCase()));
}

function mergeAddressPieces(text: string, entities: RawEntity[]): RawEntity[] {
  const out: RawEntity[] = [];
  for (const entity of entities) {
    const previous = out[out.length - 1];
    if (
      previous !== undefined &&
      previous.label === 'LOCATION' &&
      entity.label === 'LOCATION' &&
      GAP_JOINS_ADDRESS.test(text.slice(previous.end, entity.start)) &&
      // A blank line ends an address block ("STRASBOURG⏎⏎17 November 2009").
      !BLANK_LINE.test(text.slice(previous.end, entity.start))
    ) {
      previous.end = entity.end;
      continue;
    }
    out.push(entity);
  }
  return out;
}
