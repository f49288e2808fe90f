/**
 * The audit event: what one request (or CLI run, unmask, policy reload, key operation) leaves in
 * the record, and how events are chained.
 *
 * The event type has no free-text field. Every string is an identifier from a closed or
 * configured set (tenant, route, provider, model, policy version, key id, token id, entity type)
 * and is checked against a strict pattern on `record()`; everything else is a count, a duration,
 * a status code or an enum. A raw value therefore has nowhere to go: a detector guard that tries
 * to spot personal data in arbitrary text cannot be complete, a type without text fields can.
 *
 * One exception, because an unmask is judged by why it was asked for: `unmask.reason`. It holds
 * the caller's reason only as `policy/audit-reason.ts` leaves it (detected spans replaced by
 * their type, numbers and `@` words replaced, one line, at most `AUDIT_REASON_MAX` characters),
 * and `record()` refuses a reason that still has an `@`, a run of five or more digits or a
 * control character. A name that detection misses can still get through; that is the price of
 * keeping the reason at all, and why it is capped short.
 *
 * Chaining: `hash` = SHA-256 (hex) over the canonical JSON (sorted keys, no whitespace) of the
 * event with every field except `hash` itself, `prev_hash` included. The first event links to
 * `GENESIS_HASH`.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { VeilError, VeilErrorCode } from '../core/errors.js';

export const AUDIT_EVENT_VERSION = 1;

/** `prev_hash` of the first event of every chain: SHA-256 of a fixed label, so it is recognisable. */
export const GENESIS_HASH = createHash('sha256').update('veil/audit/genesis/v1').digest('hex');

/** `vault`: an erasure (`forget`) or a TTL purge run by the gateway. */
export const AUDIT_EVENT_KINDS = ['request', 'cli', 'unmask', 'policy_reload', 'key', 'vault'] as const;
export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

export const AUDIT_ACTIONS = ['mask', 'redact', 'block', 'allow'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const DETECTOR_TIERS = ['rules', 'custom', 'ner', 'llm'] as const;

/**
 * How a tier that can fail went (the LLM tier): `ok`, or why the request fell back to the other
 * tiers. An enum, so nothing the model answered can reach the record.
 */
export const DETECTOR_OUTCOMES = ['ok', 'timeout', 'network', 'http', 'malformed'] as const;
export type DetectorOutcome = (typeof DETECTOR_OUTCOMES)[number];

/** Stages of a gateway request whose wall time an event may carry in `stage_ms`. */
export const AUDIT_STAGES = ['auth', 'route', 'extract', 'detect', 'policy', 'vault', 'leak_gate', 'upstream', 'rehydrate', 'audit'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];
export type StageTimings = Readonly<Partial<Record<AuditStage, number>>>;

/** `pass`: checked, nothing found; `tripped`: a masked value was about to leave (request refused). */
export const LEAK_GATE_OUTCOMES = ['pass', 'tripped', 'skipped'] as const;
export type LeakGateOutcome = (typeof LEAK_GATE_OUTCOMES)[number];

/** How the event ended. `denied` is for unmask and key events refused by authorization. */
export const AUDIT_OUTCOMES = ['ok', 'blocked', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

// Identifier patterns. None admits a space, so no sentence, address or name with a space can
// be stored; the tight ones (entity types, token ids) admit no '@' either.
const IDENT = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;
const ROUTE = /^\/[A-Za-z0-9._:/*{}-]{0,127}$/;
const ENTITY_TYPE = /^[A-Z][A-Z0-9_]{0,63}$/;
const TOKEN_ID = /^[A-Za-z0-9_:-]{1,128}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * True when `value` may go into an identifier field (tenant, model, provider, ids). Callers
 * holding client-supplied names (the `model` of a request body) check with this and store
 * `other` instead of throwing.
 */
export function isAuditIdentifier(value: string): boolean {
  return IDENT.test(value);
}

/** True when `value` may go into `token_ids` (placeholder and opaque tokens; not fpe or `[TYPE]`). */
export function isAuditTokenId(value: string): boolean {
  return TOKEN_ID.test(value);
}

/** Longest `unmask.reason` an event keeps. */
export const AUDIT_REASON_MAX = 200;
/** Digits, possibly grouped by separators, the way phone, card and account numbers are written. */
const DIGIT_RUN = /\d(?:[\s\-./()+]*\d)*/g;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * True when `value` may go into `unmask.reason`: short, one line, no `@`, and no number of five
 * or more digits (separators ignored). `auditReason` (policy/audit-reason.ts) produces such text.
 */
export function isAuditReason(value: string): boolean {
  if (value.length > AUDIT_REASON_MAX || value.includes('@') || CONTROL.test(value)) return false;
  for (const run of value.match(DIGIT_RUN) ?? []) if (run.replace(/\D/g, '').length >= 5) return false;
  return true;
}

/** True when `value` may go into `route` (a route template such as `/v1/chat/completions`). */
export function isAuditRoute(value: string): boolean {
  return ROUTE.test(value);
}

const count = z.number().int().nonnegative();
const millis = z.number().nonnegative().finite();


const actionCounts = z
  .object({ mask: count.optional(), redact: count.optional(), block: count.optional(), allow: count.optional() })
  .strict();

const detectorTiming = z
  .object({
    tier: z.enum(DETECTOR_TIERS),
    /** Wall time of this tier over the request's texts, in milliseconds. */
    ms: millis,
    /** Spans this tier produced (before merge). */
    spans: count,
    /** Only on tiers that can fail (llm); absent elsewhere, so older events keep their hash. */
    outcome: z.enum(DETECTOR_OUTCOMES).optional(),
  })
  .strict();

/** What callers pass to `AuditLog.record`. `id` and `time` are filled in when absent. */
export interface AuditEventInput {
  readonly kind: AuditEventKind;
  readonly id?: string;
  /** ISO-8601 UTC; defaults to the time of `record()`. */
  readonly time?: string;
  readonly tenant: string;
  readonly principal?: { readonly key_id: string | null; readonly role: string | null };
  /** The route template (`/v1/chat/completions`, `/agents/:id/chat`), never the raw URL. */
  readonly route?: string | null;
  readonly provider?: string | null;
  readonly model?: string | null;
  /** Content hash of the policy in force (`veil.yaml`). */
  readonly policy_version?: string | null;
  /** Per entity type, how many spans got each action. */
  readonly entities?: Readonly<Record<string, ActionCounts>>;
  readonly detectors?: readonly DetectorTiming[];
  /** Ids of the policy rules that decided. */
  readonly rule_ids?: readonly string[];
  /** Token ids (`EMAIL_1`, `VEIL_EMAIL_k1_3fa9…`): what the model saw, never what they stand for. */
  readonly token_ids?: readonly string[];
  readonly leak_gate?: LeakGateOutcome | null;
  readonly upstream_status?: number | null;
  readonly latency_ms?: number | null;
  /**
   * Milliseconds per stage of the request (`upstream`: request sent to response headers,
   * `rehydrate`: response headers to the last byte written). Stored only when given.
   */
  readonly stage_ms?: StageTimings;
  readonly request_id?: string | null;
  readonly outcome?: AuditOutcome;
  /** `cli` events: the subcommand (`mask`, `scan`, `report`). */
  readonly command?: string | null;
  /**
   * `unmask` events: how many tokens were asked for, whether it was allowed, and the reason
   * given, redacted (see the module comment); absent when none was given.
   */
  readonly unmask?: { readonly allowed: boolean; readonly tokens: number; readonly reason?: string | null } | null;
  /** `key` events: the operation and the id (never the material) of the key. */
  readonly key?: { readonly operation: KeyOperation; readonly key_id: string } | null;
  /**
   * Spans found per entity type without any action taken on them (`veil detect`, `veil scan`),
   * kept apart from `entities` so reports never count them as masked.
   */
  readonly found?: Readonly<Record<string, number>> | null;
  /** Erasure and purge (`vault` events, `veil vault` runs): what was removed, never what it held. */
  readonly vault?: VaultChange | null;
  /** `veil report` runs: the period and tenant filter reported on, and the hashes of the files written. */
  readonly report?: ReportRecord | null;
}

/** What a compliance report covered and what it wrote: times, an identifier and hashes only. */
export interface ReportRecord {
  /** ISO-8601 UTC bounds of the period, as in the report's `period`. */
  readonly from: string;
  readonly to: string;
  /** The `--tenant` filter; null when the report covers every tenant. */
  readonly tenant: string | null;
  /** SHA-256 (hex) of report.json, of its detached signature file and of report.pdf. */
  readonly json_sha256: string;
  readonly signature_sha256: string;
  readonly pdf_sha256: string;
}

export const VAULT_OPERATIONS = ['forget_session', 'forget_tenant', 'purge'] as const;
export type VaultOperation = (typeof VAULT_OPERATIONS)[number];

export interface VaultChange {
  readonly operation: VaultOperation;
  /** The erased session id (an identifier, like the tenant); null for a tenant or a purge. */
  readonly session: string | null;
  /** Vault entries deleted. */
  readonly entries: number;
  /** Whether the tenant's data key was deleted (crypto-shredding). */
  readonly data_key: boolean;
}

export const KEY_OPERATIONS = ['generate', 'rotate', 'shred', 'load'] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

export type ActionCounts = z.infer<typeof actionCounts>;
export type DetectorTiming = z.infer<typeof detectorTiming>;


/**
 * An event as stored: every field present (null when not applicable), chained. The exceptions
 * are `found`, `vault` and `report`, added later: they are present only on the events that carry them, so
 * every event written before them keeps its bytes and its hash.
 */
export interface AuditEvent {
  readonly v: number;
  readonly seq: number;
  readonly id: string;
  readonly time: string;
  readonly kind: AuditEventKind;
  readonly tenant: string;
  readonly principal: { readonly key_id: string | null; readonly role: string | null };
  readonly route: string | null;
  readonly provider: string | null;
  readonly model: string | null;
  readonly policy_version: string | null;
  readonly entities: Readonly<Record<string, ActionCounts>>;
  readonly detectors: readonly DetectorTiming[];
  readonly rule_ids: readonly string[];
  readonly token_ids: readonly string[];
  readonly leak_gate: LeakGateOutcome | null;
  readonly upstream_status: number | null;
  readonly latency_ms: number | null;
  /** Like `found`: present only on events recorded with stage timings, so older hashes hold. */
  readonly stage_ms?: StageTimings | undefined;
  readonly request_id: string | null;
  readonly outcome: AuditOutcome;
  readonly command: string | null;
  readonly unmask: { readonly allowed: boolean; readonly tokens: number; readonly reason?: string | undefined } | null;
  readonly key: { readonly operation: KeyOperation; readonly key_id: string } | null;
  readonly found?: Readonly<Record<string, number>> | undefined;
  readonly vault?: VaultChange | undefined;
  readonly report?: ReportRecord | undefined;
  readonly prev_hash: string;
  readonly hash: string;
}

/** An event validated and completed, not yet placed in a chain. */
export type PendingAuditEvent = Omit<AuditEvent, 'seq' | 'prev_hash' | 'hash'>;

/** Schema of a stored event, for readers (verify, query). Unknown fields are an error. */
export const storedAuditEventSchema = z
  .object({
    v: z.number().int(),
    seq: z.number().int().positive(),
    id: z.string(),
    time: z.string(),
    kind: z.enum(AUDIT_EVENT_KINDS),
    tenant: z.string(),
    principal: z.object({ key_id: z.string().nullable(), role: z.string().nullable() }).strict(),
    route: z.string().nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    policy_version: z.string().nullable(),
    entities: z.record(z.string(), actionCounts),
    detectors: z.array(detectorTiming),
    rule_ids: z.array(z.string()),
    token_ids: z.array(z.string()),
    leak_gate: z.enum(LEAK_GATE_OUTCOMES).nullable(),
    upstream_status: z.number().int().nullable(),
    latency_ms: z.number().nullable(),
    stage_ms: z.partialRecord(z.enum(AUDIT_STAGES), millis).optional(),
    request_id: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    command: z.string().nullable(),
    unmask: z
      .object({ allowed: z.boolean(), tokens: count, reason: z.string().refine(isAuditReason, 'must be a redacted reason').optional() })
      .strict()
      .nullable(),
    key: z
      .object({ operation: z.enum(KEY_OPERATIONS), key_id: z.string() })
      .strict()
      .nullable(),
    found: z.record(z.string(), count).optional(),
    vault: z
      .object({ operation: z.enum(VAULT_OPERATIONS), session: z.string().nullable(), entries: count, data_key: z.boolean() })
      .strict()
      .optional(),
    report: z
      .object({
        from: z.string().regex(ISO_TIME),
        to: z.string().regex(ISO_TIME),
        tenant: z.string().nullable(),
        json_sha256: z.string().regex(HEX64),
        signature_sha256: z.string().regex(HEX64),
        pdf_sha256: z.string().regex(HEX64),
      })
      .strict()
      .optional(),
    prev_hash: z.string().regex(HEX64),
    hash: z.string().regex(HEX64),
  })
  .strict();

/**
 * Validates `input` and fills in defaults. Throws `VeilError(BadInput)` naming the field (never
 * its value) when a field is not an identifier, count or enum.
 */
export function prepareEvent(input: AuditEventInput, now: () => Date = () => new Date()): PendingAuditEvent {
  // Hand-written rather than a zod schema: this runs on the request path, and a plain check is
  // some 50 times faster. Readers of stored events use `storedAuditEventSchema`.
  const check = new InputCheck(input);
  check.keys(input, INPUT_KEYS, '');
  const kind = check.oneOf('kind', input.kind, AUDIT_EVENT_KINDS);
  const id = input.id === undefined ? randomUUID() : check.match('id', input.id, UUID);
  const time = input.time === undefined ? now().toISOString() : check.match('time', input.time, ISO_TIME);
  const principal = input.principal;
  if (principal !== undefined) check.keys(principal, ['key_id', 'role'], 'principal.');
  const entities: Record<string, ActionCounts> = {};
  for (const [type, counts] of Object.entries(input.entities ?? {})) {
    check.match('entities', type, ENTITY_TYPE);
    check.keys(counts, AUDIT_ACTIONS, `entities.${type}.`);
    const clean: ActionCounts = {};
    for (const action of AUDIT_ACTIONS) {
      const value = counts[action];
      if (value !== undefined && check.count(`entities.${type}.${action}`, value) > 0) clean[action] = value;
    }
    entities[type] = clean;
  }
  const detectors = (input.detectors ?? []).map((timing, i) => {
    check.keys(timing, ['tier', 'ms', 'spans', 'outcome'], `detectors.${i}.`);
    const clean: DetectorTiming = {
      tier: check.oneOf(`detectors.${i}.tier`, timing.tier, DETECTOR_TIERS),
      ms: check.millis(`detectors.${i}.ms`, timing.ms),
      spans: check.count(`detectors.${i}.spans`, timing.spans),
    };
    return timing.outcome === undefined ? clean : { ...clean, outcome: check.oneOf(`detectors.${i}.outcome`, timing.outcome, DETECTOR_OUTCOMES) };
  });
  const unmask = input.unmask ?? null;
  if (unmask !== null) {
    check.keys(unmask, ['allowed', 'tokens', 'reason'], 'unmask.');
    if (typeof unmask.allowed !== 'boolean') check.fail('unmask.allowed', 'must be a boolean');
    check.count('unmask.tokens', unmask.tokens);
    const reason = unmask.reason ?? null;
    if (reason !== null && (typeof reason !== 'string' || !isAuditReason(reason))) {
      check.fail('unmask.reason', `must be a redacted reason (policy/audit-reason.ts): at most ${AUDIT_REASON_MAX} characters, no @, no number of 5+ digits`);
    }
  }
  const key = input.key ?? null;
  if (key !== null) {
    check.keys(key, ['operation', 'key_id'], 'key.');
    check.oneOf('key.operation', key.operation, KEY_OPERATIONS);
    check.ident('key.key_id', key.key_id);
  }
  const found: Record<string, number> = {};
  for (const [type, spans] of Object.entries(input.found ?? {})) {
    check.match('found', type, ENTITY_TYPE);
    found[type] = check.count(`found.${type}`, spans);
  }
  const vault = input.vault ?? null;
  if (vault !== null) {
    check.keys(vault, ['operation', 'session', 'entries', 'data_key'], 'vault.');
    check.oneOf('vault.operation', vault.operation, VAULT_OPERATIONS);
    check.optionalIdent('vault.session', vault.session);
    check.count('vault.entries', vault.entries);
    if (typeof vault.data_key !== 'boolean') check.fail('vault.data_key', 'must be a boolean');
  }
  const report = input.report ?? null;
  if (report !== null) {
    check.keys(report, REPORT_KEYS, 'report.');
    check.match('report.from', report.from, ISO_TIME);
    check.match('report.to', report.to, ISO_TIME);
    check.optionalIdent('report.tenant', report.tenant);
    for (const field of ['json_sha256', 'signature_sha256', 'pdf_sha256'] as const) check.match(`report.${field}`, report[field], HEX64);
  }
  let stageMs: Partial<Record<AuditStage, number>> | undefined;
  if (input.stage_ms !== undefined) {
    check.keys(input.stage_ms, AUDIT_STAGES, 'stage_ms.');
    stageMs = {};
    for (const stage of AUDIT_STAGES) {
      const ms = input.stage_ms[stage];
      if (ms !== undefined) stageMs[stage] = check.millis(`stage_ms.${stage}`, ms);
    }
  }
  const status = input.upstream_status ?? null;
  if (status !== null && (!Number.isInteger(status) || status < 100 || status > 599)) check.fail('upstream_status', 'must be an HTTP status');
  return {
    v: AUDIT_EVENT_VERSION,
    id,
    time,
    kind,
    tenant: check.ident('tenant', input.tenant),
    principal: {
      key_id: check.optionalIdent('principal.key_id', principal?.key_id),
      role: check.optionalIdent('principal.role', principal?.role),
    },
    route: input.route === undefined || input.route === null ? null : check.match('route', input.route, ROUTE),
    provider: check.optionalIdent('provider', input.provider),
    model: check.optionalIdent('model', input.model),
    policy_version: check.optionalIdent('policy_version', input.policy_version),
    entities,
    detectors,
    rule_ids: (input.rule_ids ?? []).map((rule, i) => check.ident(`rule_ids.${i}`, rule)),
    token_ids: (input.token_ids ?? []).map((token, i) => check.match(`token_ids.${i}`, token, TOKEN_ID)),
    leak_gate: input.leak_gate === undefined || input.leak_gate === null ? null : check.oneOf('leak_gate', input.leak_gate, LEAK_GATE_OUTCOMES),
    upstream_status: status,
    latency_ms: input.latency_ms === undefined || input.latency_ms === null ? null : check.millis('latency_ms', input.latency_ms),
    ...(stageMs === undefined ? {} : { stage_ms: stageMs }),
    request_id: check.optionalIdent('request_id', input.request_id),
    outcome: input.outcome === undefined ? 'ok' : check.oneOf('outcome', input.outcome, AUDIT_OUTCOMES),
    command: check.optionalIdent('command', input.command),
    // `reason` only when given, so events without one hash as they did before the field existed.
    unmask:
      unmask === null
        ? null
        : { allowed: unmask.allowed, tokens: unmask.tokens, ...(unmask.reason === undefined || unmask.reason === null ? {} : { reason: unmask.reason }) },
    key: key === null ? null : { operation: key.operation, key_id: key.key_id },
    ...(input.found === undefined || input.found === null ? {} : { found }),
    ...(vault === null
      ? {}
      : { vault: { operation: vault.operation, session: vault.session, entries: vault.entries, data_key: vault.data_key } }),
    ...(report === null
      ? {}
      : {
          report: {
            from: report.from,
            to: report.to,
            tenant: report.tenant,
            json_sha256: report.json_sha256,
            signature_sha256: report.signature_sha256,
            pdf_sha256: report.pdf_sha256,
          },
        }),
  };
}

const REPORT_KEYS = ['from', 'to', 'tenant', 'json_sha256', 'signature_sha256', 'pdf_sha256'] as const;

const INPUT_KEYS = [
  'kind', 'id', 'time', 'tenant', 'principal', 'route', 'provider', 'model', 'policy_version', 'entities', 'detectors',
  'rule_ids', 'token_ids', 'leak_gate', 'upstream_status', 'latency_ms', 'stage_ms', 'request_id', 'outcome', 'command', 'unmask', 'key',
  'found', 'vault', 'report',
] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Field checks that throw `VeilError(BadInput)` naming the field, never echoing its value. */
class InputCheck {
  constructor(readonly input: unknown) {
    if (typeof input !== 'object' || input === null) this.fail('', 'the event must be an object');
  }

  fail(field: string, message: string): never {
    throw new VeilError(VeilErrorCode.BadInput, `invalid audit event field '${field}': ${message}`, { data: { field } });
  }

  /** Unknown keys are refused: a field that is not in the type cannot smuggle text in. */
  keys(value: unknown, allowed: readonly string[], prefix: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(prefix.slice(0, -1), 'must be an object');
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(`${prefix}${key}`, 'is not an audit event field');
    }
  }

  match(field: string, value: unknown, pattern: RegExp): string {
    if (typeof value !== 'string' || !pattern.test(value)) this.fail(field, `must match ${pattern.source}, not free text`);
    return value;
  }

  ident(field: string, value: unknown): string {
    return this.match(field, value, IDENT);
  }

  optionalIdent(field: string, value: unknown): string | null {
    return value === undefined || value === null ? null : this.ident(field, value);
  }

  oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) this.fail(field, `must be one of ${allowed.join(', ')}`);
    return value as T;
  }

  count(field: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(field, 'must be a non-negative integer');
    return value;
  }

  millis(field: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.fail(field, 'must be a non-negative number');
    return value;
  }
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped.
 * Only finite numbers are allowed, so the same event always serialises to the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new VeilError(VeilErrorCode.BadInput, 'canonical JSON has no form for a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      // Plain loops: this runs for every event written and every event verified.
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson((value[i] as unknown) ?? null);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new VeilError(VeilErrorCode.BadInput, `canonical JSON has no form for a ${typeof value}`);
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash an event must carry: over every field but `hash`. */
export function computeEventHash(event: object): string {
  const { hash: _hash, ...rest } = event as Record<string, unknown>;
  return sha256Hex(canonicalJson(rest));
}

/** Places a pending event in the chain after `prev`. */
export function sealEvent(pending: PendingAuditEvent, prev: { readonly seq: number; readonly hash: string }): AuditEvent {
  return sealEventLine(pending, prev).event;
}

/**
 * `sealEvent`, plus the sealed event's canonical JSON (what a sink stores), serialising each field
 * once: the hash is taken over the members without `hash`, which is then put in its sorted place.
 */
export function sealEventLine(
  pending: PendingAuditEvent,
  prev: { readonly seq: number; readonly hash: string },
): { readonly event: AuditEvent; readonly canonical: string } {
  const body: Record<string, unknown> = { ...pending, seq: prev.seq + 1, prev_hash: prev.hash };
  const keys = Object.keys(body)
    .filter((key) => key !== 'hash' && body[key] !== undefined)
    .sort();
  const members = keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(body[key])}`);
  const hash = sha256Hex(`{${members.join(',')}}`);
  const at = keys.findIndex((key) => key > 'hash');
  members.splice(at === -1 ? members.length : at, 0, `"hash":${JSON.stringify(hash)}`);
  return { event: { ...body, hash } as unknown as AuditEvent, canonical: `{${members.join(',')}}` };
}

/** The head of an empty chain. */
export const EMPTY_HEAD = { seq: 0, hash: GENESIS_HASH } as const;
