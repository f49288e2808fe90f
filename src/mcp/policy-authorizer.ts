/**
 * The policy's Cedar unmask rules (`unmask.policies` in veil.yaml) as the MCP tool's authorizer.
 * Cedar decides per token; the tool then restores the permitted tokens and leaves the others as
 * tokens, so a support lead allowed e-mails but not card numbers gets exactly that.
 * @module
 */
import type { UnmaskDecision as PolicyDecision, UnmaskRequest as PolicyRequest } from '../policy/unmask.js';
import type { UnmaskAuthorizer, UnmaskDecision } from './authorizer.js';

/** What the adapter needs from the policy (`UnmaskAuthorizer` of src/policy/unmask.ts). */
export interface PolicyUnmaskRules {
  authorize(request: PolicyRequest): readonly PolicyDecision[];
}

/**
 * @param rules the policy's authorizer for the version in force (the gateway swaps it on reload;
 *   pass a function to always get the current one)
 */
export function policyUnmaskAuthorizer(rules: PolicyUnmaskRules | (() => PolicyUnmaskRules)): UnmaskAuthorizer {
  return {
    authorize: (request): UnmaskDecision => {
      if (request.principal === undefined) {
        return { allowed: false, reason: 'unmasking needs an authenticated caller' };
      }
      const current = typeof rules === 'function' ? rules() : rules;
      const decisions = current.authorize({
        principal: { tenant: request.tenant, keyId: request.principal, roles: [...(request.roles ?? [])] },
        resources: request.tokens.map((token) => ({ tenant: request.tenant, session: request.session, type: token.type, token: token.token })),
        reason: request.justification,
      });
      const permitted = decisions.filter((decision) => decision.allowed);
      const rules_ = [...new Set(decisions.flatMap((decision) => decision.policies))];
      const rule = rules_.length === 0 ? undefined : rules_.join(',');
      if (request.tokens.length > 0 && permitted.length === 0) {
        const outcomes = [...new Set(decisions.map((decision) => decision.outcome))].join(', ');
        return { allowed: false, reason: `denied by the unmask policy (${outcomes})`, ...(rule === undefined ? {} : { rule }) };
      }
      return {
        allowed: true,
        reason: `allowed by the unmask policy for ${permitted.length} of ${request.tokens.length} tokens`,
        tokens: permitted.map((decision) => decision.token),
        ...(rule === undefined ? {} : { rule }),
      };
    },
  };
}
