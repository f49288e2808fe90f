/**
 * The storage seam of the audit log. A sink owns the chain: it places events after its current
 * head under its own write lock, so that whatever concurrency the storage allows (one process
 * on a directory, many replicas on one database), the stored chain has one order and no gaps.
 *
 * Adapters: `sinks/jsonl.ts` (default, files in the data dir) and `sinks/postgres.ts`.
 * Every adapter passes `test/conformance/audit-sink.contract.ts`.
 * @module
 */
import type { Checkpoint, CheckpointBuilder } from './checkpoint.js';
import type { AuditEvent, PendingAuditEvent } from './event.js';

export interface ChainHead {
  /** Seq of the last stored event, 0 for an empty chain. */
  readonly seq: number;
  /** Its hash, `GENESIS_HASH` for an empty chain. */
  readonly hash: string;
}

/** One stored record as text, exactly as written, for verification. */
export interface StoredRecord {
  /** Where it lives, for messages: `events-000000000001-20261124.jsonl:17`, `row 17`. */
  readonly location: string;
  readonly text: string;
  /** The final record of a file that ends without a newline: a write cut short by a crash. */
  readonly torn?: boolean;
}

export interface ReadRange {
  /**
   * Start at (or before) this seq. Sinks may yield earlier records; readers skip them by the
   * seq in the record, never trusting the storage's own position for integrity.
   */
  readonly fromSeq?: number;
}

export interface AuditSink {
  /** `jsonl:<dir>`, `postgres:<schema>`: names the storage, never credentials. */
  readonly name: string;
  /** Creates storage as needed, takes the write lock (writers), reads the head. Idempotent. */
  open(): Promise<void>;
  /**
   * Chains `events` after the current head and stores them, in one write where the storage
   * allows. Events whose id is already stored are skipped, so a batch retried after an error
   * whose outcome was unknown is neither lost nor duplicated. Returns the events it stored.
   */
  append(events: readonly PendingAuditEvent[]): Promise<readonly AuditEvent[]>;
  head(): Promise<ChainHead>;
  /** Stored events in chain order, as text. */
  readEvents(range?: ReadRange): AsyncIterable<StoredRecord>;
  /**
   * Under the write lock, hands the events since the last checkpoint to `build` and stores the
   * result. Returns undefined (storing nothing) when no event was written since.
   */
  checkpoint(build: CheckpointBuilder): Promise<Checkpoint | undefined>;
  /** Stored checkpoints in order, as text. */
  readCheckpoints(): AsyncIterable<StoredRecord>;
  /** Releases files, connections and locks. Idempotent. */
  close(): Promise<void>;
}
