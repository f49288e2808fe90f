/**
 * Erasure requests, one implementation for `veil vault forget` and the gateway's
 * `POST /v1/veil/vault/forget`: a session's entries, or a whole tenant (every entry and its data
 * key, i.e. crypto-shredding), and the audit events that record it — counts and ids, no value.
 * @module
 */
import { createHash } from 'node:crypto';
import type { AuditEventInput } from '../audit/event.js';
import type { Vault } from './vault.js';

export interface ErasureRequest {
  readonly tenant: string;
  /** Only this session; without it, the whole tenant and its data key. */
  readonly session?: string;
}

export interface ErasureResult {
  readonly tenant: string;
  readonly session: string | null;
  /** Vault entries deleted. */
  readonly entries: number;
  /** Whether the tenant's data key was deleted (always false for a session). */
  readonly dataKey: boolean;
  /** Id (never the material) of the data key's wrapping key, when one was deleted. */
  readonly keyId: string | null;
}

export async function erase(vault: Vault, request: ErasureRequest): Promise<ErasureResult> {
  if (request.session !== undefined) {
    const entries = await vault.deleteScope(request.tenant, request.session);
    return { tenant: request.tenant, session: request.session, entries, dataKey: false, keyId: null };
  }
  // One transaction deletes the entries and the key, and tells every replica (see Vault).
  const erased = await vault.eraseTenant(request.tenant);
  return { tenant: request.tenant, session: null, entries: erased.entries, dataKey: erased.dataKey, keyId: erased.keyId };
}

/**
 * A session id as the audit record keeps it: as given when it is a plain id (letters, digits,
 * `._:-`), else `sha256:` and the first 32 hex digits of its hash. Sessions may be derived from a
 * client's `user` field, which can be an e-mail address; the hash still lets an auditor check a
 * known session id against the record.
 */
export function auditSessionId(session: string): string {
  return PLAIN_ID.test(session) ? session : `sha256:${createHash('sha256').update(session, 'utf8').digest('hex').slice(0, 32)}`;
}

const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The events of one erasure: the erasure itself (kind `vault` from the gateway, `cli` from the
 * CLI, with the counts in `vault`), plus a `key` event when a data key was shredded.
 */
export function erasureAuditEvents(
  result: ErasureResult,
  context: Pick<AuditEventInput, 'kind' | 'principal' | 'route' | 'request_id' | 'command'>,
): AuditEventInput[] {
  const tenant = result.tenant;
  const events: AuditEventInput[] = [
    {
      ...context,
      tenant,
      vault: {
        operation: result.session === null ? 'forget_tenant' : 'forget_session',
        session: result.session === null ? null : auditSessionId(result.session),
        entries: result.entries,
        data_key: result.dataKey,
      },
      outcome: 'ok',
    },
  ];
  if (result.keyId !== null) {
    events.push({
      kind: 'key',
      tenant,
      ...(context.principal === undefined ? {} : { principal: context.principal }),
      ...(context.request_id === undefined ? {} : { request_id: context.request_id }),
      key: { operation: 'shred', key_id: result.keyId },
      outcome: 'ok',
    });
  }
  return events;
}
