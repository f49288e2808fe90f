/**
 * Turns what `mask()` returns into the audit event's counting fields. The gateway passes the
 * mask result here instead of building counts itself, so the event can only ever receive types,
 * actions, token ids and rule ids — `MaskedEntity` carries offsets, never values, and
 * `replacedValues` is not read.
 * @module
 */
import type { MaskedEntity } from '../pipeline/mask.js';
import { redactToken } from '../vault/tokens/redact.js';
import { isAuditTokenId, type ActionCounts, type AuditAction } from './event.js';

export interface MaskSummary {
  readonly entities: Record<string, ActionCounts>;
  readonly token_ids: string[];
  readonly rule_ids: string[];
}

/**
 * Counts per entity type and action, the distinct token ids (in first-seen order) and the ids
 * of the rules that decided. `allowed` adds spans that policy let through (mask() drops them
 * from its result), as `{ TYPE: count }`.
 *
 * A span masked with a one-way format (`redact`: `[EMAIL]`, `hash`: `HASH_EMAIL_…`) counts as
 * `redact`, not `mask`: nothing can bring the value back, which is what an auditor asks of the
 * action. The format is read off the token, since a policy rule or the vault's per-type format
 * may have chosen it; every other span keeps its decision's action.
 */
export function summarizeMask(
  result: { readonly entities: readonly Pick<MaskedEntity, 'type' | 'action' | 'token' | 'rule'>[] },
  allowed: Readonly<Record<string, number>> = {},
): MaskSummary {
  const entities: Record<string, Partial<Record<AuditAction, number>>> = {};
  const tokens = new Set<string>();
  const rules = new Set<string>();
  const add = (type: string, action: AuditAction, count: number): void => {
    const counts = (entities[type] ??= {});
    counts[action] = (counts[action] ?? 0) + count;
  };
  for (const entity of result.entities) {
    add(entity.type, entity.action === 'mask' && isOneWayToken(entity.type, entity.token) ? 'redact' : entity.action, 1);
    if (entity.token !== undefined) tokens.add(entity.token);
    if (entity.rule !== undefined) rules.add(entity.rule);
  }
  for (const [type, count] of Object.entries(allowed)) if (count > 0) add(type, 'allow', count);
  return { entities, token_ids: [...tokens].filter(isRecordableTokenId), rule_ids: [...rules] };
}

/** Whether `token` is what the `redact` or `hash` format gives for a value of `type`. */
export function isOneWayToken(type: string, token: string | undefined): boolean {
  if (token === undefined) return false;
  if (token === redactToken(type)) return true;
  return token.startsWith(`HASH_${type}_`) && HASH_TAG.test(token.slice(type.length + 6));
}

/** The tag of a hash token (`tokens/hash.ts`): 26 base32 characters. */
const HASH_TAG = /^[A-Z2-7]{26}$/;

/**
 * Placeholder (`EMAIL_1`), opaque (`VEIL_…`) and hash (`HASH_…`) tokens go into `token_ids`.
 * Left out, but still counted per type: fpe tokens (digits that look like a card or a phone
 * number, which the record must not hold), `[TYPE]` markers (not ids) and SIV tokens too long
 * for the field. Without this filter one such token made the whole request's event invalid.
 */
function isRecordableTokenId(token: string): boolean {
  return isAuditTokenId(token) && /[A-Za-z]/.test(token);
}
