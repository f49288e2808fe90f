/**
 * The gateway records one audit event per request, and every write of the JSONL sink takes a
 * cross-process lock. Events that arrive while a write is running must wait for the next flush
 * (one write per interval under steady load), not be written one or two at a time right after it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { AuditSink, ChainHead } from '../../src/audit/audit-sink.js';
import { EMPTY_HEAD, sealEvent, type AuditEvent, type PendingAuditEvent } from '../../src/audit/event.js';
import { signingKeyFromPrivate } from '../../src/audit/signing-key.js';

const key = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
const event = (i: number) => ({ kind: 'request' as const, tenant: 'acme', request_id: `req-${i}` });

/** An in-memory sink whose writes finish only when the test releases them. */
class GatedSink implements AuditSink {
  readonly name = 'gated';
  readonly batches: number[] = [];
  readonly #waiting: (() => void)[] = [];
  #head: ChainHead = EMPTY_HEAD;
  open = async (): Promise<void> => undefined;
  head = async () => this.#head;
  readEvents = async function* () {};
  readCheckpoints = async function* () {};
  checkpoint = async () => undefined;
  close = async (): Promise<void> => undefined;
  async append(events: readonly PendingAuditEvent[]): Promise<readonly AuditEvent[]> {
    this.batches.push(events.length);
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return events.map((pending) => {
      const sealed = sealEvent(pending, this.#head);
      this.#head = { seq: sealed.seq, hash: sealed.hash };
      return sealed;
    });
  }
  /** Lets every running write finish, then lets their continuations run. */
  async release(): Promise<void> {
    for (const resolve of this.#waiting.splice(0)) resolve();
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('audit batching under steady load', () => {
  it('events recorded during a write wait for the next flush interval instead of a write of their own', async () => {
    vi.useFakeTimers();
    const sink = new GatedSink();
    const log = await AuditLog.open({ sink, signingKey: key, flushIntervalMs: 200, checkpointIntervalMs: 0, checkpointEvery: 0 });
    log.record(event(0));
    await vi.advanceTimersByTimeAsync(200);
    expect(sink.batches).toEqual([1]);
    // The first write is still running: these arrive meanwhile.
    for (let i = 1; i <= 3; i += 1) log.record(event(i));
    await sink.release();
    expect(sink.batches).toEqual([1]);
    expect(log.queueDepth).toBe(3);
    await vi.advanceTimersByTimeAsync(200);
    expect(sink.batches).toEqual([1, 3]);
    await sink.release();
    expect(log.stats.written).toBe(4);
    vi.useRealTimers();
    await log.close();
  });
});
