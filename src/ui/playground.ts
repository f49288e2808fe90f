/**
 * `POST /ui/api/playground`: what the gateway would do with a text or chat transcript, without
 * sending anything anywhere: the spans found (type, tier, detector, score), each rule's verdict
 * on each span, the masked text, and the demo upstream's answer rehydrated as the caller would
 * get it. Detectors can be switched off one by one to see what each contributes: the gateway's
 * own and those the policy defines (custom entities, ONNX models, the LLM detector).
 *
 * The text is the viewer's own and is answered to them only; it is not logged, kept or audited
 * (nothing leaves the process). The masking runs in a throw-away in-memory scope.
 * @module
 */
import type { Span } from '../core/span.js';
import type { Detector } from '../detect/detector.js';
import { mask, type MaskedEntity } from '../pipeline/mask.js';
import { buildDetectionEngine, selectDetectors } from '../policy/detectors.js';
import { formatIssue, parsePolicy, PolicyError } from '../policy/load.js';
import type { Policy } from '../policy/policy.js';
import { rehydrationScope } from '../policy/gate.js';
import { decideFor, explainSpan, type RuleContext } from '../policy/rules.js';
import { DemoUpstream } from '../proxy/demo-upstream.js';
import { rehydrate } from '../pipeline/rehydrate.js';
import { MemoryTokenScope } from '../vault/memory-scope.js';
import { renderToken } from '../vault/tokens/formats.js';
import { badInput, forbidden } from './http.js';
import { issuedTokens } from './live-api.js';
import { listDetectors, withDetectorsOff } from './policy-detectors.js';
import type { Viewer } from './viewer.js';

const MAX_TEXT = 100_000;
const ROLES = ['user', 'assistant', 'system', 'tool'] as const;

export interface PlaygroundInput {
  readonly text: string;
  /** `transcript`: one message per line, `role: text`. */
  readonly mode: 'text' | 'transcript';
  readonly tenant?: string;
  readonly roles?: readonly string[];
  readonly provider?: string;
  /** A policy to try instead of the one in force (YAML, as in veil.yaml). */
  readonly policy?: string;
  /** Detector ids switched off for this run. */
  readonly disabled: readonly string[];
}

interface Message {
  readonly role: string;
  readonly content: string;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw badInput(`'${name}' must be a list of strings.`);
  return value as string[];
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badInput(`'${name}' must be a string.`);
  return value;
}

export function parsePlaygroundInput(body: Record<string, unknown>): PlaygroundInput {
  const text = body['text'];
  if (typeof text !== 'string' || text.length > MAX_TEXT) throw badInput(`'text' must be a string of at most ${MAX_TEXT} characters.`);
  const mode = body['mode'] === 'transcript' ? 'transcript' : 'text';
  const tenant = optionalString(body['tenant'], 'tenant');
  const provider = optionalString(body['provider'], 'provider');
  const policy = optionalString(body['policy'], 'policy');
  return {
    text,
    mode,
    disabled: stringList(body['disabled'], 'disabled'),
    ...(body['roles'] === undefined ? {} : { roles: stringList(body['roles'], 'roles') }),
    ...(tenant === undefined ? {} : { tenant }),
    ...(provider === undefined ? {} : { provider }),
    ...(policy === undefined ? {} : { policy }),
  };
}

/** `user: hello` lines; a line without a known role continues the previous message. */
export function parseTranscript(text: string): Message[] {
  const messages: { role: string; content: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(user|assistant|system|tool)\s*:\s?(.*)$/i.exec(line);
    if (match !== null) messages.push({ role: (match[1] as string).toLowerCase(), content: match[2] ?? '' });
    else if (messages.length > 0) (messages[messages.length - 1] as { content: string }).content += `\n${line}`;
    else if (line.trim() !== '') messages.push({ role: 'user', content: line });
  }
  return messages.filter((message) => ROLES.includes(message.role as (typeof ROLES)[number]));
}

export interface PlaygroundOptions {
  readonly policy: () => Policy;
  /** Detectors the gateway runs (rules, NER, custom…), before the policy's own selection. */
  readonly detectors: readonly Detector[];
}

export class Playground {
  private readonly options: PlaygroundOptions;
  private readonly demo = new DemoUpstream();

  constructor(options: PlaygroundOptions) {
    this.options = options;
  }

  /** The detectors (the gateway's and the policy's own) and the contexts the page offers. */
  describe(viewer: Viewer): Record<string, unknown> {
    const policy = this.options.policy();
    return {
      detectors: listDetectors(policy, this.options.detectors),
      tenants: viewer.oversees ? [...policy.tenants.keys()] : [viewer.principal.tenant],
      roles: viewer.oversees ? [...new Set([...policy.keysByHash.values()].flatMap((key) => key.roles))] : viewer.principal.roles,
      providers: policy.providers.size > 0 ? [...policy.providers.keys()] : ['openai', 'anthropic', 'azure', 'gemini', 'ollama', 'bedrock'],
      canPickContext: viewer.oversees,
      principal: { tenant: viewer.principal.tenant, roles: viewer.principal.roles },
    };
  }

  private policyFor(viewer: Viewer, text: string | undefined): Policy {
    if (text === undefined) return this.options.policy();
    if (!viewer.oversees) throw forbidden('Trying another policy needs the admin or auditor role.');
    try {
      return parsePolicy(text, { file: 'pasted policy' });
    } catch (error) {
      if (error instanceof PolicyError) throw badInput(error.issues.map((issue) => formatIssue('pasted policy', issue)).join('\n'));
      throw error;
    }
  }

  async run(viewer: Viewer, input: PlaygroundInput): Promise<Record<string, unknown>> {
    const policy = this.policyFor(viewer, input.policy);
    // Only overseers may look at the policy from another tenant's or role's side.
    const ctx: RuleContext = {
      tenant: viewer.oversees ? (input.tenant ?? viewer.principal.tenant) : viewer.principal.tenant,
      roles: viewer.oversees ? (input.roles ?? viewer.principal.roles) : viewer.principal.roles,
      ...(input.provider === undefined ? {} : { provider: input.provider }),
    };
    const off = new Set(input.disabled);
    // Switched off as if the policy's `detectors.disable` named them: that reaches its own detectors too.
    const trial = withDetectorsOff(policy, off);
    const engine = buildDetectionEngine(trial, this.options.detectors);
    const detectors = listDetectors(policy, this.options.detectors);
    const tierOf = new Map(selectDetectors(policy, this.options.detectors).map((detector) => [detector.id, detector.tier]));
    const messages: Message[] = input.mode === 'transcript' ? parseTranscript(input.text) : [{ role: 'user', content: input.text }];
    const texts = messages.map((message) => message.content);
    const scope = new MemoryTokenScope(ctx.tenant);
    const result = await mask(texts, { engine, scope, decide: decideFor(policy, ctx) });
    const rules = policy.rules.map((rule) => ({ id: rule.id, action: rule.action, rehydrate: rule.rehydrate, implicit: rule.implicit }));
    const row = (textIndex: number, span: Span, entity: MaskedEntity | undefined): Record<string, unknown> => {
      const explanation = explainSpan(policy, ctx, span);
      const skipped = new Map(explanation.skipped.map((skip) => [skip.rule, skip.reason]));
      const decidedAt = rules.findIndex((rule) => rule.id === explanation.decision.rule);
      return {
        textIndex,
        start: span.start,
        end: span.end,
        type: span.type,
        detector: span.detector,
        tier: tierOf.get(span.detector) ?? 'custom',
        score: Math.round(span.score * 1000) / 1000,
        action: explanation.decision.action,
        rule: explanation.decision.rule,
        rehydrate: explanation.decision.rehydrate,
        token: entity?.token === undefined ? null : renderToken(entity.token),
        maskedStart: entity?.maskedStart ?? null,
        maskedEnd: entity?.maskedEnd ?? null,
        // One verdict per rule, in order: what each rule said about this span.
        verdicts: rules.map((rule, index) =>
          rule.id === explanation.decision.rule ? 'decides' : skipped.has(rule.id) ? `skip: ${skipped.get(rule.id)}` : index > decidedAt ? 'not reached' : 'skip',
        ),
      };
    };
    const spans: Record<string, unknown>[] = result.entities.map((entity) => row(entity.textIndex, entity, entity));
    // `allow` spans stay in the text and are not in the mask result: list them too.
    for (const [textIndex, text] of texts.entries()) {
      const found = await engine.detect(text);
      for (const span of found) {
        const masked = result.entities.some((entity) => entity.textIndex === textIndex && entity.start === span.start && entity.end === span.end);
        if (!masked) spans.push(row(textIndex, span, undefined));
      }
    }
    spans.sort((a, b) => (a['textIndex'] as number) - (b['textIndex'] as number) || (a['start'] as number) - (b['start'] as number));
    const blockedTypes = [...new Set(result.blocked.map((entity) => entity.type))];
    const answer = blockedTypes.length > 0 ? null : await this.demoAnswer(messages, result.texts, policy, ctx, scope, result.entities);
    return {
      policy: { version: policy.version, source: input.policy === undefined ? (policy.source ?? 'built-in default policy') : 'pasted policy' },
      context: { tenant: ctx.tenant, roles: ctx.roles ?? [], provider: ctx.provider ?? null },
      detectors: detectors.map((detector) => ({ id: detector.id, tier: detector.tier, source: detector.source, enabled: detector.enabled && !off.has(detector.id) })),
      rules,
      messages: messages.map((message, index) => ({ role: message.role, text: message.content, masked: result.texts[index] ?? '' })),
      // Each token as it stands in the masked text, with its type and format, so the page marks exactly these.
      tokens: issuedTokens(result.entities),
      spans,
      blocked: blockedTypes,
      answer,
    };
  }

  /** What the demo upstream answers to the masked messages, and that answer rehydrated. */
  private async demoAnswer(
    messages: readonly Message[],
    masked: readonly string[],
    policy: Policy,
    ctx: RuleContext,
    scope: MemoryTokenScope,
    entities: readonly MaskedEntity[],
  ): Promise<{ providerSaw: string; rehydrated: string }> {
    const body = JSON.stringify({ model: 'veil-demo', messages: messages.map((message, index) => ({ role: message.role, content: masked[index] ?? '' })) });
    const response = await this.demo.request({ method: 'POST', path: '/v1/chat/completions', headers: {}, body, signal: new AbortController().signal });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { choices?: { message?: { content?: string | null } }[] };
    const providerSaw = parsed.choices?.[0]?.message?.content ?? '';
    const visible = rehydrationScope({ policy, context: ctx }, scope, entities);
    return { providerSaw, rehydrated: rehydrate(providerSaw, visible) };
  }
}
