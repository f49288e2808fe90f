/**
 * Per-agent routes for voice platforms: each voice agent gets its own Veil URL,
 * `/agents/{agentId}/chat/completions` (or `…/v1/chat/completions`), that the platform's
 * "custom LLM" setting points at. The agent entry names the upstream (an OpenAI-compatible
 * provider), the platform, and where the call id is in the request, which becomes the token
 * session, so every turn of a call shares one scope.
 *
 * Voice platforms add their own fields to the chat request (Vapi: `call`, `customer`,
 * `phoneNumber` with the caller's number and the telephony account; ElevenLabs:
 * `elevenlabs_extra_body`). A model provider needs none of them and they carry personal data
 * and secrets, so they are removed before the request leaves.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { isObject, type JsonObject } from './providers/json-text.js';

export type VoicePlatform = 'vapi' | 'elevenlabs' | 'bolna' | 'generic';

export interface AgentConfig {
  /** The upstream: `openai` (default) or a configured provider name (an OpenAI-compatible route, `ollama`). */
  readonly provider: string;
  readonly platform: VoicePlatform;
  /** Dotted path of the call id in the request body; default per platform. */
  readonly sessionField: string | undefined;
  /** Top-level request fields removed before forwarding; default per platform. */
  readonly strip: readonly string[] | undefined;
}

interface PlatformDefaults {
  readonly sessionField: string | undefined;
  readonly strip: readonly string[];
}

/** What each platform sends besides the OpenAI fields (see docs/providers.md). */
const PLATFORMS: Readonly<Record<VoicePlatform, PlatformDefaults>> = {
  vapi: { sessionField: 'call.id', strip: ['call', 'customer', 'phoneNumber', 'metadata', 'assistant', 'timestamp'] },
  elevenlabs: { sessionField: 'elevenlabs_extra_body.conversation_id', strip: ['elevenlabs_extra_body'] },
  bolna: { sessionField: undefined, strip: [] },
  generic: { sessionField: undefined, strip: [] },
};

export const VOICE_PLATFORMS = Object.keys(PLATFORMS) as VoicePlatform[];

const AGENT_PATH = /^\/agents\/([A-Za-z0-9_-]{1,128})(?:\/v1)?\/chat\/completions$/;

/** `/agents/{id}/chat/completions` → the agent id. */
export function agentIdOf(path: string): string | undefined {
  return AGENT_PATH.exec(path)?.[1];
}

/** A session id must be short and printable; anything else is not used as one. */
const SESSION_VALUE = /^[\x21-\x7e]{1,200}$/;

function valueAt(body: JsonObject, dotted: string): unknown {
  let current: unknown = body;
  for (const key of dotted.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export interface PreparedRequest {
  /** The session derived from the call id, when the request carried one. */
  readonly session: string | undefined;
  /** Whether fields were removed (the body must be re-serialised). */
  readonly changed: boolean;
}

/** Derives the session and strips the platform's fields, in place. */
export function prepareAgentRequest(agentId: string, agent: AgentConfig, body: JsonObject): PreparedRequest {
  const defaults = PLATFORMS[agent.platform];
  const field = agent.sessionField ?? defaults.sessionField;
  const callId = field === undefined ? undefined : valueAt(body, field);
  let session: string | undefined;
  if (typeof callId === 'string' || typeof callId === 'number') {
    const value = String(callId);
    if (!SESSION_VALUE.test(value)) throw new VeilError(VeilErrorCode.BadInput, `Invalid call id in '${field ?? ''}'.`, { data: { field } });
    // Agents never share a scope, even when two platforms reuse an id.
    session = `agent:${agentId}:${value}`;
  }
  let changed = false;
  for (const name of agent.strip ?? defaults.strip) {
    if (name in body) {
      delete body[name];
      changed = true;
    }
  }
  return { session, changed };
}
