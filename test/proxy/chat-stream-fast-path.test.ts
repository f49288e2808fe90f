/**
 * The chat stream rewriter decodes only the content literal of common chunks. Whatever the text,
 * the result must equal the full-parse path, which a spaced JSON layout forces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { openaiChatAdapter } from '../../src/proxy/providers/openai/chat-completions.js';
import type { Rehydration } from '../../src/proxy/providers/provider-adapter.js';
import type { SseEvent } from '../../src/proxy/sse.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import { PII } from './helpers/gateway.js';

const veil = new Veil();
const scope = new MemoryTokenScope();
const rehydration: Rehydration = {
  text: (value) => veil.rehydrate(value, scope),
  json: (value) => veil.rehydrate(value, scope, { escape: 'json' }),
  stream: (json) => veil.streamRehydrator(scope, json ? { escape: 'json' } : {}),
};

function run(pieces: readonly string[], spaced: boolean): string {
  const rewriter = openaiChatAdapter.streamRewriter(rehydration);
  const out: SseEvent[] = [];
  const encode = (value: unknown): string => (spaced ? JSON.stringify(value, null, 1) : JSON.stringify(value));
  for (const piece of pieces) {
    rewriter.event({ event: undefined, data: encode({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }), extra: [] }, out);
  }
  rewriter.event({ event: undefined, data: encode({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), extra: [] }, out);
  rewriter.event({ event: undefined, data: '[DONE]', extra: [] }, out);
  return out
    .filter((event) => event.data !== '[DONE]')
    .map((event) => (JSON.parse(event.data ?? '{}') as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
    .join('');
}

describe('chat stream fast path', () => {
  it('gives the same text as the full parse', async () => {
    const masked = await veil.mask([`${PII.email} ${PII.phone}`], { scope });
    expect(masked.texts[0]).toBe('<<EMAIL_1>> <<PHONE_1>>');
    const alphabet = fc.constantFrom('<<EMAIL_1>>', '<<', 'EMAIL_', '1>>', '[PHONE_1]', 'phone_1', '"', '\\', '\n', 'é', '😀', ' ', 'a', '"content":"', '}');
    fc.assert(
      fc.property(fc.array(fc.array(alphabet, { maxLength: 6 }).map((parts) => parts.join('')), { maxLength: 12 }), (pieces) => {
        const fast = run(pieces, false);
        expect(fast).toBe(run(pieces, true));
        expect(fast).toBe(veil.rehydrate(pieces.join(''), scope));
      }),
      { numRuns: 300 },
    );
  });
});
