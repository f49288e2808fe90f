/**
 * Who is looking at the console and what the policy's roles let them see. The console has no
 * accounts of its own: a viewer is the principal the gateway's auth makes of the request's
 * credential (a `veil_` API key or a JWT), exactly as for `/v1`.
 *
 * - `admin` and `auditor` oversee: every tenant's live rows, the audit explorer and reports, the
 *   policy page. Other roles see their own tenant's rows, the playground and detection page.
 * - Original values are never decided here: revealing them goes through the unmask service, so
 *   the policy's Cedar `unmask` rules decide per token, and every attempt is audited.
 * - With auth disabled (the default demo, loopback only) the anonymous principal oversees.
 * @module
 */
import type { Principal } from '../policy/authenticate.js';
import type { FeedRow } from './request-feed.js';

export const OVERSIGHT_ROLES: ReadonlySet<string> = new Set(['admin', 'auditor']);

export interface Viewer {
  readonly principal: Principal;
  /** Every tenant's rows, the audit explorer, reports and the policy page. */
  readonly oversees: boolean;
  /** Auth is off and the caller is on loopback: the console shows a banner. */
  readonly authDisabled: boolean;
}

export function viewerOf(principal: Principal): Viewer {
  const authDisabled = principal.method === 'anonymous';
  return {
    principal,
    authDisabled,
    oversees: authDisabled || principal.roles.some((role) => OVERSIGHT_ROLES.has(role)),
  };
}

/** Whether `viewer` may see `row` in the live view. */
export function canSeeRow(viewer: Viewer, row: Pick<FeedRow, 'tenant'>): boolean {
  return viewer.oversees || row.tenant === viewer.principal.tenant;
}

/** What the browser is told about the viewer (no credential, ever). */
export function describeViewer(viewer: Viewer): Record<string, unknown> {
  return {
    tenant: viewer.principal.tenant,
    keyId: viewer.principal.keyId,
    roles: viewer.principal.roles,
    method: viewer.principal.method,
    authDisabled: viewer.authDisabled,
    can: { allTenants: viewer.oversees, audit: viewer.oversees, policy: viewer.oversees },
  };
}
