/**
 * Custom entities from configuration (tier "custom"): regular expressions with optional
 * validator and context words, keyword / deny lists matched with Aho–Corasick, and NER label
 * mappings that re-type another detector's spans. Built from a plain options object so the
 * policy loader can feed it straight from veil.yaml; invalid definitions fail at start-up with
 * a message naming the entity.
 * @module
 */
import { isValidEntityTypeName, type EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import { hasContext, type ContextWords } from '../context-words.js';
import type { DetectContext, Detector } from '../detector.js';
import { KeywordMatcher } from './aho-corasick.js';
import { VALIDATORS, type Validator } from './validators.js';

interface CommonDefinition {
  /** Entity type to emit, upper snake case (e.g. PROJECT_CODE). */
  readonly type: EntityType;
  /** Confidence of emitted spans. Default 0.9. */
  readonly score?: number;
}

export interface RegexEntityDefinition extends CommonDefinition {
  readonly pattern: string;
  /** Extra regex flags (`i`, `m`, `s`, `u`); `g` is always added. */
  readonly flags?: string;
  /** Capture group holding the value; default the whole match. */
  readonly group?: number;
  /** Name of a validator in `VALIDATORS` (luhn, iban, mod97, aba, nhs, nonzero). */
  readonly validator?: string;
  /** Words that must (or, with `required: false`, may) stand near the value. */
  readonly context?: ContextWords & { readonly required?: boolean; readonly boost?: number };
}

export interface KeywordEntityDefinition extends CommonDefinition {
  /** Values to find, e.g. a deny list of client names or project code names. */
  readonly keywords: readonly string[];
  readonly caseSensitive?: boolean;
  /** Default true. */
  readonly wholeWords?: boolean;
}

export interface NerLabelDefinition extends CommonDefinition {
  /** Type emitted by the NER tier (PERSON, ORG, LOCATION, ...) to re-type. */
  readonly nerLabel: EntityType;
  /** Only spans whose text matches this pattern (case-insensitive) are re-typed. */
  readonly match?: string;
}

export type CustomEntityDefinition = RegexEntityDefinition | KeywordEntityDefinition | NerLabelDefinition;

export interface CustomEntitiesOptions {
  readonly entities: readonly CustomEntityDefinition[];
  /** Extra validators by name, on top of the built-in ones. */
  readonly validators?: Readonly<Record<string, Validator>>;
}

/** A start-up error in a custom entity definition. */
export class CustomEntityError extends Error {
  override readonly name = 'CustomEntityError';
}

interface CompiledRegex {
  readonly type: EntityType;
  readonly score: number;
  readonly regex: RegExp;
  readonly group: number;
  readonly validate: Validator | undefined;
  readonly context: ContextWords | undefined;
  readonly required: boolean;
  readonly boost: number;
}

function isKeyword(definition: CustomEntityDefinition): definition is KeywordEntityDefinition {
  return 'keywords' in definition;
}

function isNerLabel(definition: CustomEntityDefinition): definition is NerLabelDefinition {
  return 'nerLabel' in definition;
}

function checkType(definition: CustomEntityDefinition, index: number): void {
  if (typeof definition.type !== 'string' || !isValidEntityTypeName(definition.type)) {
    throw new CustomEntityError(`custom entity #${index + 1}: type '${String(definition.type)}' must be UPPER_SNAKE_CASE`);
  }
  if (definition.score !== undefined && !(definition.score >= 0 && definition.score <= 1)) {
    throw new CustomEntityError(`custom entity ${definition.type}: score must be between 0 and 1`);
  }
}

/** Regex and keyword entities in one synchronous detector. */
export class CustomEntityDetector implements Detector {
  readonly id: string;
  readonly tier = 'custom' as const;
  readonly types: readonly EntityType[];
  private readonly regexes: readonly CompiledRegex[];
  private readonly keywordGroups: readonly { matcher: KeywordMatcher; type: EntityType; score: number }[];

  constructor(definitions: readonly (RegexEntityDefinition | KeywordEntityDefinition)[], validators: Readonly<Record<string, Validator>>, id = 'custom.entities') {
    this.id = id;
    const regexes: CompiledRegex[] = [];
    const groups: { matcher: KeywordMatcher; type: EntityType; score: number }[] = [];
    definitions.forEach((definition) => {
      const score = definition.score ?? 0.9;
      if (isKeyword(definition)) {
        const keywords = definition.keywords.filter((k) => typeof k === 'string' && k.trim() !== '');
        if (keywords.length === 0) throw new CustomEntityError(`custom entity ${definition.type}: keyword list is empty`);
        groups.push({
          matcher: new KeywordMatcher(keywords, {
            ...(definition.caseSensitive === undefined ? {} : { caseSensitive: definition.caseSensitive }),
            ...(definition.wholeWords === undefined ? {} : { wholeWords: definition.wholeWords }),
          }),
          type: definition.type,
          score,
        });
        return;
      }
      let regex: RegExp;
      const flags = [...new Set(`${(definition.flags ?? '').replace(/[gyd]/g, '')}g`)].join('');
      try {
        regex = new RegExp(definition.pattern, flags);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new CustomEntityError(`custom entity ${definition.type}: invalid pattern: ${reason}`);
      }
      if (regex.test('')) throw new CustomEntityError(`custom entity ${definition.type}: pattern matches the empty string`);
      let validate: Validator | undefined;
      if (definition.validator !== undefined) {
        validate = validators[definition.validator];
        if (validate === undefined) {
          throw new CustomEntityError(
            `custom entity ${definition.type}: unknown validator '${definition.validator}' (known: ${Object.keys(validators).join(', ')})`,
          );
        }
      }
      const context = definition.context;
      if (context !== undefined && (!Array.isArray(context.words) || context.words.length === 0)) {
        throw new CustomEntityError(`custom entity ${definition.type}: context needs at least one word`);
      }
      regexes.push({
        type: definition.type,
        score,
        regex,
        group: definition.group ?? 0,
        validate,
        context,
        required: context?.required ?? true,
        boost: context?.boost ?? 0.1,
      });
    });
    this.regexes = regexes;
    this.keywordGroups = groups;
    this.types = [...new Set([...regexes.map((r) => r.type), ...groups.map((g) => g.type)])];
  }

  detect(text: string): readonly Span[] {
    const spans: Span[] = [];
    for (const rule of this.regexes) {
      rule.regex.lastIndex = 0;
      for (let match = rule.regex.exec(text); match !== null; match = rule.regex.exec(text)) {
        if (match[0].length === 0) {
          rule.regex.lastIndex++;
          continue;
        }
        const value = match[rule.group];
        if (value === undefined || value === '') continue;
        const start = rule.group === 0 ? match.index : match.index + match[0].indexOf(value);
        const end = start + value.length;
        if (rule.validate !== undefined && !rule.validate(value)) continue;
        let score = rule.score;
        if (rule.context !== undefined) {
          const near = hasContext(text, start, end, rule.context);
          if (!near && rule.required) continue;
          if (near && !rule.required) score = Math.min(1, score + rule.boost);
        }
        spans.push({ start, end, type: rule.type, score, detector: this.id });
      }
    }
    for (const group of this.keywordGroups) {
      for (const match of group.matcher.find(text)) {
        spans.push({ start: match.start, end: match.end, type: group.type, score: group.score, detector: this.id });
      }
    }
    return spans.sort((a, b) => a.start - b.start);
  }
}

/**
 * Wraps a detector (normally the NER tier) and re-types its spans: e.g. ORG spans whose text
 * matches /hospital|clinic/ become HEALTHCARE_PROVIDER. Spans no mapping applies to pass through.
 */
export class LabelMappingDetector implements Detector {
  readonly id: string;
  readonly tier: Detector['tier'];
  readonly types: readonly EntityType[];
  private readonly inner: Detector;
  private readonly mappings: readonly { from: EntityType; to: EntityType; match: RegExp | undefined; score: number | undefined }[];

  constructor(inner: Detector, mappings: readonly NerLabelDefinition[]) {
    this.inner = inner;
    this.id = inner.id;
    this.tier = inner.tier;
    this.mappings = mappings.map((mapping) => {
      let match: RegExp | undefined;
      if (mapping.match !== undefined) {
        try {
          match = new RegExp(mapping.match, 'iu');
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new CustomEntityError(`custom entity ${mapping.type}: invalid match pattern: ${reason}`);
        }
      }
      return { from: mapping.nerLabel, to: mapping.type, match, score: mapping.score };
    });
    this.types = [...new Set([...inner.types, ...this.mappings.map((m) => m.to)])];
  }

  detect(text: string, context: DetectContext): readonly Span[] | Promise<readonly Span[]> {
    const result = this.inner.detect(text, context);
    if (result instanceof Promise) return result.then((spans) => this.retype(text, spans));
    return this.retype(text, result as readonly Span[]);
  }

  private retype(text: string, spans: readonly Span[]): Span[] {
    return spans.map((span) => {
      for (const mapping of this.mappings) {
        if (span.type !== mapping.from) continue;
        if (mapping.match !== undefined && !mapping.match.test(text.slice(span.start, span.end))) continue;
        return { ...span, type: mapping.to, score: mapping.score ?? span.score };
      }
      return span;
    });
  }
}

export interface CustomDetectors {
  /** Regex + keyword entities; undefined when none are configured. */
  readonly detector: CustomEntityDetector | undefined;
  /** Wraps the NER (or any) detector with the configured label mappings (identity when none). */
  readonly mapLabels: (detector: Detector) => Detector;
}

/** Validates and compiles custom entity definitions. Throws `CustomEntityError` on bad input. */
export function createCustomDetectors(options: CustomEntitiesOptions): CustomDetectors {
  const validators = { ...VALIDATORS, ...(options.validators ?? {}) };
  const direct: (RegexEntityDefinition | KeywordEntityDefinition)[] = [];
  const mappings: NerLabelDefinition[] = [];
  options.entities.forEach((definition, index) => {
    checkType(definition, index);
    if (isNerLabel(definition)) mappings.push(definition);
    else if (isKeyword(definition) || typeof (definition as RegexEntityDefinition).pattern === 'string') direct.push(definition);
    else throw new CustomEntityError(`custom entity ${definition.type}: needs one of pattern, keywords or nerLabel`);
  });
  return {
    detector: direct.length === 0 ? undefined : new CustomEntityDetector(direct, validators),
    mapLabels: (detector) => (mappings.length === 0 ? detector : new LabelMappingDetector(detector, mappings)),
  };
}
