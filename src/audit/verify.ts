/**
 * `verifyAudit()`: recomputes the chain, the checkpoints' Merkle roots and their signatures, and
 * names the first record that does not fit. Used by `veil audit verify`, the report, and the
 * gateway's `GET /v1/veil/audit/verify`.
 *
 * What each tampering looks like to it:
 * - edited event: its stored hash no longer matches its content (`edited`); edited and re-hashed
 *   together with every later event: the signed checkpoint over it no longer matches
 *   (`checkpoint_mismatch`);
 * - deleted event: a gap in `seq` and a broken link (`deleted`); the tail deleted: a checkpoint
 *   covers events that are gone (`truncated`);
 * - reordered events: a seq that comes back later (`reordered`);
 * - inserted event: an event whose successor links past it, or a duplicate (`inserted`).
 * Events after the last checkpoint are protected by the chain only: that window is the one an
 * attacker with write access and time could rewrite wholesale, so checkpoints should be frequent.
 * @module
 */
import type { AuditSink, StoredRecord } from './audit-sink.js';
import { checkpointHash, checkpointSchema, signedPayload, type Checkpoint } from './checkpoint.js';
import { computeEventHash, GENESIS_HASH } from './event.js';
import { merkleRoot } from './merkle.js';
import { verifyingKeyFromPem, verifySignature, type VerifyingKey } from './signing-key.js';

export type AuditProblem =
  | 'malformed'
  | 'edited'
  | 'deleted'
  | 'reordered'
  | 'inserted'
  | 'unlinked'
  | 'truncated'
  | 'checkpoint_mismatch'
  | 'checkpoint_invalid';

export interface BadEvent {
  /** Seq of the event named (for `deleted`: the first missing seq). Null when unreadable. */
  readonly seq: number | null;
  readonly id: string | null;
  /** Where it is stored (`file:line`, `events row seq=N`). */
  readonly location: string;
  readonly problem: AuditProblem;
  readonly detail: string;
}

export interface VerifyOptions {
  readonly sink: AuditSink;
  /**
   * Keys a checkpoint may be signed with. When given, a checkpoint signed by any other key fails.
   * When absent, signatures are checked against the key the checkpoint names (integrity, not
   * authenticity) and the result lists the signers.
   */
  readonly trustedKeys?: readonly VerifyingKey[];
  /** Only the events whose time lies in [from, to]; the first one's `prev_hash` is the anchor. */
  readonly from?: Date;
  readonly to?: Date;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly event_count: number;
  readonly first_bad_event: BadEvent | null;
  readonly message: string;
  readonly first_seq: number | null;
  readonly last_seq: number | null;
  readonly last_hash: string | null;
  readonly checkpoints: {
    readonly count: number;
    readonly verified: number;
    readonly signers: readonly string[];
    readonly merkle_roots: readonly { seq: number; from_seq: number; to_seq: number; merkle_root: string }[];
  };
  /** True when the last file ended in a line cut short by a crash; it is not counted. */
  readonly torn_tail: boolean;
}

interface CheckpointCheck {
  readonly checkpoints: Checkpoint[];
  readonly bad: BadEvent | null;
  readonly signers: Set<string>;
}

async function loadCheckpoints(sink: AuditSink, trusted: readonly VerifyingKey[] | undefined): Promise<CheckpointCheck> {
  const checkpoints: Checkpoint[] = [];
  const signers = new Set<string>();
  let previous: Checkpoint | null = null;
  const fail = (record: StoredRecord, seq: number | null, detail: string): CheckpointCheck => ({
    checkpoints,
    signers,
    bad: { seq, id: null, location: record.location, problem: 'checkpoint_invalid', detail },
  });
  for await (const record of sink.readCheckpoints()) {
    if (record.torn === true) break;
    const parsed = checkpointSchema.safeParse(safeJson(record.text));
    if (!parsed.success) return fail(record, null, 'checkpoint record is not valid JSON of the checkpoint shape');
    const checkpoint = parsed.data;
    if (checkpointHash(checkpoint) !== checkpoint.hash) return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} was edited (hash mismatch)`);
    const expectedSeq: number = (previous?.seq ?? 0) + 1;
    const expectedPrev: string = previous?.hash ?? GENESIS_HASH;
    const expectedFrom: number = (previous?.to_seq ?? 0) + 1;
    if (checkpoint.seq !== expectedSeq || checkpoint.prev_checkpoint_hash !== expectedPrev || checkpoint.from_seq !== expectedFrom) {
      return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} does not follow checkpoint ${expectedSeq - 1} (one was deleted, inserted or reordered)`);
    }
    if (checkpoint.to_seq - checkpoint.from_seq + 1 !== checkpoint.event_count) {
      return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} has an inconsistent event count`);
    }
    let key: VerifyingKey;
    try {
      key = verifyingKeyFromPem(checkpoint.public_key);
    } catch {
      return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} carries no valid Ed25519 public key`);
    }
    if (key.keyId !== checkpoint.key_id) return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} names key ${checkpoint.key_id} but carries ${key.keyId}`);
    if (trusted !== undefined) {
      const match = trusted.find((candidate) => candidate.keyId === key.keyId);
      if (match === undefined) {
        return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} is signed by ${key.keyId}, which is not a trusted key`);
      }
      key = match;
    }
    if (!verifySignature(key, signedPayload(checkpoint), checkpoint.signature)) {
      return fail(record, checkpoint.from_seq, `checkpoint ${checkpoint.seq} has an invalid signature`);
    }
    signers.add(key.keyId);
    checkpoints.push(checkpoint);
    previous = checkpoint;
  }
  return { checkpoints, signers, bad: null };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The fields verification reads. The hash covers every other field, so they need no schema here. */
interface ChainedRecord {
  readonly seq: number;
  readonly id: string;
  readonly time: string;
  readonly prev_hash: string;
  readonly hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseEvent(record: StoredRecord): ChainedRecord | undefined {
  const value = safeJson(record.text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { seq, id, time, prev_hash: prevHash, hash } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return undefined;
  if (typeof id !== 'string' || typeof time !== 'string' || typeof prevHash !== 'string' || typeof hash !== 'string') return undefined;
  if (!HEX64.test(prevHash) || !HEX64.test(hash)) return undefined;
  return value as ChainedRecord;
}

/** Seq bounds of the events whose time lies in [from, to]. */
async function seqWindow(sink: AuditSink, from: Date | undefined, to: Date | undefined): Promise<{ first: number; last: number } | null> {
  let first: number | null = null;
  let last: number | null = null;
  for await (const record of sink.readEvents()) {
    const event = parseEvent(record);
    if (event === undefined) continue;
    const time = Date.parse(event.time);
    if ((from !== undefined && time < from.getTime()) || (to !== undefined && time > to.getTime())) continue;
    first = first === null ? event.seq : Math.min(first, event.seq);
    last = last === null ? event.seq : Math.max(last, event.seq);
  }
  return first === null || last === null ? null : { first, last };
}

export async function verifyAudit(options: VerifyOptions): Promise<VerifyResult> {
  const { sink } = options;
  const ranged = options.from !== undefined || options.to !== undefined;
  const window = ranged ? await seqWindow(sink, options.from, options.to) : { first: 1, last: Number.POSITIVE_INFINITY };
  const loaded = await loadCheckpoints(sink, options.trustedKeys);
  const inWindow = loaded.checkpoints.filter((checkpoint) => window !== null && checkpoint.from_seq >= window.first && checkpoint.to_seq <= window.last);
  const summary = {
    count: loaded.checkpoints.length,
    verified: 0,
    signers: [...loaded.signers],
    merkle_roots: inWindow.map((checkpoint) => ({
      seq: checkpoint.seq,
      from_seq: checkpoint.from_seq,
      to_seq: checkpoint.to_seq,
      merkle_root: checkpoint.merkle_root,
    })),
  };
  if (window === null) {
    return {
      ok: loaded.bad === null,
      event_count: 0,
      first_bad_event: loaded.bad,
      message: loaded.bad === null ? 'no events in the requested period' : describe(loaded.bad),
      first_seq: null,
      last_seq: null,
      last_hash: null,
      checkpoints: summary,
      torn_tail: false,
    };
  }

  let count = 0;
  let previous: ChainedRecord | null = null;
  let previousLocation = '';
  let bad: BadEvent | null = null;
  let torn = false;
  let checkpointIndex = 0;
  let windowHashes: string[] = [];
  const seenIds = new Set<string>();
  let missingSeq: number | null = null;
  let lookahead = 0;
  // A window that fails its checkpoint is reported only after one more event: if that event
  // breaks the chain, the chain's diagnosis (e.g. `inserted`) names the event more precisely.
  let checkpointBad: BadEvent | null = null;

  const records = sink.readEvents({ fromSeq: window.first })[Symbol.asyncIterator]();
  for (;;) {
    const next = await records.next();
    if (next.done === true) break;
    const record = next.value;
    if (record.torn === true) {
      torn = true;
      break;
    }
    const event = parseEvent(record);
    if (bad !== null) {
      // After a gap, read on a little: the missing event turning up later means a reorder.
      if (event !== undefined && event.seq === missingSeq) {
        bad = { ...bad, problem: 'reordered', id: event.id, detail: `event seq ${event.seq} is stored out of order (found at ${record.location})` };
        break;
      }
      if ((lookahead += 1) > 10_000) break;
      continue;
    }
    if (event === undefined) {
      bad = { seq: previous === null ? null : previous.seq + 1, id: null, location: record.location, problem: 'malformed', detail: 'not a valid audit event record' };
      break;
    }
    if (ranged && previous === null && event.seq < window.first) continue;
    if (event.seq > window.last) break;

    if (computeEventHash(event) !== event.hash) {
      bad = { seq: event.seq, id: event.id, location: record.location, problem: 'edited', detail: 'its content does not match its stored hash' };
      break;
    }
    if (previous === null) {
      const expectedSeq = window.first;
      if (event.seq !== expectedSeq) {
        bad = { seq: expectedSeq, id: null, location: record.location, problem: 'deleted', detail: `expected seq ${expectedSeq} first, found seq ${event.seq}` };
        missingSeq = expectedSeq;
        continue;
      }
      if (event.seq === 1 && event.prev_hash !== GENESIS_HASH) {
        bad = { seq: event.seq, id: event.id, location: record.location, problem: 'unlinked', detail: 'the first event does not link to the genesis hash' };
        break;
      }
    } else if (event.seq !== previous.seq + 1 || event.prev_hash !== previous.hash) {
      if (seenIds.has(event.id)) {
        bad = { seq: event.seq, id: event.id, location: record.location, problem: 'inserted', detail: 'a second copy of an earlier event was inserted' };
      } else if (event.prev_hash === previous.prev_hash) {
        bad = {
          seq: previous.seq,
          id: previous.id,
          location: previousLocation,
          problem: 'inserted',
          detail: `event seq ${previous.seq} does not belong to the chain: the next event links past it (inserted)`,
        };
      } else if (event.seq > previous.seq + 1) {
        missingSeq = previous.seq + 1;
        bad = {
          seq: missingSeq,
          id: null,
          location: record.location,
          problem: 'deleted',
          detail: `event${event.seq - previous.seq > 2 ? 's' : ''} seq ${missingSeq}${event.seq - previous.seq > 2 ? `..${event.seq - 1}` : ''} missing before ${record.location} (deleted)`,
        };
        continue;
      } else if (event.seq <= previous.seq) {
        bad = { seq: event.seq, id: event.id, location: record.location, problem: 'reordered', detail: `event seq ${event.seq} is stored after seq ${previous.seq} (reordered)` };
      } else {
        bad = {
          seq: event.seq,
          id: event.id,
          location: record.location,
          problem: 'unlinked',
          detail: `does not link to event seq ${previous.seq} (an event before it was replaced)`,
        };
      }
      break;
    }
    if (checkpointBad !== null) {
      bad = checkpointBad;
      break;
    }

    // The checkpoint whose window holds this event.
    const checkpoint = inWindow[checkpointIndex];
    if (checkpoint !== undefined && event.seq >= checkpoint.from_seq) {
      windowHashes.push(event.hash);
      if (event.seq === checkpoint.to_seq) {
        if (merkleRoot(windowHashes) !== checkpoint.merkle_root || event.hash !== checkpoint.last_hash) {
          checkpointBad = {
            seq: checkpoint.from_seq,
            id: null,
            location: record.location,
            problem: 'checkpoint_mismatch',
            detail: `events seq ${checkpoint.from_seq}..${checkpoint.to_seq} do not match signed checkpoint ${checkpoint.seq} (rewritten since it was signed)`,
          };
        } else summary.verified += 1;
        checkpointIndex += 1;
        windowHashes = [];
      }
    }
    seenIds.add(event.id);
    previous = event;
    previousLocation = record.location;
    count += 1;
  }
  await records.return?.();

  if (bad === null && checkpointBad !== null) bad = checkpointBad;
  if (bad === null && loaded.bad !== null) bad = loaded.bad;
  const pending = inWindow[checkpointIndex];
  if (bad === null && pending !== undefined) {
    const lastSeq = previous?.seq ?? window.first - 1;
    bad = {
      seq: lastSeq + 1,
      id: null,
      location: previousLocation === '' ? 'end of log' : `after ${previousLocation}`,
      problem: 'truncated',
      detail: `checkpoint ${pending.seq} covers events up to seq ${pending.to_seq} but the log ends at seq ${lastSeq} (deleted)`,
    };
  }

  const result = {
    ok: bad === null,
    event_count: count,
    first_bad_event: bad,
    first_seq: count === 0 ? null : window.first,
    last_seq: previous?.seq ?? null,
    last_hash: previous?.hash ?? null,
    checkpoints: summary,
    torn_tail: torn,
  };
  return { ...result, message: bad === null ? describeOk(result, options.trustedKeys !== undefined, ranged) : describe(bad) };
}

function describe(bad: BadEvent): string {
  const what = bad.seq === null ? 'a record' : `event seq ${bad.seq}`;
  return `chain broken at ${what} (${bad.location}): ${bad.problem} — ${bad.detail}`;
}

function describeOk(result: Omit<VerifyResult, 'message'>, pinned: boolean, ranged: boolean): string {
  if (result.event_count === 0) return ranged ? 'chain intact: no events in the requested period' : 'chain intact: no events yet';
  const parts = [`chain intact: ${result.event_count} events (seq ${result.first_seq}..${result.last_seq})`];
  const { checkpoints } = result;
  const signers = `${checkpoints.signers.join(', ')}${pinned ? '' : ', signer keys not pinned'}`;
  const verified = `${checkpoints.verified} signed checkpoint${checkpoints.verified === 1 ? '' : 's'}`;
  if (ranged) {
    parts.push(checkpoints.verified === 0 ? 'no checkpoint lies wholly inside the period (links checked)' : `${verified} inside the period verified (${signers})`);
  } else {
    parts.push(checkpoints.verified === 0 ? 'no signed checkpoint yet' : `${verified} verified (${signers})`);
    const covered = checkpoints.merkle_roots[checkpoints.merkle_roots.length - 1]?.to_seq ?? 0;
    const last = result.last_seq ?? 0;
    if (last > covered) parts.push(`${last - covered} event${last - covered === 1 ? '' : 's'} after the last checkpoint`);
  }
  if (result.torn_tail) parts.push('a torn final line from a crash was ignored');
  return parts.join('; ');
}
