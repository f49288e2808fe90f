/**
 * `POST /v1/veil/vault/forget`: the erasure request over HTTP, the same operation as
 * `veil vault forget` (vault/erase.ts).
 *
 *   { "tenant": "acme", "session": "chat-42" }  → that session's tokens and values are deleted
 *   { "tenant": "acme" }                         → every session of the tenant AND its data key
 *                                                  (crypto-shredding)
 *
 * Who may call it: a caller with the `admin` role, for its own tenant; anyone on loopback when
 * auth is disabled (the local demo setup, like `/v1/veil/audit/verify`), for any tenant. No
 * credentials: 401; another role or another tenant: 403. The answer is the counts, and the
 * audit record gets one `vault` event (plus a `key` event when a data key was shredded) with
 * the principal, never a value. Errors use the OpenAI error shape, like every gateway error.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEventInput } from '../audit/event.js';
import { isAuditIdentifier } from '../audit/event.js';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { Principal } from '../policy/authenticate.js';
import { erase, erasureAuditEvents, type ErasureRequest } from '../vault/erase.js';
import type { Vault } from '../vault/vault.js';
import { readRequestBody } from './body.js';

export const VAULT_FORGET_PATH = '/v1/veil/vault/forget';
const ADMIN_ROLE = 'admin';

export interface VaultForgetOptions {
  readonly vault: Vault;
  /** The gateway's authentication of the caller (throws 401/403 refusals itself). */
  readonly identify: (req: IncomingMessage) => Promise<Principal>;
  readonly bodyLimitBytes: number;
  readonly audit?: (event: AuditEventInput) => void;
}

export type VaultForgetHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

export function vaultForgetHandler(options: VaultForgetOptions): VaultForgetHandler {
  return async (req, res, requestId) => {
    const principal = await options.identify(req);
    const who = { key_id: principal.keyId, role: principal.roles.length === 0 ? null : principal.roles.join('+') };
    const refuse = (message: string): never => {
      options.audit?.({
        kind: 'vault',
        tenant: isAuditIdentifier(principal.tenant) ? principal.tenant : 'other',
        principal: who,
        route: VAULT_FORGET_PATH,
        request_id: isAuditIdentifier(requestId) ? requestId : null,
        outcome: 'denied',
      });
      throw new VeilError(VeilErrorCode.Unauthorized, message, { data: { status: 403 } });
    };
    const anonymous = principal.method === 'anonymous';
    if (!anonymous && !principal.roles.includes(ADMIN_ROLE)) {
      req.resume();
      refuse('Erasing vault data needs the admin role.');
    }
    const request = parseRequest(await readRequestBody(req, options.bodyLimitBytes));
    if (!anonymous && request.tenant !== principal.tenant) refuse("An admin may erase only its own tenant's data.");
    const result = await erase(options.vault, request);
    const events = erasureAuditEvents(result, {
      kind: 'vault',
      principal: who,
      route: VAULT_FORGET_PATH,
      request_id: isAuditIdentifier(requestId) ? requestId : null,
    });
    for (const event of events) options.audit?.(event);
    const payload = JSON.stringify({
      object: 'veil.vault.forget',
      tenant: result.tenant,
      session: result.session,
      deleted_entries: result.entries,
      data_key_deleted: result.dataKey,
    });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      'x-request-id': requestId,
    });
    res.end(payload);
  };
}

/** `{tenant, session?}`; errors name the field, never echo a value. */
function parseRequest(raw: Buffer): ErasureRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badInput('Request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('Request body must be a JSON object.');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'tenant' && key !== 'session') throw badInput('Unknown field: the body has only tenant and session.');
  }
  const { tenant, session } = record;
  // Tenants are ids from the policy; one that could not be written to the audit record is refused.
  if (typeof tenant !== 'string' || !isAuditIdentifier(tenant)) throw badInput('tenant must be a tenant id.', 'tenant');
  if (session !== undefined && (typeof session !== 'string' || session === '')) {
    throw badInput('session must be a non-empty string (omit it to erase the whole tenant).', 'session');
  }
  return session === undefined ? { tenant } : { tenant, session };
}

function badInput(message: string, field?: string): VeilError {
  return new VeilError(VeilErrorCode.BadInput, message, field === undefined ? {} : { data: { field } });
}
