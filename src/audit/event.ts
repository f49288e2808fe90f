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

export const AUDIT_EVENT_KINDS = ['request', 'cli', 'unmask', 'policy_reload', 'key'] as const;
export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

export const AUDIT_ACTIONS = ['mask', 'redact', 'block', 'allow'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const DETECTOR_TIERS = ['rules', 'custom', 'ner', 'llm'] as const;

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

const ident = z.string().regex(IDENT, 'must be an identifier (letters, digits, . _ : / @ + -), not free text');
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
  })
  .strict();

/** What callers pass to `AuditLog.record`. `id` and `time` are filled in when absent. */
export const auditEventInputSchema = z
  .object({
    kind: z.enum(AUDIT_EVENT_KINDS),
    id: z.uuid().optional(),
    /** ISO-8601 UTC; defaults to the time of `record()`. */
    time: z.iso.datetime().optional(),
    tenant: ident,
    principal: z.object({ key_id: ident.nullable(), role: ident.nullable() }).strict().optional(),
    /** The route template (`/v1/chat/completions`, `/agents/:id/chat`), never the raw URL. */
    route: z.string().regex(ROUTE, 'must be a route template').nullable().optional(),
    provider: ident.nullable().optional(),
    model: ident.nullable().optional(),
    /** Content hash of the policy in force (`veil.yaml`). */
    policy_version: ident.nullable().optional(),
    /** Per entity type, how many spans got each action. */
    entities: z.record(z.string().regex(ENTITY_TYPE, 'must be an entity type name'), actionCounts).optional(),
    detectors: z.array(detectorTiming).optional(),
    /** Ids of the policy rules that decided. */
    rule_ids: z.array(ident).optional(),
    /** Token ids (`EMAIL_1`, `VEIL_EMAIL_k1_3fa9…`): what the model saw, never what they stand for. */
    token_ids: z.array(z.string().regex(TOKEN_ID, 'must be a token id')).optional(),
    leak_gate: z.enum(LEAK_GATE_OUTCOMES).nullable().optional(),
    upstream_status: z.number().int().min(100).max(599).nullable().optional(),
    latency_ms: millis.nullable().optional(),
    request_id: ident.nullable().optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    /** `cli` events: the subcommand (`mask`, `scan`, `report`). */
    command: ident.nullable().optional(),
    /** `unmask` events: how many tokens were asked for and whether it was allowed. */
    unmask: z.object({ allowed: z.boolean(), tokens: count }).strict().nullable().optional(),
    /** `key` events: the operation and the id (never the material) of the key. */
    key: z
      .object({ operation: z.enum(['generate', 'rotate', 'shred', 'load']), key_id: ident })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();

export type AuditEventInput = z.input<typeof auditEventInputSchema>;
export type ActionCounts = z.infer<typeof actionCounts>;
export type DetectorTiming = z.infer<typeof detectorTiming>;

/** An event as stored: every field present (null when not applicable), chained. */
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
  readonly request_id: string | null;
  readonly outcome: AuditOutcome;
  readonly command: string | null;
  readonly unmask: { readonly allowed: boolean; readonly tokens: number } | null;
  readonly key: { readonly operation: 'generate' | 'rotate' | 'shred' | 'load'; readonly key_id: string } | null;
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
    request_id: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    command: z.string().nullable(),
    unmask: z.object({ allowed: z.boolean(), tokens: count }).strict().nullable(),
    key: z
      .object({ operation: z.enum(['generate', 'rotate', 'shred', 'load']), key_id: z.string() })
      .strict()
      .nullable(),
    prev_hash: z.string().regex(HEX64),
    hash: z.string().regex(HEX64),
  })
  .strict();

/**
 * Validates `input` and fills in defaults. Throws `VeilError(BadInput)` naming the field (never
 * its value) when a field is not an identifier, count or enum.
 */
export function prepareEvent(input: AuditEventInput, now: () => Date = () => new Date()): PendingAuditEvent {
  const parsed = auditEventInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? '' : issue.path.join('.');
    throw new VeilError(VeilErrorCode.BadInput, `invalid audit event field '${field}': ${issue?.message ?? 'invalid'}`, {
      data: { field },
    });
  }
  const event = parsed.data;
  const entities: Record<string, ActionCounts> = {};
  for (const [type, counts] of Object.entries(event.entities ?? {})) {
    const clean: ActionCounts = {};
    for (const action of AUDIT_ACTIONS) {
      const value = counts[action];
      if (value !== undefined && value > 0) clean[action] = value;
    }
    entities[type] = clean;
  }
  return {
    v: AUDIT_EVENT_VERSION,
    id: event.id ?? randomUUID(),
    time: event.time ?? now().toISOString(),
    kind: event.kind,
    tenant: event.tenant,
    principal: { key_id: event.principal?.key_id ?? null, role: event.principal?.role ?? null },
    route: event.route ?? null,
    provider: event.provider ?? null,
    model: event.model ?? null,
    policy_version: event.policy_version ?? null,
    entities,
    detectors: event.detectors ?? [],
    rule_ids: event.rule_ids ?? [],
    token_ids: event.token_ids ?? [],
    leak_gate: event.leak_gate ?? null,
    upstream_status: event.upstream_status ?? null,
    latency_ms: event.latency_ms ?? null,
    request_id: event.request_id ?? null,
    outcome: event.outcome ?? 'ok',
    command: event.command ?? null,
    unmask: event.unmask ?? null,
    key: event.key ?? null,
  };
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
      if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item ?? null)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
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
  const body = { ...pending, seq: prev.seq + 1, prev_hash: prev.hash };
  return { ...body, hash: computeEventHash(body) };
}

/** The head of an empty chain. */
export const EMPTY_HEAD = { seq: 0, hash: GENESIS_HASH } as const;
