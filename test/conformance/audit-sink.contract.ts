/**
 * The conformance suite every `AuditSink` adapter runs (JSONL, PostgreSQL ...): chaining,
 * idempotent retries, checkpoints, reopen, concurrent writers, and the tamper tests — one event
 * edited, deleted, reordered or inserted at the start, in the middle and at the end, each of which
 * `verifyAudit` must detect and name.
 *
 * Usage, in `test/audit/<adapter>-sink.test.ts`:
 *   runAuditSinkContract({ name: 'jsonl', create, reopen, rewriteEvents });
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditSink } from '../../src/audit/audit-sink.js';
import { checkpointBuilder } from '../../src/audit/checkpoint.js';
import { computeEventHash, canonicalJson, GENESIS_HASH, prepareEvent, type AuditEventInput, type PendingAuditEvent } from '../../src/audit/event.js';
import { merkleRoot } from '../../src/audit/merkle.js';
import { signingKeyFromPrivate, type SigningKey } from '../../src/audit/signing-key.js';
import { verifyAudit } from '../../src/audit/verify.js';

export interface AuditSinkContractOptions {
  readonly name: string;
  /** A new, opened sink over empty storage. */
  readonly create: () => Promise<AuditSink>;
  /** A new, opened instance over the storage of `sink` (which the suite has closed). */
  readonly reopen: (sink: AuditSink) => Promise<AuditSink>;
  /** A second writer over the same storage while `sink` stays open; omit when the storage has one writer. */
  readonly openSibling?: (sink: AuditSink) => Promise<AuditSink>;
  /** Rewrites the stored event records (canonical JSON lines, chain order), as an attacker with write access could. */
  readonly rewriteEvents: (sink: AuditSink, edit: (lines: string[]) => string[]) => Promise<void>;
  /** Tests (exact titles, see `AUDIT_SINK_TESTS`) this adapter cannot run, and why. */
  readonly skip?: { readonly reason: string; readonly tests: readonly string[] };
}

export const AUDIT_SINK_TESTS = {
  empty: 'an empty sink has the genesis head and nothing to read',
  chain: 'append chains events: seq, prev_hash and hash',
  emptyBatch: 'append of no events stores nothing',
  idempotent: 'a retried batch is not stored twice',
  reopen: 'the chain continues after close and reopen',
  checkpoints: 'checkpoints cover the events since the previous one and are chained',
  verifyOk: 'verify passes on an untouched log and reports counts and roots',
  concurrentOne: 'concurrent appends on one instance keep one chain',
  siblings: 'two writers on the same storage lose and duplicate nothing',
  tamper: 'tampering with one event anywhere is detected and named',
  rehashed: 'an edit with every later hash recomputed is caught by the signed checkpoint',
  truncated: 'deleting the tail covered by a checkpoint is detected',
  untrusted: 'a checkpoint signed by an untrusted key fails',
  window: 'verify over a time window checks only that window',
} as const;

function newKey(): SigningKey {
  return signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
}

let clock = Date.parse('2026-03-01T10:00:00.000Z');
function pending(overrides: Partial<AuditEventInput> = {}): PendingAuditEvent {
  clock += 1000;
  return prepareEvent({
    kind: 'request',
    tenant: 'acme',
    principal: { key_id: 'key_1', role: 'app' },
    route: '/v1/chat/completions',
    provider: 'openai',
    model: 'gpt-4o-mini',
    policy_version: 'sha256:abc',
    entities: { EMAIL: { mask: 1 }, PERSON: { mask: 2, allow: 1 } },
    detectors: [{ tier: 'rules', ms: 0.2, spans: 2 }],
    token_ids: ['EMAIL_1', 'PERSON_1'],
    leak_gate: 'pass',
    upstream_status: 200,
    latency_ms: 12.5,
    request_id: randomUUID(),
    time: new Date(clock).toISOString(),
    ...overrides,
  });
}

function batch(size: number): PendingAuditEvent[] {
  return Array.from({ length: size }, () => pending());
}

/** A well-formed event linking to `after` (hash recomputed): what a forger with write access makes. */
function forge(afterLine: string | undefined): string {
  const after = afterLine === undefined ? { seq: 0, hash: GENESIS_HASH } : (JSON.parse(afterLine) as { seq: number; hash: string });
  const body = { ...pending({ tenant: 'forged' }), seq: after.seq + 1, prev_hash: after.hash };
  return canonicalJson({ ...body, hash: computeEventHash(body) });
}

export function runAuditSinkContract(options: AuditSinkContractOptions): void {
  const skipped = new Set<string>(options.skip?.tests ?? []);
  const opened: AuditSink[] = [];
  const test = (title: string, body: () => Promise<void>, timeout?: number): void => {
    if (skipped.has(title)) it.skip(`${title} (skipped: ${options.skip?.reason ?? ''})`, body);
    else it(title, body, timeout);
  };
  const fresh = async (): Promise<AuditSink> => {
    const sink = await options.create();
    opened.push(sink);
    return sink;
  };
  const reopen = async (sink: AuditSink): Promise<AuditSink> => {
    await sink.close();
    const again = await options.reopen(sink);
    opened.push(again);
    return again;
  };
  /** A sink with `count` events in batches of 4 and a checkpoint at the end. */
  const filled = async (count: number, key = newKey()): Promise<{ sink: AuditSink; key: SigningKey }> => {
    const sink = await fresh();
    const events = batch(count);
    for (let i = 0; i < events.length; i += 4) await sink.append(events.slice(i, i + 4));
    await sink.checkpoint(checkpointBuilder(key));
    return { sink, key };
  };
  const lines = async (sink: AuditSink): Promise<string[]> => {
    const out: string[] = [];
    for await (const record of sink.readEvents()) out.push(record.text);
    return out;
  };

  afterEach(async () => {
    for (const sink of opened.splice(0)) await sink.close();
  });

  describe(`AuditSink contract: ${options.name}`, () => {
    test(AUDIT_SINK_TESTS.empty, async () => {
      const sink = await fresh();
      expect(await sink.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
      expect(await lines(sink)).toEqual([]);
      expect(await sink.checkpoint(checkpointBuilder(newKey()))).toBeUndefined();
      const result = await verifyAudit({ sink });
      expect(result).toMatchObject({ ok: true, event_count: 0, first_bad_event: null });
    });

    test(AUDIT_SINK_TESTS.chain, async () => {
      const sink = await fresh();
      const first = await sink.append(batch(3));
      const second = await sink.append(batch(2));
      const all = [...first, ...second];
      expect(all.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all[0]?.prev_hash).toBe(GENESIS_HASH);
      for (let i = 1; i < all.length; i += 1) expect(all[i]?.prev_hash).toBe(all[i - 1]?.hash);
      for (const event of all) expect(computeEventHash(event)).toBe(event.hash);
      expect(await sink.head()).toEqual({ seq: 5, hash: all[4]?.hash });
      expect(await lines(sink)).toEqual(all.map((event) => canonicalJson(event)));
    });

    test(AUDIT_SINK_TESTS.emptyBatch, async () => {
      const sink = await fresh();
      expect(await sink.append([])).toEqual([]);
      expect((await sink.head()).seq).toBe(0);
    });

    test(AUDIT_SINK_TESTS.idempotent, async () => {
      const sink = await fresh();
      const events = batch(3);
      await sink.append(events.slice(0, 2));
      const retried = await sink.append(events);
      expect(retried.map((event) => event.id)).toEqual([events[2]?.id]);
      const stored = (await lines(sink)).map((line) => JSON.parse(line) as { id: string });
      expect(stored.map((event) => event.id)).toEqual(events.map((event) => event.id));
    });

    test(AUDIT_SINK_TESTS.reopen, async () => {
      const sink = await fresh();
      const key = newKey();
      await sink.append(batch(3));
      await sink.checkpoint(checkpointBuilder(key));
      await sink.append(batch(2));
      const again = await reopen(sink);
      expect((await again.head()).seq).toBe(5);
      await again.append(batch(2));
      const checkpoint = await again.checkpoint(checkpointBuilder(key));
      expect(checkpoint).toMatchObject({ seq: 2, from_seq: 4, to_seq: 7, event_count: 4 });
      const result = await verifyAudit({ sink: again, trustedKeys: [key] });
      expect(result).toMatchObject({ ok: true, event_count: 7 });
      expect(result.checkpoints.verified).toBe(2);
    });

    test(AUDIT_SINK_TESTS.checkpoints, async () => {
      const sink = await fresh();
      const key = newKey();
      const first = await sink.append(batch(5));
      const one = await sink.checkpoint(checkpointBuilder(key));
      expect(one).toMatchObject({ seq: 1, from_seq: 1, to_seq: 5, event_count: 5, prev_checkpoint_hash: GENESIS_HASH, key_id: key.keyId });
      expect(one?.merkle_root).toBe(merkleRoot(first.map((event) => event.hash)));
      expect(one?.last_hash).toBe(first[4]?.hash);
      expect(await sink.checkpoint(checkpointBuilder(key))).toBeUndefined();
      const second = await sink.append(batch(2));
      const two = await sink.checkpoint(checkpointBuilder(key));
      expect(two).toMatchObject({ seq: 2, from_seq: 6, to_seq: 7, prev_checkpoint_hash: one?.hash });
      expect(two?.merkle_root).toBe(merkleRoot(second.map((event) => event.hash)));
      const stored: string[] = [];
      for await (const record of sink.readCheckpoints()) stored.push(record.text);
      expect(stored).toEqual([canonicalJson(one), canonicalJson(two)]);
    });

    test(AUDIT_SINK_TESTS.verifyOk, async () => {
      const { sink, key } = await filled(10);
      await sink.append(batch(2));
      const result = await verifyAudit({ sink, trustedKeys: [key] });
      expect(result).toMatchObject({ ok: true, event_count: 12, first_bad_event: null, first_seq: 1, last_seq: 12 });
      expect(result.checkpoints).toMatchObject({ count: 1, verified: 1, signers: [key.keyId] });
      expect(result.checkpoints.merkle_roots[0]).toMatchObject({ from_seq: 1, to_seq: 10 });
      expect(result.message).toMatch(/^chain intact: 12 events .*1 signed checkpoint verified.*2 events after the last checkpoint/);
    });

    test(AUDIT_SINK_TESTS.concurrentOne, async () => {
      const sink = await fresh();
      await Promise.all(Array.from({ length: 8 }, () => sink.append(batch(5))));
      const result = await verifyAudit({ sink });
      expect(result).toMatchObject({ ok: true, event_count: 40 });
    });

    test(
      AUDIT_SINK_TESTS.siblings,
      async () => {
        if (options.openSibling === undefined) throw new Error('openSibling is required unless this test is skipped');
        const sink = await fresh();
        const sibling = await options.openSibling(sink);
        opened.push(sibling);
        const key = newKey();
        const writes: Promise<unknown>[] = [];
        const ids: string[] = [];
        for (let i = 0; i < 20; i += 1) {
          for (const writer of [sink, sibling]) {
            const events = batch(3);
            ids.push(...events.map((event) => event.id));
            writes.push(writer.append(events));
            if (i % 5 === 4) writes.push(writer.checkpoint(checkpointBuilder(key)));
          }
        }
        await Promise.all(writes);
        await sink.checkpoint(checkpointBuilder(key));
        const result = await verifyAudit({ sink, trustedKeys: [key] });
        expect(result).toMatchObject({ ok: true, event_count: 120 });
        const stored = (await lines(sibling)).map((line) => (JSON.parse(line) as { id: string }).id);
        expect(new Set(stored).size).toBe(120);
        expect(new Set(stored)).toEqual(new Set(ids));
      },
      60_000,
    );

    test(
      AUDIT_SINK_TESTS.tamper,
      async () => {
        const size = 9;
        const positions = { start: 0, middle: 4, end: size - 1 } as const;
        const cases: { name: string; edit: (lines: string[], at: number) => string[]; expect: (at: number) => { problem: string; seq: number | null } }[] = [
          {
            name: 'edit',
            edit: (all, at) => all.map((line, i) => (i === at ? line.replace('"tenant":"acme"', '"tenant":"evil"') : line)),
            expect: (at) => ({ problem: 'edited', seq: at + 1 }),
          },
          {
            name: 'delete',
            edit: (all, at) => all.filter((_line, i) => i !== at),
            // Deleting the last event is caught by the checkpoint that covers it.
            expect: (at) => ({ problem: at === size - 1 ? 'truncated' : 'deleted', seq: at + 1 }),
          },
          {
            name: 'reorder',
            edit: (all, at) => {
              const other = at === size - 1 ? at - 1 : at + 1;
              const copy = [...all];
              [copy[at], copy[other]] = [copy[other] as string, copy[at] as string];
              return copy;
            },
            expect: (at) => ({ problem: 'reordered', seq: Math.min(at, at === size - 1 ? at - 1 : at + 1) + 1 }),
          },
          {
            name: 'insert',
            // A forged event linked to the one before the position, with its own valid hash.
            edit: (all, at) => [...all.slice(0, at), forge(all[at - 1]), ...all.slice(at)],
            expect: (at) => ({ problem: 'inserted', seq: at + 1 }),
          },
          {
            name: 'duplicate',
            edit: (all, at) => [...all.slice(0, at + 1), all[at] as string, ...all.slice(at + 1)],
            expect: (at) => ({ problem: 'inserted', seq: at + 1 }),
          },
        ];
        for (const tamper of cases) {
          for (const [where, at] of Object.entries(positions)) {
            const { sink, key } = await filled(size);
            await options.rewriteEvents(sink, (all) => tamper.edit(all, at));
            const result = await verifyAudit({ sink, trustedKeys: [key] });
            const label = `${tamper.name} at ${where}`;
            expect(result.ok, label).toBe(false);
            expect(result.first_bad_event, label).toMatchObject(tamper.expect(at));
            expect(result.message, label).toMatch(/^chain broken at /);
          }
        }
      },
      120_000,
    );

    test(AUDIT_SINK_TESTS.rehashed, async () => {
      const { sink, key } = await filled(6);
      await options.rewriteEvents(sink, (all) => {
        const out: string[] = [];
        let prev = GENESIS_HASH;
        for (const [i, line] of all.entries()) {
          const event = JSON.parse(line) as Record<string, unknown>;
          if (i === 2) event['tenant'] = 'evil';
          event['prev_hash'] = prev;
          delete event['hash'];
          const hash = computeEventHash(event);
          out.push(canonicalJson({ ...event, hash }));
          prev = hash;
        }
        return out;
      });
      const result = await verifyAudit({ sink, trustedKeys: [key] });
      expect(result.ok).toBe(false);
      expect(result.first_bad_event).toMatchObject({ problem: 'checkpoint_mismatch', seq: 1 });
    });

    test(AUDIT_SINK_TESTS.truncated, async () => {
      const { sink, key } = await filled(6);
      await options.rewriteEvents(sink, (all) => all.slice(0, 3));
      const result = await verifyAudit({ sink, trustedKeys: [key] });
      expect(result.first_bad_event).toMatchObject({ problem: 'truncated', seq: 4 });
    });

    test(AUDIT_SINK_TESTS.untrusted, async () => {
      const { sink, key } = await filled(3);
      expect((await verifyAudit({ sink, trustedKeys: [key] })).ok).toBe(true);
      const result = await verifyAudit({ sink, trustedKeys: [newKey()] });
      expect(result.ok).toBe(false);
      expect(result.first_bad_event).toMatchObject({ problem: 'checkpoint_invalid' });
      expect(result.message).toMatch(/not a trusted key/);
    });

    test(AUDIT_SINK_TESTS.window, async () => {
      const { sink, key } = await filled(8);
      const stored = (await lines(sink)).map((line) => JSON.parse(line) as { time: string; seq: number });
      const from = new Date(stored[2]?.time ?? '');
      const to = new Date(stored[5]?.time ?? '');
      const result = await verifyAudit({ sink, trustedKeys: [key], from, to });
      expect(result).toMatchObject({ ok: true, event_count: 4, first_seq: 3, last_seq: 6 });
      // An edit outside the window is not this window's concern; one inside is.
      await options.rewriteEvents(sink, (all) => all.map((line, i) => (i === 4 ? line.replace('"tenant":"acme"', '"tenant":"evil"') : line)));
      const broken = await verifyAudit({ sink, trustedKeys: [key], from, to });
      expect(broken.first_bad_event).toMatchObject({ problem: 'edited', seq: 5 });
    });
  });
}
