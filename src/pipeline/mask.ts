/**
 * `mask()`: the one place where detected spans become tokens. Every surface (gateway, CLI,
 * MCP, UI) calls this; none of them tokenizes on its own.
 * @module
 */
import type { Span } from '../core/span.js';
import type { DetectionEngine } from '../detect/engine.js';
import type { DetectContext } from '../detect/detector.js';
import type { TokenRequest, TokenScope } from '../vault/token-scope.js';
import { normalizeValue } from '../vault/tokens/normalize.js';
import { renderToken, type TokenFormatName } from '../vault/tokens/formats.js';

/** What policy decided for one span. `mask` is the default. */
export type MaskAction = 'mask' | 'redact' | 'allow' | 'block';

export interface SpanDecision {
  readonly action: MaskAction;
  /** Id of the rule that decided, for audit. */
  readonly rule?: string;
  /**
   * Token format for `mask` (`tokens/formats.ts`): `fpe` for a card that must still look like
   * one, `opaque` for a stable id, … Undefined: the scope's default (placeholder).
   */
  readonly format?: TokenFormatName;
}

export type DecideFn = (span: Span, textIndex: number) => SpanDecision;

export interface MaskOptions {
  readonly engine: DetectionEngine;
  readonly scope: TokenScope;
  readonly decide?: DecideFn;
  readonly context?: DetectContext;
}

/** One replaced span. Carries no raw value, so it may be logged or audited as is. */
export interface MaskedEntity {
  readonly textIndex: number;
  /** Offsets in the original text (UTF-16). */
  readonly start: number;
  readonly end: number;
  /** Offsets of the replacement in the masked text. */
  readonly maskedStart: number;
  readonly maskedEnd: number;
  readonly type: string;
  readonly action: MaskAction;
  /**
   * The token as the scope issued it for masked spans: a placeholder key (`EMAIL_1`) or a
   * format token (`VEIL_EMAIL_…`, an fpe number, `HASH_…`, `[EMAIL]`); undefined for redactions.
   */
  readonly token: string | undefined;
  readonly detector: string;
  readonly score: number;
  readonly rule: string | undefined;
}

export interface MaskResult {
  readonly texts: string[];
  readonly entities: MaskedEntity[];
  /** Spans whose decision was `block` (the request must be refused). */
  readonly blocked: MaskedEntity[];
  /**
   * The raw values replaced in this call, for the leak gate only. Never log, audit or return
   * this field.
   */
  readonly replacedValues: readonly string[];
  /** Where the call's time went, for the request's stage timings. */
  readonly timings: MaskTimings;
}

/** Milliseconds of one `mask()` call: detection, policy decisions, token issue (the vault). */
export interface MaskTimings {
  readonly detectMs: number;
  readonly policyMs: number;
  readonly vaultMs: number;
}

const DEFAULT_DECISION: SpanDecision = { action: 'mask' };

interface Planned {
  textIndex: number;
  span: Span;
  decision: SpanDecision;
  request: TokenRequest | undefined;
}

export function redactionMarker(type: string): string {
  return `[${type}]`;
}

/** Detects and replaces sensitive spans in every text, with one token scope for all of them. */
export function mask(texts: readonly string[], options: MaskOptions): MaskResult | Promise<MaskResult> {
  const started = performance.now();
  const spansPerText: (Span[] | Promise<Span[]>)[] = texts.map((text) =>
    options.engine.detect(text, options.context ?? {}),
  );
  // A name one text gives in full is a name where another repeats it alone (engine.relate).
  if (spansPerText.some((spans) => spans instanceof Promise)) {
    return Promise.all(spansPerText).then((resolved) => tokenizeAll(texts, options.engine.relate(texts, resolved), options, started));
  }
  return tokenizeAll(texts, options.engine.relate(texts, spansPerText as Span[][]), options, started);
}

function tokenizeAll(
  texts: readonly string[],
  spansPerText: readonly Span[][],
  options: MaskOptions,
  started: number,
): MaskResult | Promise<MaskResult> {
  const detected = performance.now();
  const decide = options.decide ?? (() => DEFAULT_DECISION);
  const planned: Planned[] = [];
  const requests: TokenRequest[] = [];
  texts.forEach((text, textIndex) => {
    for (const span of spansPerText[textIndex] ?? []) {
      const decision = decide(span, textIndex);
      if (decision.action === 'allow') continue;
      let request: TokenRequest | undefined;
      if (decision.action === 'mask') {
        const value = text.slice(span.start, span.end);
        const normalized = normalizeValue(span.type, value);
        // Only a policy that names a format adds one: the default path builds the same object as before.
        request = decision.format === undefined ? { type: span.type, value, normalized } : { type: span.type, value, normalized, format: decision.format };
        requests.push(request);
      }
      planned.push({ textIndex, span, decision, request });
    }
  });
  const decided = performance.now();
  const timed = (keys: readonly string[]): MaskResult =>
    assemble(texts, planned, keys, { detectMs: detected - started, policyMs: decided - detected, vaultMs: performance.now() - decided });
  const tokens = options.scope.tokenize(requests);
  return tokens instanceof Promise ? tokens.then(timed) : timed(tokens);
}

function assemble(texts: readonly string[], planned: readonly Planned[], keys: readonly string[], timings: MaskTimings): MaskResult {
  const out = [...texts];
  const entities: MaskedEntity[] = [];
  const blocked: MaskedEntity[] = [];
  const replacedValues = new Set<string>();
  let keyIndex = 0;
  let cursor = 0;
  for (let textIndex = 0; textIndex < texts.length; textIndex++) {
    const text = texts[textIndex] ?? '';
    const parts: string[] = [];
    let last = 0;
    let outLength = 0;
    while (cursor < planned.length && planned[cursor]?.textIndex === textIndex) {
      const { span, decision, request } = planned[cursor] as Planned;
      cursor++;
      const token = request === undefined ? undefined : keys[keyIndex++];
      const replacement =
        token !== undefined ? renderToken(token) : redactionMarker(span.type);
      const before = text.slice(last, span.start);
      parts.push(before, replacement);
      outLength += before.length;
      const entity: MaskedEntity = {
        textIndex,
        start: span.start,
        end: span.end,
        maskedStart: outLength,
        maskedEnd: outLength + replacement.length,
        type: span.type,
        action: decision.action,
        token,
        detector: span.detector,
        score: span.score,
        rule: decision.rule,
      };
      outLength += replacement.length;
      last = span.end;
      replacedValues.add(request?.value ?? text.slice(span.start, span.end));
      if (decision.action === 'block') blocked.push(entity);
      entities.push(entity);
    }
    if (parts.length > 0) {
      parts.push(text.slice(last));
      out[textIndex] = parts.join('');
    }
  }
  return { texts: out, entities, blocked, replacedValues: [...replacedValues], timings };
}
