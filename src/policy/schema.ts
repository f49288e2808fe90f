/**
 * The shape of `veil.yaml`'s policy sections, as zod schemas. Keys are snake_case as written in
 * the file; `compilePolicy` turns a validated document into the camelCase runtime form. The
 * other sections of the file (`server`, `upstream`, `pass_through`, `vault`, `audit`, ...) belong
 * to other parts of Veil and are not validated here.
 * @module
 */
import { z } from 'zod';
import { isValidEntityTypeName } from '../core/entities.js';
import { TOKEN_FORMATS } from '../vault/tokens/formats.js';

const DURATION_PATTERN = /^(\d+)\s*(s|m|h|d)$/;
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `30s`, `15m`, `24h`, `7d` → seconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1);
  return seconds > 0 ? seconds : undefined;
}

const duration = z
  .union([z.number(), z.string()])
  .refine((value) => parseDuration(value) !== undefined, {
    message: 'expected a duration such as 30s, 15m, 24h, 7d or a number of seconds',
  });

/** Ids of tenants, keys, providers, routes and rules: readable, stable, safe in logs and Cedar. */
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'expected an id of letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit)',
  });

const entityType = z.string().refine(isValidEntityTypeName, {
  message: 'expected an entity type in upper snake case, e.g. EMAIL or CREDIT_CARD',
});

/** One value or a list of them; `x: a` and `x: [a, b]` both read naturally in YAML. */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1)]);
}

const keyHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, {
  message: "expected 'sha256:' and 64 lower-case hex digits (print one with `veil keys hash KEY`)",
});

export const apiKeySchema = z
  .object({
    id,
    hash: keyHash,
    roles: z.array(id).default([]),
    /** Disabled keys stay in the file (for the audit trail) but authenticate nothing. */
    disabled: z.boolean().default(false),
  })
  .strict();

export const tenantSchema = z
  .object({
    id,
    name: z.string().min(1).optional(),
    keys: z.array(apiKeySchema).default([]),
    session_ttl: duration.optional(),
  })
  .strict();

const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  },
  { message: 'expected an http(s) URL' },
);

const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export const jwtSchema = z
  .object({
    issuer: z.string().min(1),
    audience: oneOrMany(z.string().min(1)),
    jwks_url: httpUrl.optional(),
    /** A local JWKS file (`{"keys": [...]}`), relative to the policy file. */
    jwks_file: z.string().min(1).optional(),
    /** Asymmetric algorithms only: `none` and shared-secret HMAC are never accepted. */
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['RS256', 'ES256', 'EdDSA']),
    /** Claim (dotted path) holding the tenant id. */
    tenant_claim: z.string().min(1).default('tenant'),
    /** Claim (dotted path) holding the roles: an array or a space-separated string. */
    roles_claim: z.string().min(1).default('roles'),
    clock_tolerance: duration.optional(),
  })
  .strict()
  .refine((jwt) => (jwt.jwks_url === undefined) !== (jwt.jwks_file === undefined), {
    message: 'expected exactly one of jwks_url or jwks_file',
  });

export const authSchema = z
  .object({
    /**
     * `required`: every request needs a Veil key or JWT. `disabled`: no credentials, and only
     * loopback clients are served. Unset: `required` as soon as a key or a JWT issuer is
     * configured, else `disabled` (so a file with only gateway settings keeps working locally).
     */
    mode: z.enum(['required', 'disabled']).optional(),
    /** Tenant and roles given to callers when auth is disabled. */
    anonymous: z
      .object({ tenant: id.default('default'), roles: z.array(id).default([]) })
      .strict()
      .default({ tenant: 'default', roles: [] }),
    jwt: jwtSchema.optional(),
  })
  .strict();

/**
 * A provider name as the gateway knows it (`openai`, `anthropic`, `azure`, or a named
 * OpenAI-compatible route such as `vllm`); where it is (`providers.NAME.url`) is the gateway's
 * section, who may use it and with which key is this one.
 */
const providerName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, {
  message: 'expected a provider name in lower case (openai, anthropic, azure, or a route name)',
});

export const providerAccessSchema = z
  .object({
    /** Environment variable holding the provider key (never the key itself). */
    key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'expected an environment variable name' }).optional(),
    /** Whether callers may send their own provider key in `x-veil-provider-key`. */
    allow_caller_key: z.boolean().default(false),
    /** Tenants that may use this provider; `*` for all. */
    tenants: z.array(z.union([id, z.literal('*')])).min(1).default(['*']),
  })
  .strict();

/** Access to request paths; which provider serves a path is the gateway's route table. */
export const routeSchema = z
  .object({
    id,
    /** Exact path, or a prefix ending in `/*` (e.g. `/vllm/*`, `/openai/deployments/*`). */
    path: z.string().regex(/^\/[^\s]*$/, { message: "expected a path starting with '/'" }),
    tenants: z.array(z.union([id, z.literal('*')])).min(1).default(['*']),
    roles: z.array(id).optional(),
  })
  .strict();

/** A bring-your-own ONNX token-classification model (`detect/onnx`); `path` is relative to this file. */
export const onnxModelSchema = z
  .object({
    id: id.optional(),
    path: z.string().min(1),
    /** Model entity name → Veil type, e.g. `{ PER: PERSON, LOC: LOCATION }`; others are ignored. */
    labels: z.record(z.string().min(1), entityType).refine((labels) => Object.keys(labels).length > 0, {
      message: 'expected at least one model label mapped to a Veil type, e.g. { PER: PERSON }',
    }),
    min_score: z.number().min(0).max(1).optional(),
    thresholds: z.record(entityType, z.number().min(0).max(1)).optional(),
    max_length: z.number().int().min(4).max(100_000).optional(),
    overlap: z.number().int().min(0).optional(),
    threads: z.number().int().positive().optional(),
  })
  .strict();

/** An environment variable name: the file names where a key is, never the key. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'expected an environment variable name' });

/**
 * The opt-in LLM detector (`detect/llm`, tier "llm") over an OpenAI-compatible endpoint. The URL
 * is checked when the file is read; nothing contacts it until a request is scanned.
 */
export const llmDetectorSchema = z
  .object({
    id: id.optional(),
    /** Base URL of the OpenAI-compatible API, e.g. Ollama's `http://127.0.0.1:11434/v1`. */
    url: httpUrl.refine(
      (value) => {
        // Runs after httpUrl's check even when that failed, so it must not throw.
        const url = URL.canParse(value) ? new URL(value) : undefined;
        return url === undefined || (url.username === '' && url.password === '');
      },
      { message: 'expected a URL without user:password (put the key in the variable api_key_env names)' },
    ),
    model: z.string().trim().min(1),
    api_key_env: envName.optional(),
    /** Built-in types to ask for. Default PERSON, ORG, LOCATION, ADDRESS. */
    types: z.array(entityType).min(1).optional(),
    /** Custom types described in words, e.g. `{ type: PROJECT_CODE, description: internal project code names }`. */
    custom: z
      .array(z.object({ type: entityType, description: z.string().trim().min(3).max(500) }).strict())
      .default([]),
    timeout_ms: z.number().int().min(50).max(600_000).optional(),
    chunk_size: z.number().int().min(200).max(1_000_000).optional(),
    chunk_overlap: z.number().int().min(0).optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    /** Confidence given to the spans of an answer that names none. Default 0.7. */
    score: z.number().min(0).max(1).optional(),
    /** Entities the model itself scores below this are dropped. */
    min_score: z.number().min(0).max(1).optional(),
    /** Ask for `response_format: json_object`. Default true; turn off for servers that refuse it. */
    json_mode: z.boolean().optional(),
  })
  .strict()
  .refine((llm) => llm.chunk_overlap === undefined || llm.chunk_overlap < (llm.chunk_size ?? 6000), {
    message: 'chunk_overlap must be smaller than chunk_size (default 6000)',
    path: ['chunk_overlap'],
  })
  .refine(
    (llm) => {
      const names = [...(llm.types ?? []), ...llm.custom.map((custom) => custom.type)];
      return new Set(names).size === names.length;
    },
    { message: 'each entity type may be listed once, in types or in custom', path: ['custom'] },
  );

/**
 * Writing an `llm:` section switches the LLM tier on (it is off by default), unless `tiers.llm`
 * is written too: a section that configures the detector should not need a second switch.
 */
function llmTierFollowsSection(raw: unknown): unknown {
  if (!isPlainObject(raw) || raw['llm'] === undefined) return raw;
  const tiers = raw['tiers'];
  if (tiers === undefined) return { ...raw, tiers: { llm: true } };
  if (isPlainObject(tiers) && tiers['llm'] === undefined) return { ...raw, tiers: { ...tiers, llm: true } };
  return raw;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const detectorsObjectSchema = z
  .object({
    tiers: z
      .object({
        rules: z.boolean().default(true),
        ner: z.boolean().default(true),
        llm: z.boolean().default(false),
        custom: z.boolean().default(true),
      })
      .strict()
      .default({ rules: true, ner: true, llm: false, custom: true }),
    /** Detector ids switched off, e.g. `rules.zip`. */
    disable: z.array(z.string().min(1)).default([]),
    min_score: z.number().min(0).max(1).default(0),
    /** Per entity type: spans scoring below are treated as not found. */
    thresholds: z.record(entityType, z.number().min(0).max(1)).default({}),
    allow: z
      .object({
        values: z.array(z.string().min(1)).default([]),
        patterns: z
          .array(
            z.string().refine(
              (pattern) => {
                try {
                  new RegExp(pattern);
                  return true;
                } catch {
                  return false;
                }
              },
              { message: 'expected a valid regular expression' },
            ),
          )
          .default([]),
      })
      .strict()
      .default({ values: [], patterns: [] }),
    /** Custom entities; validated by the custom-entity module, passed through as written. */
    custom: z.array(z.record(z.string(), z.unknown())).default([]),
    onnx: z.array(onnxModelSchema).default([]),
    llm: llmDetectorSchema.optional(),
  })
  .strict();

export const detectorsSchema = z.preprocess(llmTierFollowsSection, detectorsObjectSchema);

export const ACTIONS = ['mask', 'redact', 'block', 'allow'] as const;

export const whenSchema = z
  .object({
    entity: oneOrMany(entityType).optional(),
    entities: z.array(entityType).min(1).optional(),
    provider: oneOrMany(providerName).optional(),
    route: oneOrMany(id).optional(),
    tenant: oneOrMany(id).optional(),
    role: oneOrMany(id).optional(),
    min_score: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((when) => when.entity === undefined || when.entities === undefined, {
    message: 'use either entity or entities, not both',
  });

export const ruleSchema = z
  .object({
    id,
    description: z.string().optional(),
    when: whenSchema.default({}),
    action: z.enum(ACTIONS),
    /**
     * Token format for `mask` (see `vault/tokens/formats.ts`): `placeholder` (default,
     * `<<EMAIL_1>>`), `opaque`, `opaque-siv`, `fpe` (reversible); `hash`, `redact` (one-way).
     */
    format: z.enum(TOKEN_FORMATS).optional(),
    /** `false`: tokens made by this rule are not put back in answers (one-way for the model). */
    rehydrate: z.boolean().default(true),
  })
  .strict()
  .refine((rule) => rule.format === undefined || rule.action === 'mask', {
    message: 'format applies only to action: mask',
    path: ['format'],
  });

export const unmaskSchema = z
  .object({
    /** Cedar policy text. Without any, nobody may unmask. */
    policies: z.string().default(''),
    /** Attempts per key per minute, allowed or not. */
    rate_limit_per_minute: z.number().int().positive().default(60),
    /** Whether a non-empty reason is required before Cedar is asked. */
    require_reason: z.boolean().default(true),
  })
  .strict();

/** Top-level sections this module owns. Others are left to their owners. */
export const POLICY_SECTIONS = ['version', 'tenants', 'auth', 'provider_access', 'routes', 'detectors', 'rules', 'unmask'] as const;

/** Sections other parts of Veil read from the same file. */
export const FOREIGN_SECTIONS = ['server', 'upstream', 'providers', 'pass_through', 'vault', 'audit', 'observability', 'telemetry', 'mcp', 'ui', 'documents'] as const;

export const policyDocumentSchema = z
  .object({
    version: z.literal(1).default(1),
    tenants: z.array(tenantSchema).default([]),
    auth: authSchema.default({ anonymous: { tenant: 'default', roles: [] } }),
    provider_access: z.record(providerName, providerAccessSchema).default({}),
    routes: z.array(routeSchema).default([]),
    detectors: detectorsSchema.default({
      tiers: { rules: true, ner: true, llm: false, custom: true },
      disable: [],
      min_score: 0,
      thresholds: {},
      allow: { values: [], patterns: [] },
      custom: [],
      onnx: [],
    }),
    rules: z.array(ruleSchema).default([]),
    unmask: unmaskSchema.default({ policies: '', rate_limit_per_minute: 60, require_reason: true }),
  })
  .loose();

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type RuleDocument = z.infer<typeof ruleSchema>;
export type OnnxModelDocument = z.infer<typeof onnxModelSchema>;
export type LlmDetectorDocument = z.infer<typeof llmDetectorSchema>;
export type WhenDocument = z.infer<typeof whenSchema>;
export type TenantDocument = z.infer<typeof tenantSchema>;
export type ProviderAccessDocument = z.infer<typeof providerAccessSchema>;
export type RouteDocument = z.infer<typeof routeSchema>;
export type JwtDocument = z.infer<typeof jwtSchema>;
export type RuleAction = (typeof ACTIONS)[number];
