/**
 * Closed label sets for metrics and span attributes. A label value is either a member of a set
 * fixed in code or configuration (routes, providers, entity types, stages, tiers, actions,
 * status codes) or the word `other`: a value, a token or a request id can never become a label,
 * and cardinality stays bounded whatever clients send.
 * @module
 */
import { AUDIT_STAGES, type AuditStage } from '../audit/event.js';
import { FINE_TYPES, PARENT_TYPES } from '../core/entities.js';

/** The audit event's stage names: metrics, spans and the event's `stage_ms` use one list. */
export const STAGES = AUDIT_STAGES;
export type Stage = AuditStage;

export const TIERS = ['rules', 'custom', 'ner', 'llm'] as const;
export type TierLabel = (typeof TIERS)[number] | 'none';

export const ACTIONS = ['mask', 'redact', 'block', 'allow'] as const;

export const DEFAULT_ROUTES = [
  '/v1/chat/completions',
  '/v1/responses',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/messages',
  '/v1beta/models/:model:generateContent',
  '/v1beta/models/:model:streamGenerateContent',
  '/api/chat',
  '/agents/:id',
  '/v1/veil/audit/verify',
  '/metrics',
] as const;

export const DEFAULT_PROVIDERS = ['openai', 'anthropic', 'gemini', 'ollama', 'azure', 'demo'] as const;

export const OTHER = 'other';

export interface LabelSetsOptions {
  /** Route templates configured in `veil.yaml` (added to the defaults). */
  readonly routes?: readonly string[];
  readonly providers?: readonly string[];
  /** Custom entity types from policy (added to the built-in taxonomy). */
  readonly entityTypes?: readonly string[];
}

export class LabelSets {
  readonly #routes: ReadonlySet<string>;
  readonly #providers: ReadonlySet<string>;
  readonly #types: ReadonlySet<string>;

  constructor(options: LabelSetsOptions = {}) {
    this.#routes = new Set([...DEFAULT_ROUTES, ...(options.routes ?? [])]);
    this.#providers = new Set([...DEFAULT_PROVIDERS, ...(options.providers ?? [])]);
    this.#types = new Set<string>([...PARENT_TYPES, ...Object.keys(FINE_TYPES), ...(options.entityTypes ?? [])]);
  }

  route(value: string | null | undefined): string {
    return value !== null && value !== undefined && this.#routes.has(value) ? value : OTHER;
  }

  provider(value: string | null | undefined): string {
    return value !== null && value !== undefined && this.#providers.has(value) ? value : OTHER;
  }

  /** Unknown entity types count as `CUSTOM`, never under their own name. */
  entityType(value: string): string {
    return this.#types.has(value) ? value : 'CUSTOM';
  }

  status(value: number | null | undefined): string {
    return value !== null && value !== undefined && Number.isInteger(value) && value >= 100 && value <= 599 ? String(value) : OTHER;
  }

  stage(value: string): string {
    return (STAGES as readonly string[]).includes(value) ? value : OTHER;
  }

  tier(value: string | null | undefined): TierLabel {
    return value !== null && value !== undefined && (TIERS as readonly string[]).includes(value) ? (value as TierLabel) : 'none';
  }

  action(value: string): string {
    return (ACTIONS as readonly string[]).includes(value) ? value : OTHER;
  }
}
