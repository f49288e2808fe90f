/**
 * The runtime form of a policy: a validated `veil.yaml` document turned into maps and sets that
 * the hot path can use without re-reading the document. A `Policy` is immutable; a reload builds
 * a new one and swaps it in whole, so a request sees one version from start to end.
 * @module
 */
import { createHash } from 'node:crypto';
import type { TokenFormatName } from '../vault/tokens/formats.js';
import { parseDuration, type LlmDetectorDocument, type OnnxModelDocument, type PolicyDocument, type RuleAction, type JwtDocument } from './schema.js';

export interface ApiKeyEntry {
  readonly id: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  /** SHA-256 of the key, raw bytes (compared in constant time). */
  readonly hash: Buffer;
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** Default lifetime of sessions opened by this tenant; undefined: the vault's default. */
  readonly sessionTtlSeconds: number | undefined;
}

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: readonly string[];
  readonly tenantClaim: string;
  readonly rolesClaim: string;
  readonly clockToleranceSeconds: number;
  readonly jwksUrl: string | undefined;
  /** Parsed local JWKS (`{"keys": [...]}`), read when the policy is loaded. */
  readonly jwks: { keys: Record<string, unknown>[] } | undefined;
}

export interface AuthSettings {
  readonly mode: 'required' | 'disabled';
  readonly anonymous: { readonly tenant: string; readonly roles: readonly string[] };
  readonly jwt: JwtSettings | undefined;
}

/** Who may use a provider (named as the gateway names it) and with which key. */
export interface ProviderAccess {
  readonly name: string;
  readonly keyEnv: string | undefined;
  readonly allowCallerKey: boolean;
  /** Undefined: every tenant. */
  readonly tenants: ReadonlySet<string> | undefined;
}

export interface Route {
  readonly id: string;
  readonly path: string;
  /** True when `path` ended in `/*`: it then names a prefix (stored without the `/*`). */
  readonly prefix: boolean;
  readonly tenants: ReadonlySet<string> | undefined;
  readonly roles: ReadonlySet<string> | undefined;
}

export interface CompiledRule {
  readonly id: string;
  /** Position in the file (0-based); the implicit default rule comes last. */
  readonly index: number;
  readonly action: RuleAction;
  /** Token format of `mask` decisions; undefined: the scope's default (placeholder). */
  readonly format: TokenFormatName | undefined;
  readonly rehydrate: boolean;
  readonly entities: ReadonlySet<string> | undefined;
  readonly providers: ReadonlySet<string> | undefined;
  readonly routes: ReadonlySet<string> | undefined;
  readonly tenants: ReadonlySet<string> | undefined;
  readonly roles: ReadonlySet<string> | undefined;
  readonly minScore: number;
  /** Added by Veil because the file's rules do not end with a catch-all. */
  readonly implicit: boolean;
}

export interface DetectorSettings {
  readonly tiers: { readonly rules: boolean; readonly ner: boolean; readonly llm: boolean; readonly custom: boolean };
  readonly disable: ReadonlySet<string>;
  readonly minScore: number;
  readonly thresholds: Readonly<Record<string, number>>;
  readonly allow: { readonly values: readonly string[]; readonly patterns: readonly string[] };
  /** Custom entity definitions as written; the custom-entity module validates them. */
  readonly custom: readonly Readonly<Record<string, unknown>>[];
  /** ONNX models as written, `path` made absolute when the file was read. */
  readonly onnx: readonly OnnxModelDocument[];
  /** The opt-in LLM detector as written; absent when the file has no `detectors.llm`. */
  readonly llm?: LlmDetectorDocument;
}

export interface UnmaskSettings {
  readonly policies: string;
  readonly ratePerMinute: number;
  readonly requireReason: boolean;
}

export interface Policy {
  /** Content hash (sha256 hex of the canonical validated policy sections): the policy version. */
  readonly version: string;
  /** The file it came from; undefined for the built-in default. */
  readonly source: string | undefined;
  readonly builtin: boolean;
  readonly tenants: ReadonlyMap<string, Tenant>;
  /** Keyed by the hex SHA-256 of the key. */
  readonly keysByHash: ReadonlyMap<string, ApiKeyEntry>;
  readonly auth: AuthSettings;
  /** `provider_access`, by provider name. Empty: every provider, keys as the gateway has them. */
  readonly providers: ReadonlyMap<string, ProviderAccess>;
  readonly routes: readonly Route[];
  readonly rules: readonly CompiledRule[];
  readonly detectors: DetectorSettings;
  readonly unmask: UnmaskSettings;
  /** Things worth saying at start (never values): e.g. auth disabled, unknown top-level keys. */
  readonly warnings: readonly string[];
}

/** Id of the rule Veil appends when the file's rules do not end with a catch-all. */
export const DEFAULT_RULE_ID = 'builtin.default';

function setOf(value: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === 'string' ? [value] : value);
}

function tenantSet(values: readonly string[]): ReadonlySet<string> | undefined {
  return values.includes('*') ? undefined : new Set(values);
}

/** JSON with sorted keys, so that key order in the file does not change the version. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function isCatchAll(when: PolicyDocument['rules'][number]['when']): boolean {
  return (
    when.entity === undefined &&
    when.entities === undefined &&
    when.provider === undefined &&
    when.route === undefined &&
    when.tenant === undefined &&
    when.role === undefined &&
    (when.min_score ?? 0) === 0
  );
}

export interface CompileOptions {
  readonly source?: string;
  readonly builtin?: boolean;
  readonly warnings?: readonly string[];
  /** Parsed local JWKS for `auth.jwt.jwks_file`. */
  readonly jwks?: { keys: Record<string, unknown>[] };
}

/** Builds the runtime policy. The document must have passed `validatePolicyDocument`. */
export function compilePolicy(document: PolicyDocument, options: CompileOptions = {}): Policy {
  const policySections = {
    version: document.version,
    tenants: document.tenants,
    auth: document.auth,
    provider_access: document.provider_access,
    routes: document.routes,
    detectors: document.detectors,
    rules: document.rules,
    unmask: document.unmask,
  };
  const version = createHash('sha256').update(canonicalJson(policySections)).digest('hex');

  const tenants = new Map<string, Tenant>();
  const keysByHash = new Map<string, ApiKeyEntry>();
  for (const tenant of document.tenants) {
    const ttl = tenant.session_ttl === undefined ? undefined : parseDuration(tenant.session_ttl);
    tenants.set(tenant.id, { id: tenant.id, name: tenant.name ?? tenant.id, sessionTtlSeconds: ttl });
    for (const key of tenant.keys) {
      if (key.disabled) continue;
      const hex = key.hash.slice('sha256:'.length);
      keysByHash.set(hex, { id: key.id, tenant: tenant.id, roles: key.roles, hash: Buffer.from(hex, 'hex') });
    }
  }
  const hasKeys = document.tenants.some((tenant) => tenant.keys.length > 0);
  const mode = document.auth.mode ?? (hasKeys || document.auth.jwt !== undefined ? 'required' : 'disabled');
  const anonymousTenant = document.auth.anonymous.tenant;
  if (!tenants.has(anonymousTenant) && (mode === 'disabled' || tenants.size === 0)) {
    tenants.set(anonymousTenant, { id: anonymousTenant, name: anonymousTenant, sessionTtlSeconds: undefined });
  }

  const providers = new Map<string, ProviderAccess>();
  for (const [name, provider] of Object.entries(document.provider_access)) {
    providers.set(name, {
      name,
      keyEnv: provider.key_env,
      allowCallerKey: provider.allow_caller_key,
      tenants: tenantSet(provider.tenants),
    });
  }
  const routes: Route[] = document.routes.map((route) => {
    const prefix = route.path.endsWith('/*');
    return {
      id: route.id,
      path: prefix ? route.path.slice(0, -2) : route.path,
      prefix,
      tenants: tenantSet(route.tenants),
      roles: setOf(route.roles),
    };
  });

  const rules: CompiledRule[] = document.rules.map((rule, index) => ({
    id: rule.id,
    index,
    action: rule.action,
    format: rule.format,
    rehydrate: rule.rehydrate,
    entities: setOf(rule.when.entities ?? rule.when.entity),
    providers: setOf(rule.when.provider),
    routes: setOf(rule.when.route),
    tenants: setOf(rule.when.tenant),
    roles: setOf(rule.when.role),
    minScore: rule.when.min_score ?? 0,
    implicit: false,
  }));
  const last = document.rules[document.rules.length - 1];
  if (last === undefined || !isCatchAll(last.when)) {
    rules.push({
      id: DEFAULT_RULE_ID,
      index: rules.length,
      action: 'mask',
      format: undefined,
      rehydrate: true,
      entities: undefined,
      providers: undefined,
      routes: undefined,
      tenants: undefined,
      roles: undefined,
      minScore: 0,
      implicit: true,
    });
  }

  const jwt: JwtDocument | undefined = document.auth.jwt;
  const warnings = [...(options.warnings ?? [])];
  if (mode === 'disabled') {
    warnings.push('auth is disabled: only loopback clients are served, as the anonymous tenant');
  } else if (keysByHash.size === 0 && jwt === undefined) {
    warnings.push('auth is required but no API key or JWT issuer is configured: every request will be refused');
  }

  return {
    version,
    source: options.source,
    builtin: options.builtin ?? false,
    tenants,
    keysByHash,
    auth: {
      mode,
      anonymous: document.auth.anonymous,
      jwt:
        jwt === undefined
          ? undefined
          : {
              issuer: jwt.issuer,
              audience: typeof jwt.audience === 'string' ? [jwt.audience] : jwt.audience,
              algorithms: jwt.algorithms,
              tenantClaim: jwt.tenant_claim,
              rolesClaim: jwt.roles_claim,
              clockToleranceSeconds: jwt.clock_tolerance === undefined ? 0 : (parseDuration(jwt.clock_tolerance) ?? 0),
              jwksUrl: jwt.jwks_url,
              jwks: options.jwks,
            },
    },
    providers,
    routes,
    rules,
    detectors: {
      tiers: document.detectors.tiers,
      disable: new Set(document.detectors.disable),
      minScore: document.detectors.min_score,
      thresholds: document.detectors.thresholds,
      allow: document.detectors.allow,
      custom: document.detectors.custom,
      onnx: document.detectors.onnx,
      ...(document.detectors.llm === undefined ? {} : { llm: document.detectors.llm }),
    },
    unmask: {
      policies: document.unmask.policies,
      ratePerMinute: document.unmask.rate_limit_per_minute,
      requireReason: document.unmask.require_reason,
    },
    warnings,
  };
}
