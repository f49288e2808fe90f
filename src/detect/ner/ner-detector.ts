/**
 * The built-in named-entity detector (tier T2): PERSON, LOCATION/ADDRESS and ORG from the
 * shipped perceptron model (plus the untagged repeats of a tagged name in the same text),
 * @handles as PERSON, and stated ages. Offline, CPU only,
 * synchronous. The model is read on first use (or by `preloadNerModel`), once per process, and
 * results are cached per text in a bounded LRU keyed by a hash of the text and the options.
 * @module
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { findAges } from './age.js';
import { findChinesePlaces } from './places-zh.js';
import { looksClinical } from '../clinical-text.js';
import { findDisplayNames, findSignOffs } from './mail-names.js';
import { findTitledNames } from './titled.js';
import { findBadgeNumbers, findCourtNames } from './court-names.js';
import { findCredentialedNames, findDictationInitials, findLastFirstNames, stateAfterCity } from './record-names.js';
import { findBusinessNames } from './business-names.js';
import { findLowerCasePlaces } from './lower-places.js';
import { findNameHashtags, findSpacedHandles } from './social.js';
import { headingRanges, isDepartment, isNoteShorthand } from './clinical-shorthand.js';
import { findDemonyms, isDemonym, namesLanguageOrCurrency } from './demonyms.js';
import { findInitials } from './initials.js';
import { findChatSenders, findSpeakers, findSpelledNames } from './transcript.js';
import { findProfessions } from './profession.js';
import { GAZ, textCase } from './features.js';
import { LruCache } from './lru.js';
import { loadModelFile, type NerModel } from './model.js';
import { mentionsAcrossTexts, propagateMentions } from './propagate.js';
import { tagsToEntities } from './spans.js';
import type { NerLabel } from './tags.js';

/** A number's label after a register's acronym ("NHS No: 453 331 4783", "CHI number"). */
const REGISTER_LABEL_AFTER = /^\s?(?:No\b|No\.|Nr\b|Number\b|number\b)/;
const ACRONYM = /^[A-Z]{2,6}$/;

/** The model shipped in `models/` at the package root (same relative path from src/ and dist/). */
export const DEFAULT_NER_MODEL_URL = new URL('../../../models/ner-en.bin', import.meta.url);

/** Bias towards entity tags, tuned on held-out data: recall matters more than precision here. */
export const DEFAULT_ENTITY_BIAS = 12;

/** Per-label extra bias: ORG names are the most often missed (tuned on held-out data). */
export const DEFAULT_LABEL_BIAS: Readonly<Partial<Record<NerLabel, number>>> = { ORG: 9 };

export interface NerDetectorOptions {
  /** Model file; defaults to the built-in model. */
  readonly modelPath?: string | URL;
  /** Added to every entity tag's score before decoding (see `NerModel.tag`). */
  readonly entityBias?: number;
  /** Extra bias per label on top of `entityBias` (same units). */
  readonly labelBias?: Partial<Record<NerLabel, number>>;
  /** Cached texts (LRU). 0 disables the cache, e.g. for benchmarks of the uncached cost. */
  readonly cacheSize?: number;
  /** Report `@handles` as PERSON even when the model does not tag them. Default true. */
  readonly handles?: boolean;
  /** Report stated ages ("a 53 year old", "aged 70") as AGE. Default true. */
  readonly ages?: boolean;
  /** Report nationality / religious group words ("Peruvian", "Saudis") as MISC. Default true. */
  readonly nationalities?: boolean;
  /** Report occupations stated about a person ("works as a school librarian") as PROFESSION. Default true. */
  readonly professions?: boolean;
  /**
   * Also report the untagged repeats of a tagged name in the same text (the surname alone after
   * the full name, an organisation named again). Default true.
   */
  readonly propagate?: boolean;
  /** Confidence given to model spans. Default 0.85. */
  readonly score?: number;
  /** Detector id. Default `ner.builtin`. */
  readonly id?: string;
}

const models = new Map<string, NerModel>();

function modelKey(path: string | URL): string {
  return typeof path === 'string' ? path : fileURLToPath(path);
}

/** Loads (once per process) and returns the model at `path`. */
export function preloadNerModel(path: string | URL = DEFAULT_NER_MODEL_URL): NerModel {
  const key = modelKey(path);
  let model = models.get(key);
  if (model === undefined) {
    try {
      model = loadModelFile(key);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot load NER model '${key}': ${reason}`, { cause: error });
    }
    models.set(key, model);
  }
  return model;
}

/** `@name`, dashes inside allowed (`@Sam-Okonjo`, as payment apps write them). */
const HANDLE = /(?<![\p{L}\p{N}_.@])@[\p{L}\p{N}_]{2,30}(?:-[\p{L}\p{N}_]{1,30}){0,3}\b(?!\.[a-z]{2,}|@|-)/gu;
/**
 * Handles with a dot, as Slack and Instagram allow them (`@dana.kowal`, `@zaid.runs`), unless the
 * part after the dot is a domain's ending (`@example.com` is an address's tail).
 */
const DOTTED_HANDLE = /(?<![\p{L}\p{N}_.@])@[\p{L}\p{N}_]{2,30}\.[\p{L}\p{N}_]{2,30}(?![\p{L}\p{N}_@.-])/gu;
const DOMAIN_ENDING = /\.(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|cz|ru|jp|cn|in|au|ca|us|info|biz|dev|app|ai|me|tv|ly|sh|example|local|test)$/i;
/** A line that is one word in capitals. */
const CAPITALS_WORD_LINE = /(?:^|\n)[ \t]*[A-Z]{3,24}[ \t]*(?:\r?\n|$)/;
const CAPITALS_WORD_LINES = /^[ \t]*([A-Z]{3,24})[ \t]*$/gm;
/** Reddit's user names (`u/throwaway_kettle22`): a person by the site's own convention. */
const REDDIT_USER = /(?<![\p{L}\p{N}_/])u\/[A-Za-z0-9_-]{3,20}(?![\p{L}\p{N}_/-])/gu;
/** At-words of code, not people: CSS at-rules, doc-comment tags, common decorators and annotations. */
const CODE_AT_WORDS = new Set([
  'media', 'import', 'font-face', 'keyframes', 'supports', 'page', 'charset', 'namespace', 'layer', 'container', 'property',
  'tailwind', 'apply', 'extend', 'include', 'mixin', 'use', 'forward', 'each', 'if', 'else', 'return', 'function', 'content',
  'param', 'params', 'returns', 'type', 'typedef', 'template', 'deprecated', 'example', 'see', 'throws', 'throw',
  'since', 'todo', 'override', 'module', 'internal', 'private', 'public', 'protected', 'readonly', 'default', 'link',
  'inheritdoc', 'callback', 'async', 'class', 'interface', 'enum', 'const', 'var', 'let', 'description', 'summary',
  'component', 'injectable', 'input', 'output', 'directive', 'pipe', 'ngmodule', 'autowired', 'entity', 'column', 'table',
  'test', 'before', 'after', 'beforeeach', 'aftereach', 'mock', 'get', 'post', 'put', 'delete', 'patch', 'controller',
  'service', 'repository', 'bean', 'configuration', 'value', 'dataclass', 'staticmethod', 'classmethod', 'abstractmethod',
  'cached_property', 'contextmanager', 'pytest', 'fixture', 'suppresswarnings', 'functionalinterface', 'nullable',
  'nonnull', 'transactional', 'requestmapping', 'getmapping', 'postmapping', 'pathvariable', 'requestbody', 'responsebody',
  'everyone', 'here', 'channel', 'all', 'latest', 'next', 'canary', 'types', 'babel', 'vue', 'angular', 'nestjs', 'prisma',
]);
const UPPER = /\p{Lu}/u;
const LEADING_THE = /^the\s+/i;
/** The parties and bodies a contract or a judgment names by their role, capitalised as defined terms. */
const PARTY_ROLES = new Set([
  'Tenant', 'Tenants', 'Landlord', 'Landlords', 'Lender', 'Lenders', 'Borrower', 'Borrowers', 'Seller', 'Sellers', 'Buyer', 'Buyers',
  'Purchaser', 'Purchasers', 'Vendor', 'Vendors', 'Licensor', 'Licensee', 'Lessor', 'Lessee', 'Employer', 'Employee', 'Contractor',
  'Client', 'Supplier', 'Guarantor', 'Claimant', 'Claimants', 'Respondent', 'Respondents', 'Applicant', 'Applicants', 'Appellant',
  'Plaintiff', 'Plaintiffs', 'Defendant', 'Defendants', 'Tribunal', 'Testator', 'Executor', 'Executors', 'Principal', 'Attorney',
  'Grantor', 'Grantee', 'Assignor', 'Assignee', 'Parties', 'Party', 'Agent', 'Controller', 'Processor', 'Data Controller',
]);
const DIGIT = /\d/;
const SINGLE_LOWER_WORD = /^\p{Ll}+$/u;
const CODE_HINT = /[{}]|;\s*$|==|&&|\|\||=>|\(\)|(?:^|\s)--?[a-z][\w-]*|\.(?:py|js|ts|sh|json|ya?ml|java|go|rb|cpp|rs)\b|^\s*(?:\$|>>>|#!)/m;
const NAME_OR_PLACE = GAZ.FIRST | GAZ.LAST | GAZ.CITY | GAZ.COUNTRY | GAZ.STATE | GAZ.PLACE_PART;
/** `textCase` value of all-lower-case text (see features.ts). */
const LOWER_CASE_TEXT = 3;

/** The questions the rule steps ask of the model's lexicon, lower-case words in; one set per model. */
interface LexiconQuestions {
  isFirstName(lower: string): boolean;
  isLastName(lower: string): boolean;
  /** Almost never capitalised in running text ("home", "later"). */
  isCommonWord(lower: string): boolean;
  /** Like isCommonWord, but a listed first name or surname is never common ("Drs. Ali"). */
  isCommonNonName(lower: string): boolean;
  /** A listed name or place, or usually capitalised ("Caldwell", "Ashdown"). */
  isProperWord(lower: string): boolean;
  /** An organisation, place, street or calendar word, a country or a nationality. */
  isNotNameWord(lower: string): boolean;
  /** A city, state or country of the gazetteer. */
  isPlace(lower: string): boolean;
}

const NOT_NAME_WORD = GAZ.ORG_KEYWORD | GAZ.ORG_SUFFIX | GAZ.LOC_KEYWORD | GAZ.STREET_SUFFIX | GAZ.CALENDAR | GAZ.COUNTRY | GAZ.NATIONALITY;
const questionsByModel = new WeakMap<NerModel, LexiconQuestions>();

function lexiconQuestions(model: NerModel): LexiconQuestions {
  let questions = questionsByModel.get(model);
  if (questions === undefined) {
    const { gazetteer, capitalisation } = model.lexicon;
    const flags = (lower: string): number => gazetteer.get(lower) ?? 0;
    const isCommonWord = (lower: string): boolean => (capitalisation.get(lower) ?? 4) <= 1;
    questions = {
      isFirstName: (lower) => (flags(lower) & GAZ.FIRST) !== 0,
      isLastName: (lower) => (flags(lower) & GAZ.LAST) !== 0,
      isCommonWord,
      isCommonNonName: (lower) => isCommonWord(lower) && (flags(lower) & (GAZ.FIRST | GAZ.LAST)) === 0,
      isProperWord: (lower) => (flags(lower) & NAME_OR_PLACE) !== 0 || (capitalisation.get(lower) ?? 0) >= 3,
      isNotNameWord: (lower) => (flags(lower) & NOT_NAME_WORD) !== 0,
      // A place word that is also a place or organisation keyword or a nationality ("northern", "centre", "swiss") is not one alone.
      isPlace: (lower) => (flags(lower) & (GAZ.CITY | GAZ.STATE | GAZ.COUNTRY)) !== 0 && (flags(lower) & (GAZ.LOC_KEYWORD | GAZ.ORG_KEYWORD | GAZ.NATIONALITY)) === 0,
    };
    questionsByModel.set(model, questions);
  }
  return questions;
}

export class NerDetector implements Detector {
  readonly id: string;
  readonly tier = 'ner' as const;
  readonly types: readonly EntityType[];
  private readonly modelPath: string | URL;
  private readonly bias: number;
  private readonly labelBias: Partial<Record<NerLabel, number>>;
  private readonly handles: boolean;
  private readonly ages: boolean;
  private readonly nationalities: boolean;
  private readonly professions: boolean;
  private readonly propagate: boolean;
  private readonly score: number;
  private readonly cache: LruCache<string, readonly Span[]>;
  private readonly configKey: string;
  private loaded: NerModel | undefined;

  constructor(options: NerDetectorOptions = {}) {
    this.id = options.id ?? 'ner.builtin';
    this.modelPath = options.modelPath ?? DEFAULT_NER_MODEL_URL;
    this.bias = options.entityBias ?? DEFAULT_ENTITY_BIAS;
    this.labelBias = options.labelBias ?? DEFAULT_LABEL_BIAS;
    this.handles = options.handles ?? true;
    this.ages = options.ages ?? true;
    this.nationalities = options.nationalities ?? true;
    this.professions = options.professions ?? true;
    this.propagate = options.propagate ?? true;
    this.score = options.score ?? 0.85;
    this.cache = new LruCache(options.cacheSize ?? 1024);
    this.types = ['PERSON', 'LOCATION', 'ADDRESS', 'ORG', 'ID', ...(this.ages ? ['AGE'] : []), ...(this.nationalities ? ['MISC'] : []), ...(this.professions ? ['PROFESSION'] : [])];
    this.configKey = JSON.stringify([modelKey(this.modelPath), this.bias, this.labelBias, this.handles, this.ages, this.nationalities, this.professions, this.propagate, this.score, this.id]);
  }

  detect(text: string): readonly Span[] {
    if (text.length === 0) return [];
    if (this.cache.capacity === 0) return this.run(text);
    // Keyed by a digest, so the cache never holds the text itself.
    const key = createHash('sha256').update(this.configKey).update('\u0000').update(text).digest('base64');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const spans = this.run(text);
    this.cache.set(key, spans);
    return spans;
  }

  /** Names found in one text of a batch, wherever the others repeat them (propagate.ts); off with `propagate: false`. */
  acrossTexts(texts: readonly string[], spans: readonly (readonly Span[])[], options: { readonly withinText?: boolean }): Span[][] {
    if (!this.propagate || (texts.length < 2 && options.withinText !== true)) return texts.map(() => []);
    return mentionsAcrossTexts(texts, spans, this.model().lexicon, this.id, options);
  }

  /** The model, loaded on first use; kept here because resolving its path costs more than the lookups that use it. */
  private model(): NerModel {
    this.loaded ??= preloadNerModel(this.modelPath);
    return this.loaded;
  }

  /** Drops every cached result. */
  clearCache(): void {
    this.cache.clear();
  }

  private run(text: string): readonly Span[] {
    const model = this.model();
    const { tokens, tags } = model.tag(text, this.bias, this.labelBias);
    const spans: Span[] = [];
    // Both read the whole text and matter only for lone lower-case words: worked out when first needed.
    let lowerCaseText: boolean | undefined;
    let codeLike: boolean | undefined;
    const entities = tagsToEntities(text, tokens, tags);
    const clinical = looksClinical(text);
    const ages = this.ages ? findAges(text, clinical) : [];
    const headings = clinical ? headingRanges(text) : [];
    for (const entity of this.propagate ? propagateMentions(tokens, entities, model.lexicon) : entities) {
      const value = text.slice(entity.start, entity.end);
      // A note's abbreviations, vital signs and headings are not names ("AKI", "HR 132", "GROSS DESCRIPTION").
      if (clinical && (isNoteShorthand(value, model.lexicon) || headings.some((range) => entity.start >= range.start && entity.end <= range.end))) continue;
      // "Cardiology", "Department of Medicine for Older People": a department alone names no one.
      if (clinical && entity.label === 'ORG' && isDepartment(value)) continue;
      // "NHS No:", "CHI Number" in a record: the register's name before its number is a field label.
      if (clinical && entity.label === 'ORG' && REGISTER_LABEL_AFTER.test(text.slice(entity.end, entity.end + 10)) && ACRONYM.test(value)) continue;
      // "a 64 y.o. retired bookkeeper": the model sometimes tags an age with its cue; it is the AGE below.
      if (ages.some((age) => age.start < entity.end && age.end > entity.start) && !UPPER.test(value)) continue;
      // A lone lower-case word in normally cased text ("db", "epochs", "clinic") is a bias
      // artefact unless it is a known name or place ("ask jessica", "in denver").
      // In code and shell commands no lone lower-case word is a name ("pip install", "--epochs").
      if (SINGLE_LOWER_WORD.test(value)) {
        codeLike ??= CODE_HINT.test(text);
        if (codeLike) continue;
        lowerCaseText ??= textCase(text) === LOWER_CASE_TEXT;
        if (!lowerCaseText && ((model.lexicon.gazetteer.get(value) ?? 0) & NAME_OR_PLACE) === 0) continue;
        // "call", "will", "may": names too, but as lower-case words almost always the verb.
        if ((model.lexicon.capitalisation.get(value) ?? 4) <= 1) continue;
      }
      // "The Tenants shall pay", "the Tribunal": a contract's or a court's defined party, not its name.
      if (PARTY_ROLES.has(value.replace(LEADING_THE, ''))) continue;
      // "Israeli forces", "the Kuwaiti woman", "Muslims": a nationality or group, not a place or a
      // person; "Done in French", "Swiss francs": a language or a currency, nothing to mask.
      const demonym = isDemonym(value.replace(LEADING_THE, ''));
      if (demonym && namesLanguageOrCurrency(text, entity.start, entity.end)) continue;
      const type = this.nationalities && demonym
        ? 'MISC'
        : entity.label === 'LOCATION' && DIGIT.test(value) ? 'ADDRESS' : entity.label;
      // "Melrose, MA": the state code ends the place.
      const end = type === 'LOCATION' || type === 'ADDRESS' ? (stateAfterCity(text, entity.end) ?? entity.end) : entity.end;
      spans.push({ start: entity.start, end, type, score: this.score, detector: this.id });
    }
    // A quoted display name before an address is a person, whatever the model made of its
    // parts ("Townsend, George" read as ORG + PERSON).
    for (const name of findDisplayNames(text)) replaceInside(spans, { start: name.start, end: name.end, type: 'PERSON', score: this.score, detector: this.id });
    // A handle with dashes ("@Sam-Okonjo") is one name however the model cut it.
    if (this.handles && text.includes('-')) {
      HANDLE.lastIndex = 0;
      for (let match = HANDLE.exec(text); match !== null; match = HANDLE.exec(text)) {
        if (!match[0].includes('-') || CODE_AT_WORDS.has(match[0].slice(1).toLowerCase())) continue;
        replaceInside(spans, { start: match.index, end: match.index + match[0].length, type: 'PERSON', score: this.score * 0.8, detector: this.id });
      }
    }
    const ask = lexiconQuestions(model);
    // "Drs. Ali": after a title a known name is a name, however often another language writes it in lower case.
    const titleLexicon = { isNotNameWord: ask.isNotNameWord, isCommonWord: ask.isCommonNonName };
    // A name after a title is one person, pieces the model found in it included ("Mr Elnur Rafig"
    // + "Huseynov" around the patronymic "oglu").
    for (const name of findTitledNames(text, titleLexicon)) {
      const overlapping = spans.filter((span) => span.start < name.end && span.end > name.start);
      if (overlapping.some((span) => span.type !== 'PERSON' || span.end > name.end)) continue;
      const start = Math.min(name.start, ...overlapping.map((span) => span.start));
      for (const span of overlapping) spans.splice(spans.indexOf(span), 1);
      spans.push({ start, end: name.end, type: 'PERSON', score: this.score * 0.8, detector: this.id });
    }
    // "Pt: NAKAMURA, HIROSHI", "PATIENT NAME: Haddad, Layla": one person, surname first.
    for (const name of findLastFirstNames(text)) replaceInside(spans, { start: name.start, end: name.end, type: 'PERSON', score: this.score * 0.8, detector: this.id });
    // Judges under an opinion and the parties of a caption, in capitals ("OKAMOTO, A.C.J.").
    for (const name of findCourtNames(text)) {
      const placed = replaceInside(spans, { start: name.start, end: name.end, type: name.type, score: this.score * 0.8, detector: this.id });
      // The title after a judge's name ("J.") is no name.
      if (placed && name.lineEnd !== undefined) removeInside(spans, name.end, name.lineEnd);
    }
    // "Ray 's Pizza", "Caldwell insurance": a business, even where the model saw a person in it.
    for (const business of findBusinessNames(text, { ...ask, lowerCaseText: (lowerCaseText ??= textCase(text) === LOWER_CASE_TEXT) })) {
      replaceInside(spans, { start: business.start, end: business.end, type: 'ORG', score: this.score * 0.7, detector: this.id });
    }
    // What the rules below add goes only where no span lies yet. They can match thousands of
    // times in a long text, so coverage is kept as one byte per character, not searched per match.
    let covered: Uint8Array | undefined;
    const addWhereFree = (start: number, end: number, type: string, score: number): void => {
      if (covered === undefined) {
        covered = new Uint8Array(text.length);
        for (const span of spans) covered.fill(1, span.start, span.end);
      }
      if (covered.subarray(start, end).includes(1)) return;
      covered.fill(1, start, end);
      spans.push({ start, end, type, score, detector: this.id });
    };
    // A person whose evidence outweighs the model's reading: replaces the spans inside it.
    const replaceWithPerson = (start: number, end: number, score: number): void => {
      if (replaceInside(spans, { start, end, type: 'PERSON', score, detector: this.id })) covered?.fill(1, start, end);
    };
    // Well-known places in Chinese text that the model missed (places-zh.ts).
    for (const place of findChinesePlaces(text)) addWhereFree(place.start, place.end, 'LOCATION', this.score);
    // People named by their initials only ("the applicant married D.P.", "Mr J.D."), the speakers
    // of a chat log ("jess: omg") and names spelled out in a transcript ("j o h n s m i t h").
    const commonWord = ask.isCommonWord;
    // "between noida and greater noida", "guys from orlando": known places in lower case.
    for (const place of findLowerCasePlaces(text, ask)) addWhereFree(place.start, place.end, 'LOCATION', this.score * 0.7);
    for (const person of findCredentialedNames(text, commonWord)) addWhereFree(person.start, person.end, 'PERSON', this.score * 0.7);
    if (clinical) for (const person of findDictationInitials(text)) addWhereFree(person.start, person.end, 'PERSON', this.score * 0.7);
    for (const person of findInitials(text)) {
      // "Mr S.A.": the title outweighs the model's company suffix.
      if (person.titled) replaceWithPerson(person.start, person.end, this.score * 0.8);
      else addWhereFree(person.start, person.end, 'PERSON', this.score * 0.8);
    }
    for (const person of findSpeakers(text, commonWord)) addWhereFree(person.start, person.end, 'PERSON', this.score * 0.8);
    // A known city or country alone on a line in capitals ("STRASBOURG" under a judgment's title)
    // in text that is not all capitals: the model reads such a line as a heading.
    if (CAPITALS_WORD_LINE.test(text)) {
      CAPITALS_WORD_LINES.lastIndex = 0;
      for (let match = CAPITALS_WORD_LINES.exec(text); match !== null; match = CAPITALS_WORD_LINES.exec(text)) {
        const word = match[1] as string;
        const bits = model.lexicon.gazetteer.get(word.toLowerCase()) ?? 0;
        if ((bits & (GAZ.CITY | GAZ.COUNTRY)) === 0 || (model.lexicon.capitalisation.get(word.toLowerCase()) ?? 4) <= 1) continue;
        const start = match.index + match[0].indexOf(word);
        addWhereFree(start, start + word.length, 'LOCATION', this.score * 0.7);
      }
    }
    // An exported chat's senders ("12/04/2025, 19:02 - Tunde: …"), whatever the model read in them.
    for (const person of findChatSenders(text)) {
      replaceWithPerson(person.start, person.end, this.score * 0.8);
    }
    for (const person of findSpelledNames(text)) addWhereFree(person.start, person.end, 'PERSON', this.score * 0.8);
    for (const person of findSignOffs(text, ask)) addWhereFree(person.start, person.end, 'PERSON', this.score * 0.7);
    if (this.handles) {
      HANDLE.lastIndex = 0;
      for (let match = HANDLE.exec(text); match !== null; match = HANDLE.exec(text)) {
        if (CODE_AT_WORDS.has(match[0].slice(1).toLowerCase())) continue;
        addWhereFree(match.index, match.index + match[0].length, 'PERSON', this.score * 0.8);
      }
      if (text.includes('@')) {
        DOTTED_HANDLE.lastIndex = 0;
        for (let match = DOTTED_HANDLE.exec(text); match !== null; match = DOTTED_HANDLE.exec(text)) {
          if (DOMAIN_ENDING.test(match[0])) continue;
          replaceWithPerson(match.index, match.index + match[0].length, this.score * 0.8);
        }
      }
      if (text.includes('u/')) {
        REDDIT_USER.lastIndex = 0;
        for (let match = REDDIT_USER.exec(text); match !== null; match = REDDIT_USER.exec(text)) addWhereFree(match.index, match.index + match[0].length, 'PERSON', this.score * 0.8);
      }
      for (const handle of findSpacedHandles(text, ask)) {
        // The model found the name after "@ ": the at sign belongs to it.
        const index = spans.findIndex((span) => span.start === handle.start + 2 && span.type !== 'AGE');
        const found = spans[index];
        if (found === undefined) addWhereFree(handle.start, handle.end, 'PERSON', this.score * 0.8);
        else {
          spans[index] = { ...found, start: handle.start };
          covered?.fill(1, handle.start, handle.start + 2);
        }
      }
      for (const person of findNameHashtags(text, ask)) addWhereFree(person.start, person.end, 'PERSON', this.score * 0.7);
    }
    const people = spans.filter((span) => span.type === 'PERSON');
    // "Det. Monica Flores #6127", "PC Laura Bentley 4417": an officer's badge number.
    for (const badge of findBadgeNumbers(text, people)) addWhereFree(badge.start, badge.end, 'ID', 0.7);
    if (this.ages) {
      for (const age of ages) {
        spans.push({ start: age.start, end: age.end, type: 'AGE', score: 0.8, detector: this.id });
        covered?.fill(1, age.start, age.end);
      }
      // "Farah Siddiqui (67)", "a daughter, Imani (14)": a number in brackets right after a name.
      for (const person of people) {
        const bracketed = AGE_AFTER_NAME.exec(text.slice(person.end, person.end + 8));
        if (bracketed === null) continue;
        const start = person.end + bracketed[0].indexOf('(') + 1;
        const value = bracketed[1] as string;
        if (Number(value) <= 120) addWhereFree(start, start + value.length, 'AGE', 0.7);
      }
    }
    if (this.nationalities) {
      for (const group of findDemonyms(text)) addWhereFree(group.start, group.end, 'MISC', 0.6);
    }
    if (this.professions) {
      for (const job of findProfessions(text, people)) addWhereFree(job.start, job.end, 'PROFESSION', 0.6);
    }
    return Object.freeze(withoutPartialOverlaps(text, spans.sort((a, b) => a.start - b.start)));
  }
}

/** Removes the spans lying wholly inside `[start, end)`. */
function removeInside(spans: Span[], start: number, end: number): void {
  for (let index = spans.length - 1; index >= 0; index--) {
    const span = spans[index] as Span;
    if (span.start >= start && span.end <= end) spans.splice(index, 1);
  }
}

/**
 * Puts `span` in place of the spans inside it (the pieces the model made of a name the rules
 * read whole). Returns false, changing nothing, when another span straddles one of its edges.
 */
function replaceInside(spans: Span[], span: Span): boolean {
  if (spans.some((other) => other.start < span.end && other.end > span.start && (other.start < span.start || other.end > span.end))) return false;
  removeInside(spans, span.start, span.end);
  spans.push(span);
  return true;
}

/**
 * Two of the model's spans that overlap in part ("Oregon Federal District Court Judge" and
 * "Judge Robert E. Jones") would reach the merge as alternatives, and the loser's words would
 * go out in clear. The shared words go to the person (a title belongs to its name), or else to
 * the span that starts first; the other keeps the rest. Spans are sorted by start.
 */
function withoutPartialOverlaps(text: string, spans: Span[]): Span[] {
  for (let index = 1; index < spans.length; index++) {
    const before = spans[index - 1] as Span;
    const after = spans[index] as Span;
    if (after.start >= before.end || after.end <= before.end) continue;
    if (after.type === 'PERSON' && before.type !== 'PERSON') {
      let end = after.start;
      while (end > before.start && /\s/.test(text[end - 1] as string)) end--;
      spans[index - 1] = { ...before, end };
    } else {
      let start = before.end;
      while (start < after.end && /\s/.test(text[start] as string)) start++;
      spans[index] = { ...after, start };
    }
  }
  return spans.filter((span) => span.end > span.start);
}

const AGE_AFTER_NAME = /^ ?\((\d{1,3})\)/;

/** The built-in NER detector with default options. */
export function createNerDetector(options: NerDetectorOptions = {}): NerDetector {
  return new NerDetector(options);
}
