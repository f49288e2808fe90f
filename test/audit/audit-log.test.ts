import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { AuditSink } from '../../src/audit/audit-sink.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { prepareEvent, type PendingAuditEvent } from '../../src/audit/event.js';
import { loadSigningKey, signingKeyFromPrivate } from '../../src/audit/signing-key.js';
import { JsonlAuditSink } from '../../src/audit/sinks/jsonl.js';
import { summarizeMask } from '../../src/audit/summarize.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'veil-audit-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const newDir = (): string => mkdtempSync(join(root, 'd-'));
const key = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);

/** Wraps a sink: counts batches, can fail the next N appends (before or after storing). */
class FlakySink implements AuditSink {
  readonly name = 'flaky';
  readonly batches: number[] = [];
  failBefore = 0;
  failAfter = 0;
  constructor(readonly inner: AuditSink) {}
  open = () => this.inner.open();
  head = () => this.inner.head();
  readEvents = () => this.inner.readEvents();
  readCheckpoints = () => this.inner.readCheckpoints();
  checkpoint: AuditSink['checkpoint'] = (build) => this.inner.checkpoint(build);
  close = () => this.inner.close();
  async append(events: readonly PendingAuditEvent[]) {
    this.batches.push(events.length);
    if (this.failBefore > 0) {
      this.failBefore -= 1;
      throw new Error('disk full');
    }
    const stored = await this.inner.append(events);
    if (this.failAfter > 0) {
      // Stored, but the caller hears an error: the outcome is unknown to it.
      this.failAfter -= 1;
      throw new Error('connection reset');
    }
    return stored;
  }
}

const request = (i: number) => ({ kind: 'request' as const, tenant: 'acme', request_id: `req-${i}`, entities: { EMAIL: { mask: 1 } } });

describe('AuditLog', () => {
  it('record() returns at once and writes nothing until the batch is flushed', async () => {
    const sink = new FlakySink(new JsonlAuditSink({ dataDir: newDir() }));
    const log = await AuditLog.open({ sink, signingKey: key, flushIntervalMs: 10_000, checkpointIntervalMs: 0 });
    for (let i = 0; i < 10; i += 1) log.record(request(i));
    expect(sink.batches).toEqual([]);
    expect(log.queueDepth).toBe(10);
    await log.flush();
    expect(sink.batches).toEqual([10]);
    expect(log.queueDepth).toBe(0);
    await log.close();
  });

  it('writes in batches of batchSize in the background', async () => {
    const sink = new FlakySink(new JsonlAuditSink({ dataDir: newDir() }));
    const log = await AuditLog.open({ sink, signingKey: key, batchSize: 4, flushIntervalMs: 1, checkpointIntervalMs: 0 });
    for (let i = 0; i < 10; i += 1) log.record(request(i));
    // Waits for the background writes themselves: a fixed 50 ms was too short on a busy machine.
    await vi.waitFor(() => expect(log.stats.written).toBe(10), { timeout: 10_000, interval: 10 });
    expect(sink.batches.every((size) => size <= 4)).toBe(true);
    await log.close();
  });

  it('retries failed writes without losing or duplicating events', async () => {
    const dataDir = newDir();
    const sink = new FlakySink(new JsonlAuditSink({ dataDir }));
    const errors: unknown[] = [];
    const log = await AuditLog.open({ sink, signingKey: key, flushIntervalMs: 1, checkpointIntervalMs: 0, onError: (error) => errors.push(error) });
    sink.failBefore = 1;
    sink.failAfter = 1;
    for (let i = 0; i < 20; i += 1) log.record(request(i));
    // Until the background retries have stored everything (100 ms, then 200 ms apart): after a
    // fixed 400 ms a slow machine could still be in them, and close() then met the failure itself.
    await vi.waitFor(() => expect(log.stats.written).toBe(20), { timeout: 10_000, interval: 10 });
    await log.close();
    expect(errors.length).toBe(2);
    expect(log.stats).toMatchObject({ writeErrors: 2, queued: 0, dropped: 0 });
    const result = await verifyAudit({ sink: new JsonlAuditSink({ dataDir, readOnly: true }), trustedKeys: [key] });
    expect(result).toMatchObject({ ok: true, event_count: 20 });
  });

  it('flush() rejects with the write error and keeps the events for the next try', async () => {
    const sink = new FlakySink(new JsonlAuditSink({ dataDir: newDir() }));
    const log = await AuditLog.open({ sink, signingKey: key, flushIntervalMs: 10_000, checkpointIntervalMs: 0 });
    log.record(request(1));
    sink.failBefore = 1;
    await expect(log.flush()).rejects.toThrow('disk full');
    expect(log.queueDepth).toBe(1);
    await log.flush();
    expect(log.stats.written).toBe(1);
    await log.close();
  });

  it('writes a signed checkpoint every checkpointEvery events and on close', async () => {
    const dataDir = newDir();
    const log = await AuditLog.open({ dataDir, batchSize: 5, flushIntervalMs: 1, checkpointEvery: 10, checkpointIntervalMs: 0 });
    for (let i = 0; i < 25; i += 1) {
      log.record(request(i));
      if (i % 5 === 4) await log.flush();
    }
    await log.close();
    const signing = await loadSigningKey({ dataDir, create: false });
    const result = await verifyAudit({ sink: new JsonlAuditSink({ dataDir, readOnly: true }), trustedKeys: [signing] });
    expect(result.ok).toBe(true);
    expect(result.checkpoints.verified).toBeGreaterThanOrEqual(3);
    expect(result.checkpoints.merkle_roots.at(-1)?.to_seq).toBe(25);
  });

  it('creates the instance signing key with mode 0600 and reuses it', async () => {
    const dataDir = newDir();
    const first = await AuditLog.open({ dataDir });
    await first.close();
    expect(statSync(join(dataDir, 'audit-signing.key')).mode & 0o777).toBe(0o600);
    const second = await AuditLog.open({ dataDir });
    expect(second.signingKey.keyId).toBe(first.signingKey.keyId);
    expect(second.signingKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    await second.close();
  });

  it('refuses free text, unknown fields and bad counts, naming the field but not the value', async () => {
    const log = await AuditLog.open({ sink: new JsonlAuditSink({ dataDir: newDir() }), signingKey: key, checkpointIntervalMs: 0 });
    const attempts: [unknown, string][] = [
      [{ kind: 'request', tenant: 'Maria Lopez lives at 5 Main St' }, 'tenant'],
      [{ kind: 'request', tenant: 'acme', prompt: 'my SSN is 123-45-6789' }, 'prompt'],
      [{ kind: 'request', tenant: 'acme', token_ids: ['maria@example.com'] }, 'token_ids.0'],
      [{ kind: 'request', tenant: 'acme', entities: { 'maria@example.com': { mask: 1 } } }, 'entities'],
      [{ kind: 'request', tenant: 'acme', entities: { EMAIL: { mask: -1 } } }, 'entities.EMAIL.mask'],
      [{ kind: 'request', tenant: 'acme', model: 'gpt 4 with notes' }, 'model'],
      [{ kind: 'request', tenant: 'acme', route: 'https://x.test/v1?q=secret' }, 'route'],
      [{ kind: 'whatever', tenant: 'acme' }, 'kind'],
    ];
    for (const [input, field] of attempts) {
      let caught: unknown;
      try {
        log.record(input as Parameters<AuditLog['record']>[0]);
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toBeInstanceOf(VeilError);
      expect((caught as VeilError).code).toBe(VeilErrorCode.BadInput);
      expect((caught as VeilError).data).toEqual({ field });
      expect((caught as VeilError).message).not.toMatch(/Maria|123-45|maria@|secret|notes/);
    }
    expect(log.queueDepth).toBe(0);
    await log.close();
  });

  it('drops and counts events past maxQueue while storage is down', async () => {
    const sink = new FlakySink(new JsonlAuditSink({ dataDir: newDir() }));
    const log = await AuditLog.open({ sink, signingKey: key, maxQueue: 5, flushIntervalMs: 10_000, checkpointIntervalMs: 0 });
    for (let i = 0; i < 8; i += 1) log.record(request(i));
    expect(log.stats).toMatchObject({ queued: 5, dropped: 3 });
    await log.close();
  });

  it('close() is idempotent and record() after it throws', async () => {
    const log = await AuditLog.open({ dataDir: newDir() });
    await log.close();
    await log.close();
    expect(() => log.record(request(1))).toThrow(/closed/);
  });
});

describe('summarizeMask', () => {
  it('counts per type and action, token ids once each, rule ids, and allowed spans', () => {
    const summary = summarizeMask(
      {
        entities: [
          { type: 'EMAIL', action: 'mask', token: 'EMAIL_1', rule: 'r1' },
          { type: 'EMAIL', action: 'mask', token: 'EMAIL_1', rule: 'r1' },
          { type: 'PERSON', action: 'redact', token: undefined, rule: undefined },
          { type: 'SSN', action: 'block', token: undefined, rule: 'no-ssn' },
        ],
      },
      { PERSON: 2 },
    );
    expect(summary).toEqual({
      entities: { EMAIL: { mask: 2 }, PERSON: { redact: 1, allow: 2 }, SSN: { block: 1 } },
      token_ids: ['EMAIL_1'],
      rule_ids: ['r1', 'no-ssn'],
    });
  });

  it('keeps placeholder, opaque and hash token ids; fpe numbers, [TYPE] markers and over-long tokens only count', () => {
    const tokens = ['CREDIT_CARD_1', 'VEIL_EMAIL_local:ab12_K3J5', 'HASH_SSN_ABCDEF', '4685-7816-4898-7120', '4685 7816 4898 7120', '[EMAIL]', `VEIL_NOTE_k1_S${'A'.repeat(200)}`];
    const summary = summarizeMask({ entities: tokens.map((token) => ({ type: 'CREDIT_CARD', action: 'mask' as const, token, rule: undefined })) });
    expect(summary.token_ids).toEqual(['CREDIT_CARD_1', 'VEIL_EMAIL_local:ab12_K3J5', 'HASH_SSN_ABCDEF']);
    expect(summary.entities).toEqual({ CREDIT_CARD: { mask: 7 } });
    // The event a gateway request makes from it is valid (before, one fpe token voided it).
    expect(() => prepareEvent({ kind: 'request', tenant: 'acme', ...summary })).not.toThrow();
  });
});
