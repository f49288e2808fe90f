/**
 * The conformance suite every `ProviderAdapter` runs (OpenAI chat, Responses, completions,
 * embeddings, Anthropic Messages, Azure, Ollama, Gemini …), over recorded-shape fixtures:
 *
 * - extraction lists every personal value of the request, with paths, and leaves the body alone;
 * - masked texts written back leave no value anywhere in the serialised body, and extracting
 *   the masked body again gives the masked texts (the write-back hit the right fields);
 * - a response with tokens comes back with exactly the values (field by field, JSON-escaped
 *   where the field is JSON);
 * - a stream gives the client the same text whatever the network does: split at every byte
 *   offset, one event per chunk, one byte per chunk; every event keeps its framing;
 * - malformed requests fail with BadInput naming the field.
 *
 * Usage, in `test/proxy/providers/<provider>-contract.test.ts`:
 *   runProviderAdapterContract({ name: 'anthropic.messages', adapter, fixtures, channels });
 */
import { describe, expect, it } from 'vitest';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';
import { Veil } from '../../src/engine.js';
import { applyMasked, type ProviderAdapter, type Rehydration } from '../../src/proxy/providers/provider-adapter.js';
import { formatEvent, SseParser, type SseEvent } from '../../src/proxy/sse.js';
import type { TokenScope } from '../../src/vault/token-scope.js';

export interface ProviderFixture {
  /** What the fixture is, e.g. `tool round trip`. */
  readonly name: string;
  /** A request body as the provider's SDK sends it, with personal values. */
  readonly request: Record<string, unknown>;
  /** The personal values in `request` that must not leave. */
  readonly values: readonly string[];
  /** A response body as the provider sends it, with the tokens the masked request would carry. */
  readonly response?: unknown;
  /** The raw stream as the provider frames it (one string per event, as written on the wire). */
  readonly stream?: readonly string[];
  /** Malformed requests and the field each error must name. */
  readonly invalid?: readonly { readonly body: Record<string, unknown>; readonly field: string }[];
}

/** How a stream is framed: SSE by default; NDJSON (Ollama) one event per line; AWS event stream (binary). */
export interface StreamFraming {
  parse(parts: readonly Buffer[]): SseEvent[];
  format(event: SseEvent): string | Uint8Array;
  /** The wire bytes of one fixture stream item (default: its UTF-8). */
  wire?(item: string): Buffer;
}

export interface ProviderAdapterContractOptions {
  readonly name: string;
  readonly adapter: ProviderAdapter;
  readonly fixtures: readonly ProviderFixture[];
  /**
   * What a client assembles from a stream, by channel (e.g. `choice 0 content`,
   * `block 1 input_json`). Throws on an event the client could not read.
   */
  readonly channels?: (events: readonly SseEvent[]) => Record<string, string>;
  readonly framing?: StreamFraming;
}

export const SSE_FRAMING: StreamFraming = {
  parse(parts) {
    const parser = new SseParser();
    const events: SseEvent[] = [];
    for (const part of parts) events.push(...parser.push(part));
    events.push(...parser.end());
    return events;
  },
  format: formatEvent,
};

const TOKEN = /<<[A-Z][A-Z0-9_]*_\d+>>/g;

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

interface Masked {
  readonly veil: Veil;
  readonly scope: TokenScope;
  readonly rehydration: Rehydration;
  readonly body: Record<string, unknown>;
  readonly texts: readonly string[];
}

async function maskFixture(adapter: ProviderAdapter, fixture: ProviderFixture): Promise<Masked> {
  const veil = new Veil();
  const scope = await veil.openScope();
  const body = copy(fixture.request);
  const extraction = adapter.extract(body);
  const result = await veil.mask(extraction.texts, { scope });
  applyMasked(extraction, result.texts);
  const rehydration: Rehydration = {
    text: (value) => veil.rehydrate(value, scope),
    json: (value) => veil.rehydrate(value, scope, { escape: 'json' }),
    stream: (json) => veil.streamRehydrator(scope, json ? { escape: 'json' } : {}),
  };
  return { veil, scope, rehydration, body, texts: result.texts };
}

function formatAll(framing: StreamFraming, events: readonly SseEvent[]): Buffer {
  return Buffer.concat(events.map((event) => {
    const formatted = framing.format(event);
    return typeof formatted === 'string' ? Buffer.from(formatted) : formatted;
  }));
}

function rewrite(adapter: ProviderAdapter, rehydration: Rehydration, framing: StreamFraming, parts: readonly Buffer[]): Buffer {
  const rewriter = adapter.streamRewriter(rehydration);
  const out: SseEvent[] = [];
  for (const event of framing.parse(parts)) rewriter.event(event, out);
  rewriter.end(out);
  return formatAll(framing, out);
}

export function runProviderAdapterContract(options: ProviderAdapterContractOptions): void {
  const { adapter, framing = SSE_FRAMING } = options;

  describe(`ProviderAdapter contract: ${options.name}`, () => {
    for (const fixture of options.fixtures) {
      describe(fixture.name, () => {
        it('extracts every personal value, with distinct paths, without touching the body', () => {
          const body = copy(fixture.request);
          const extraction = adapter.extract(body);
          expect(body).toEqual(fixture.request);
          expect(extraction.slots).toHaveLength(extraction.texts.length);
          expect(new Set(extraction.slots.map((slot) => slot.path)).size).toBe(extraction.slots.length);
          const joined = extraction.texts.join('\n');
          for (const value of fixture.values) expect(joined, `value ${fixture.values.indexOf(value)} not extracted`).toContain(value);
          extraction.slots.forEach((slot, index) => {
            expect((slot.container as Record<string | number, unknown>)[slot.key]).toBe(extraction.texts[index]);
          });
        });

        it('writes masked texts back: no value left anywhere, the masked fields extract again', async () => {
          const masked = await maskFixture(adapter, fixture);
          const wire = JSON.stringify(masked.body);
          for (const value of fixture.values) {
            expect(wire.includes(value) || wire.includes(JSON.stringify(value).slice(1, -1)), 'a value is still in the body').toBe(false);
          }
          expect(wire).toMatch(TOKEN);
          const again = adapter.extract(copy(masked.body));
          expect(again.texts).toEqual(masked.texts.filter((text) => text.length > 0));
          // The stream flag survives masking.
          expect(adapter.isStream(masked.body)).toBe(adapter.isStream(copy(fixture.request)));
        });

        const response = fixture.response;
        if (response !== undefined) {
          it('rehydrates a whole response: every issued token back to its value, nothing else changed', async () => {
            const masked = await maskFixture(adapter, fixture);
            const serialised = JSON.stringify(response);
            const tokens = serialised.match(TOKEN) ?? [];
            expect(tokens.length, 'the fixture response carries tokens').toBeGreaterThan(0);
            for (const token of tokens) expect(masked.veil.rehydrate(token, masked.scope), `${token} is issued`).not.toBe(token);
            const body: unknown = copy(response);
            adapter.rehydrateResponse(body, masked.rehydration);
            // Adapters whose answers carry no text (embeddings) still rehydrate error bodies.
            expect(body).toEqual(JSON.parse(masked.veil.rehydrate(serialised, masked.scope, { escape: 'json' })));
          });
        }

        const stream = fixture.stream;
        const channels = options.channels;
        if (stream !== undefined && channels !== undefined) {
          const wire = (item: string): Buffer => framing.wire?.(item) ?? Buffer.from(item);
          const items = stream.map(wire);
          const bytes = Buffer.concat(items);

          it('rehydrates the stream with exact framing, whatever the chunking', async () => {
            const masked = await maskFixture(adapter, fixture);
            const upstream = channels(framing.parse([bytes]));
            const expected: Record<string, string> = {};
            for (const [channel, text] of Object.entries(upstream)) expected[channel] = masked.veil.rehydrate(text, masked.scope);
            const tokens = Object.values(upstream).join('').match(TOKEN) ?? [];
            expect(tokens.length, 'the fixture stream carries tokens').toBeGreaterThan(0);
            for (const token of tokens) expect(masked.veil.rehydrate(token, masked.scope), `${token} is issued`).not.toBe(token);
            const check = (output: Buffer, how: string): void => {
              const events = framing.parse([output]);
              // Re-formatting what the client got gives the same bytes: the framing is canonical.
              expect(formatAll(framing, events).equals(output), how).toBe(true);
              const got = channels(events);
              expect(got, how).toEqual(expected);
              expect(output.toString('utf8').match(TOKEN) ?? [], how).toEqual([]);
            };
            const whole = rewrite(adapter, masked.rehydration, framing, [bytes]);
            check(whole, 'one chunk');
            check(rewrite(adapter, masked.rehydration, framing, items), 'one event per chunk');
            const bytewise: Buffer[] = [];
            for (let at = 0; at < bytes.length; at++) bytewise.push(bytes.subarray(at, at + 1));
            check(rewrite(adapter, masked.rehydration, framing, bytewise), 'one byte per chunk');
            for (let at = 1; at < bytes.length; at++) {
              const output = rewrite(adapter, masked.rehydration, framing, [bytes.subarray(0, at), bytes.subarray(at)]);
              if (!output.equals(whole)) check(output, `split at byte ${at}`);
            }
            // Every byte offset of a long binary stream takes a few seconds on a busy machine.
          }, 60_000);
        }

        for (const invalid of fixture.invalid ?? []) {
          it(`rejects a malformed request naming ${invalid.field}`, () => {
            let caught: unknown;
            try {
              adapter.extract(copy(invalid.body));
            } catch (error) {
              caught = error;
            }
            expect(VeilError.isInstance(caught)).toBe(true);
            const error = caught as VeilError;
            expect(error.code).toBe(VeilErrorCode.BadInput);
            expect(error.data?.['field']).toBe(invalid.field);
          });
        }
      });
    }
  });
}
