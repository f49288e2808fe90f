/**
 * Gateway settings: `veil.yaml` (the `server`, `upstream` and `pass_through` sections), then
 * environment, then command-line flags, each overriding the one before. Validated with zod;
 * errors name the file, line and column of the offending key.
 * @module
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { VOICE_PLATFORMS, type AgentConfig } from './agents.js';
import { KEY_ENV } from './keyed-upstream.js';

export interface UpstreamConfig {
  /** OpenAI-compatible base URL, e.g. `https://api.openai.com/v1`. Undefined: demo upstream. */
  readonly url: string | undefined;
  /** Provider key that replaces the client's Authorization header. */
  readonly apiKey: string | undefined;
  readonly connectTimeoutMs: number;
  /** Time to the response headers (for a stream: to its first event). */
  readonly firstByteTimeoutMs: number;
  /** Longest silence between two body chunks. */
  readonly idleTimeoutMs: number;
  /** Keep-alive connections to the upstream, at most. */
  readonly connections: number;
}

/** The gateway's own AWS credentials, for re-signing Bedrock requests. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  /** Default: from the Bedrock host name. */
  readonly region: string | undefined;
}

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  /** Path prefixes forwarded as they are (nothing masked). Empty by default. */
  readonly passThrough: readonly string[];
  readonly upstream: UpstreamConfig;
  /**
   * Base URLs of other providers by name (`anthropic`, `azure`, or an OpenAI-compatible route
   * name such as `vllm`), each as that provider's own SDK takes it. Timeouts are `upstream`'s.
   */
  readonly providers?: Readonly<Record<string, string>>;
  /** Provider keys held by the gateway, by provider name; each replaces the client's credential. */
  readonly providerKeys?: Readonly<Record<string, string>>;
  /** Per-agent routes (`/agents/{id}/chat/completions`) for voice platforms, by agent id. */
  readonly agents?: Readonly<Record<string, AgentConfig>>;
  /** From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION. */
  readonly aws?: AwsCredentials;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  host: '127.0.0.1',
  port: 8787,
  bodyLimitBytes: 10 * 1024 * 1024,
  passThrough: [],
  upstream: {
    url: undefined,
    apiKey: undefined,
    connectTimeoutMs: 10_000,
    firstByteTimeoutMs: 300_000,
    idleTimeoutMs: 120_000,
    connections: 256,
  },
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `512kb`, `1048576` → bytes. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = SIZE_PATTERN.exec(value.trim());
  if (match === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1));
  return bytes > 0 ? bytes : undefined;
}

const positiveMs = z.number().int().positive();
const size = z.union([z.number(), z.string()]).refine((value) => parseSize(value) !== undefined, {
  message: 'expected a size such as 10mb, 512kb or a number of bytes',
});
const urlString = z.string().refine((value) => isHttpUrl(value), { message: 'expected an http(s) URL' });

/** A provider or route name: lower case, digits, `-` and `_` (it becomes a path segment). */
export const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]*$/;

const fileSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        body_limit: size.optional(),
      })
      .strict()
      .optional(),
    upstream: z
      .object({
        url: urlString.optional(),
        api_key: z.string().min(1).optional(),
        connect_timeout_ms: positiveMs.optional(),
        first_byte_timeout_ms: positiveMs.optional(),
        idle_timeout_ms: positiveMs.optional(),
        connections: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    pass_through: z.array(z.string().startsWith('/')).optional(),
    providers: z.record(z.string().regex(PROVIDER_NAME), z.object({ url: urlString, api_key: z.string().min(1).optional() }).strict()).optional(),
    agents: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
        z
          .object({
            provider: z.string().regex(PROVIDER_NAME).optional(),
            platform: z.enum(VOICE_PLATFORMS as [string, ...string[]]).optional(),
            session_field: z.string().min(1).optional(),
            strip: z.array(z.string().min(1)).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  // Other sections (policy, vault, audit) belong to other parts of Veil.
  .loose();

type FileConfig = z.infer<typeof fileSchema>;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function configError(path: string, message: string, line?: number, column?: number): VeilError {
  const where = line === undefined ? path : `${path}:${line}:${column ?? 1}`;
  return new VeilError(VeilErrorCode.Config, `${where}: ${message}`, {
    data: { path, ...(line === undefined ? {} : { line, column }) },
  });
}

/** Reads and validates a config file. Throws VeilError(Config) with line and column. */
export function loadConfigFile(path: string): FileConfig {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw configError(path, `cannot read config file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    const position = lineCounter.linePos(yamlError.pos[0]);
    throw configError(path, `invalid YAML: ${yamlError.code}`, position.line, position.col);
  }
  const parsed = fileSchema.safeParse(document.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keyPath = (issue?.path ?? []).filter((key): key is string | number => typeof key !== 'symbol');
  const dotted = keyPath.join('.') || '(root)';
  // An unknown key is reported on its parent; point at the key's own line instead.
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const lookup = unknownKey === undefined ? keyPath : [...keyPath, unknownKey];
  // Point at the deepest node that exists.
  let node: unknown = undefined;
  for (let depth = lookup.length; depth >= 0 && node === undefined; depth--) {
    node = depth === 0 ? document.contents : document.getIn(lookup.slice(0, depth), true);
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  const position = range === undefined ? undefined : lineCounter.linePos(range[0]);
  return ((): never => {
    throw configError(path, `${dotted}: ${issue?.message ?? 'invalid value'}`, position?.line, position?.col);
  })();
}

export interface ConfigSources {
  readonly file?: FileConfig;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: { host?: string; port?: number; upstream?: string; providers?: Readonly<Record<string, string>> };
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Merges defaults ← file ← environment ← flags, validating what env and flags add. */
export function resolveConfig(sources: ConfigSources = {}): GatewayConfig {
  const file = sources.file ?? {};
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const envPort = envValue(env, 'VEIL_PORT');
  let port = flags.port ?? (envPort === undefined ? undefined : Number(envPort)) ?? file.server?.port ?? DEFAULT_CONFIG.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new VeilError(VeilErrorCode.Config, 'VEIL_PORT / --port: expected a port number 0-65535');
  }
  port = Math.trunc(port);
  const url = flags.upstream ?? envValue(env, 'VEIL_UPSTREAM_URL') ?? file.upstream?.url;
  if (url !== undefined && !isHttpUrl(url)) {
    throw new VeilError(VeilErrorCode.Config, 'VEIL_UPSTREAM_URL / --upstream: expected an http(s) URL');
  }
  const providers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(file.providers ?? {})) providers[name] = entry.url.replace(/\/+$/, '');
  for (const [name, value] of Object.entries(flags.providers ?? {})) {
    if (!PROVIDER_NAME.test(name) || !isHttpUrl(value)) {
      throw new VeilError(VeilErrorCode.Config, `--upstream ${name}=URL: expected a lower-case name and an http(s) URL`);
    }
    providers[name] = value.replace(/\/+$/, '');
  }
  const providerKeys: Record<string, string> = {};
  for (const name of Object.keys(providers)) {
    const variable = KEY_ENV[name];
    const key = (variable === undefined ? undefined : envValue(env, variable)) ?? file.providers?.[name]?.api_key;
    if (key !== undefined) providerKeys[name] = key;
  }
  const agents: Record<string, AgentConfig> = {};
  for (const [id, entry] of Object.entries(file.agents ?? {})) {
    const provider = entry.provider ?? 'openai';
    if (provider !== 'openai' && providers[provider] === undefined) {
      throw new VeilError(VeilErrorCode.Config, `agents.${id}.provider: no upstream is configured for '${provider}'`);
    }
    agents[id] = {
      provider,
      platform: (entry.platform ?? 'generic') as AgentConfig['platform'],
      sessionField: entry.session_field,
      strip: entry.strip,
    };
  }
  const accessKeyId = envValue(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = envValue(env, 'AWS_SECRET_ACCESS_KEY');
  const aws: AwsCredentials | undefined =
    accessKeyId === undefined || secretAccessKey === undefined
      ? undefined
      : { accessKeyId, secretAccessKey, sessionToken: envValue(env, 'AWS_SESSION_TOKEN'), region: envValue(env, 'AWS_REGION') ?? envValue(env, 'AWS_DEFAULT_REGION') };
  const bodyLimit = file.server?.body_limit;
  const up = file.upstream;
  const defaults = DEFAULT_CONFIG.upstream;
  return {
    host: flags.host ?? envValue(env, 'VEIL_HOST') ?? file.server?.host ?? DEFAULT_CONFIG.host,
    port,
    bodyLimitBytes: bodyLimit === undefined ? DEFAULT_CONFIG.bodyLimitBytes : (parseSize(bodyLimit) ?? DEFAULT_CONFIG.bodyLimitBytes),
    passThrough: file.pass_through ?? [],
    upstream: {
      url: url === undefined ? undefined : url.replace(/\/+$/, ''),
      apiKey: envValue(env, 'OPENAI_API_KEY') ?? up?.api_key,
      connectTimeoutMs: up?.connect_timeout_ms ?? defaults.connectTimeoutMs,
      firstByteTimeoutMs: up?.first_byte_timeout_ms ?? defaults.firstByteTimeoutMs,
      idleTimeoutMs: up?.idle_timeout_ms ?? defaults.idleTimeoutMs,
      connections: up?.connections ?? defaults.connections,
    },
    ...(Object.keys(providers).length === 0 ? {} : { providers }),
    ...(Object.keys(providerKeys).length === 0 ? {} : { providerKeys }),
    ...(Object.keys(agents).length === 0 ? {} : { agents }),
    ...(aws === undefined ? {} : { aws }),
  };
}
