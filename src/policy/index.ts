/**
 * The policy library: what the gateway, the CLI and the MCP server use to load `veil.yaml`,
 * authenticate callers, route them, decide per span and authorise unmask.
 * @module
 */
export { authenticate, findCredential, isLoopback, type AuthResult, type CredentialHeader, type Principal } from './authenticate.js';
export { allowListOf, buildDetectionEngine, detectionEngineFor, selectDetectors } from './detectors.js';
export { hashApiKey, hashApiKeyHex, KEY_PREFIX, looksLikeVeilKey, newApiKey } from './keys.js';
export { defaultPolicy, formatIssue, loadPolicy, loadPolicyFile, parsePolicy, policyPath, PolicyError, type PolicyIssue } from './load.js';
export { compilePolicy, DEFAULT_RULE_ID, type Policy, type ProviderAccess, type Route, type Tenant } from './policy.js';
export { decideFor, explainSpan, nonRehydratedTypes, type PolicyDecideFn, type PolicyDecision, type RuleContext, type RuleExplanation } from './rules.js';
export { DEFAULT_PROVIDER_ID, matchRoute, resolveRoute, type RouteResult } from './routes.js';
export { checkCedarPolicies, UnmaskAuthorizer, UnmaskRateLimiter, type UnmaskDecision, type UnmaskPrincipal, type UnmaskRequest, type UnmaskResource } from './unmask.js';
export { PolicyWatcher, staticPolicySource, type PolicySource, type ReloadOutcome } from './watch.js';
export { blockedError, PolicyGate, rehydrationScope, statusOf, type Admission, type AdmitRequest } from './gate.js';
export { UnmaskService, type UnmaskReply, type UnmaskServiceOptions } from './unmask-service.js';
