/**
 * The route table: which provider adapter serves a request path, which upstream it goes to,
 * and the path it takes there. The server consults it once per request; adding a provider is
 * one more entry here and one more adapter, nothing in the hot path.
 *
 * Paths, per provider (the upstream base URL is the one that provider's own SDK takes):
 * - openai: `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`, `/v1/completions`
 *   (the base includes `/v1`, e.g. `https://api.openai.com/v1`)
 * - anthropic: `/v1/messages`, `/v1/messages/count_tokens` → `${base}/v1/messages`
 * - azure: `/openai/deployments/{deployment}/…`, `/openai/v1/…` → `${base}/openai/…`
 * - gemini: `/v1beta/models/{model}:generateContent`, `:streamGenerateContent`, `:countTokens`
 *   → `${base}/v1beta/…` (base `https://generativelanguage.googleapis.com`; the key in
 *   `x-goog-api-key` or `?key=` passes through)
 * - bedrock: `/model/{modelId}/converse`, `/converse-stream` → `${base}/model/…`, re-signed (SigV4)
 * - ollama: `/api/chat`, `/api/generate`, `/api/embed`, `/api/embeddings` → `${base}/api/…`
 *   (base `http://localhost:11434`); its OpenAI-compatible API at `/ollama/v1/…` → `${base}/v1/…`
 * - any other name N (vLLM, llama.cpp, LM Studio …): `/N/v1/…` → OpenAI-compatible `${base}/…`
 * @module
 */
import { anthropicCountTokensAdapter, anthropicMessagesAdapter } from './providers/anthropic/messages.js';
import { bedrockConverseAdapter } from './providers/bedrock/converse.js';
import { geminiCountTokensAdapter, geminiGenerateAdapter } from './providers/gemini/generate-content.js';
import { ollamaChatAdapter, ollamaEmbedAdapter, ollamaGenerateAdapter } from './providers/ollama/native.js';
import { openaiChatAdapter } from './providers/openai/chat-completions.js';
import { openaiCompletionsAdapter } from './providers/openai/completions.js';
import { openaiEmbeddingsAdapter } from './providers/openai/embeddings.js';
import { openaiResponsesAdapter } from './providers/openai/responses.js';
import { agentIdOf, type AgentConfig } from './agents.js';
import type { ProviderAdapter } from './providers/provider-adapter.js';

/** Providers whose paths are Veil's own top-level paths; they get no `/{name}/v1/…` route. */
const TOP_LEVEL_PROVIDERS = new Set(['openai', 'anthropic', 'azure', 'gemini', 'bedrock']);
/** Providers whose upstream base is the API origin (their SDKs take it so), not an OpenAI `/v1` base. */
const ORIGIN_BASE_PROVIDERS = new Set(['anthropic', 'azure', 'gemini', 'ollama', 'bedrock']);

export interface RouteMatch {
  readonly adapter: ProviderAdapter;
  /** `openai`, `anthropic`, `azure`, or the name of an OpenAI-compatible route. */
  readonly provider: string;
  /** The path template, for logs and metrics (no deployment or model names). */
  readonly route: string;
  /** Path and query to request from the provider's upstream. */
  readonly forwardPath: string;
  /** Set on a per-agent route: the agent's session derivation and fields to strip. */
  readonly agent?: { readonly id: string; readonly config: AgentConfig };
}

/** OpenAI API paths under `/v1`, the adapters that serve them. */
export const OPENAI_ROUTES: Readonly<Record<string, ProviderAdapter>> = {
  '/v1/chat/completions': openaiChatAdapter,
  '/v1/responses': openaiResponsesAdapter,
  '/v1/embeddings': openaiEmbeddingsAdapter,
  '/v1/completions': openaiCompletionsAdapter,
};

const ANTHROPIC_ROUTES: Readonly<Record<string, ProviderAdapter>> = {
  '/v1/messages': anthropicMessagesAdapter,
  '/v1/messages/count_tokens': anthropicCountTokensAdapter,
};

/** Azure OpenAI operations by their last path segments (after the deployment, or after `/openai/v1`). */
const AZURE_OPERATIONS: Readonly<Record<string, ProviderAdapter>> = {
  '/chat/completions': openaiChatAdapter,
  '/completions': openaiCompletionsAdapter,
  '/embeddings': openaiEmbeddingsAdapter,
  '/responses': openaiResponsesAdapter,
};

const OLLAMA_ROUTES: Readonly<Record<string, ProviderAdapter>> = {
  '/api/chat': ollamaChatAdapter,
  '/api/generate': ollamaGenerateAdapter,
  '/api/embed': ollamaEmbedAdapter,
  '/api/embeddings': ollamaEmbedAdapter,
};

const GEMINI_METHODS: Readonly<Record<string, ProviderAdapter>> = {
  generateContent: geminiGenerateAdapter,
  streamGenerateContent: geminiGenerateAdapter,
  countTokens: geminiCountTokensAdapter,
};

const GEMINI_MODEL = /^\/(v1beta|v1|v1alpha)\/(models|tunedModels)\/[^/:]+:([A-Za-z]+)$/;

const BEDROCK_MODEL = /^\/model\/[^/]+\/(converse|converse-stream)$/;

const AZURE_DEPLOYMENT = /^\/openai\/deployments\/[^/]+(\/.+)$/;
const NAMED_ROUTE = /^\/([a-z0-9][a-z0-9_-]*)(\/v1\/.+)$/;

export interface RouteTableOptions {
  /** Replaces OpenAI adapters by path (tests use it to simulate an adapter bug). */
  readonly overrides?: Readonly<Record<string, ProviderAdapter>>;
  /** Names of the configured OpenAI-compatible routes (`/N/v1/…`). */
  readonly named?: readonly string[];
  /** Per-agent routes by agent id. */
  readonly agents?: Readonly<Record<string, AgentConfig>>;
}

export class RouteTable {
  private readonly openai: ReadonlyMap<string, ProviderAdapter>;
  private readonly named: ReadonlySet<string>;
  private readonly agents: ReadonlyMap<string, AgentConfig>;

  /** Whether `name` has its own path layout (its upstream base is the API origin, not an OpenAI `/v1` base). */
  static isNative(name: string): boolean {
    return ORIGIN_BASE_PROVIDERS.has(name);
  }

  constructor(options: RouteTableOptions = {}) {
    this.openai = new Map(Object.entries({ ...OPENAI_ROUTES, ...options.overrides }));
    this.agents = new Map(Object.entries(options.agents ?? {}));
    this.named = new Set((options.named ?? []).filter((name) => !TOP_LEVEL_PROVIDERS.has(name)));
  }

  /** The route for a POST to `path` (no query); `url` is the full path and query as received. */
  match(path: string, url: string): RouteMatch | undefined {
    const openai = this.openai.get(path);
    if (openai !== undefined) return { adapter: openai, provider: 'openai', route: path, forwardPath: url };
    const anthropic = ANTHROPIC_ROUTES[path];
    if (anthropic !== undefined) return { adapter: anthropic, provider: 'anthropic', route: path, forwardPath: url };
    if (path.startsWith('/openai/')) return this.azure(path, url);
    if (path.startsWith('/agents/')) return this.agent(path, url);
    const gemini = GEMINI_MODEL.exec(path);
    if (gemini !== null) {
      const adapter = GEMINI_METHODS[gemini[3] ?? ''];
      return adapter === undefined ? undefined : { adapter, provider: 'gemini', route: `/${gemini[1] ?? ''}/${gemini[2] ?? ''}/{model}:${gemini[3] ?? ''}`, forwardPath: url };
    }
    const bedrock = BEDROCK_MODEL.exec(path);
    if (bedrock !== null) return { adapter: bedrockConverseAdapter, provider: 'bedrock', route: `/model/{model}/${bedrock[1] ?? ''}`, forwardPath: url };
    const ollama = OLLAMA_ROUTES[path];
    if (ollama !== undefined) return { adapter: ollama, provider: 'ollama', route: path, forwardPath: url };
    const named = NAMED_ROUTE.exec(path);
    if (named !== null && this.named.has(named[1] ?? '')) {
      const rest = named[2] ?? '';
      const adapter = OPENAI_ROUTES[rest];
      if (adapter === undefined) return undefined;
      const name = named[1] ?? '';
      return { adapter, provider: name, route: `/{route}${rest}`, forwardPath: url.slice(name.length + 1) };
    }
    return undefined;
  }

  /** `/agents/{id}/chat/completions` → the agent's provider, as `/v1/chat/completions`. */
  private agent(path: string, url: string): RouteMatch | undefined {
    const id = agentIdOf(path);
    const config = id === undefined ? undefined : this.agents.get(id);
    if (id === undefined || config === undefined) return undefined;
    const query = url.indexOf('?');
    const forwardPath = `/v1/chat/completions${query === -1 ? '' : url.slice(query)}`;
    return { adapter: this.openai.get('/v1/chat/completions') ?? openaiChatAdapter, provider: config.provider, route: '/agents/{agent}/chat/completions', forwardPath, agent: { id, config } };
  }

  private azure(path: string, url: string): RouteMatch | undefined {
    const deployment = AZURE_DEPLOYMENT.exec(path);
    const operation = deployment !== null ? deployment[1] : path.startsWith('/openai/v1/') ? path.slice('/openai/v1'.length) : path.slice('/openai'.length);
    const adapter = operation === undefined ? undefined : AZURE_OPERATIONS[operation];
    if (adapter === undefined || operation === undefined) return undefined;
    const route = deployment !== null ? `/openai/deployments/{deployment}${operation}` : path;
    return { adapter, provider: 'azure', route, forwardPath: url };
  }
}
