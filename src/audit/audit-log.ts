/**
 * `AuditLog`: what the gateway and the CLI call. `record()` validates the event and queues it;
 * it never waits for storage. A background flush writes the queue in batches, retries a failed
 * batch (the sink skips ids it already stored, so a retry neither loses nor duplicates), and
 * writes a signed checkpoint every `checkpointEvery` events or `checkpointIntervalMs`.
 *
 * @example
 * const audit = await AuditLog.open({ dataDir });          // JSONL in <dataDir>/audit, key in <dataDir>
 * audit.record({ kind: 'request', tenant: 'acme', route: '/v1/chat/completions', ... });
 * process.once('SIGTERM', () => void audit.close());       // flushes and checkpoints
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { AuditSink, ChainHead } from './audit-sink.js';
import { checkpointBuilder, type Checkpoint } from './checkpoint.js';
import { prepareEvent, type AuditEventInput, type PendingAuditEvent } from './event.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';
import { JsonlAuditSink } from './sinks/jsonl.js';

export interface AuditLogOptions {
  /** Data dir for the default sink and the signing key. */
  readonly dataDir?: string;
  /** Default: `JsonlAuditSink` in `<dataDir>/audit`. The log opens and closes it. */
  readonly sink?: AuditSink;
  /** Default: the instance key from `<dataDir>` (created on first start). */
  readonly signingKey?: SigningKey;
  /** Events per write (default 500). */
  readonly batchSize?: number;
  /** Longest an event waits in the queue before a flush starts (default 25 ms). */
  readonly flushIntervalMs?: number;
  /** A checkpoint after this many events (default 1000); 0 disables the count trigger. */
  readonly checkpointEvery?: number;
  /** A checkpoint at least this often while events arrive (default 60 s); 0 disables. */
  readonly checkpointIntervalMs?: number;
  /**
   * Events held in memory at most while storage is failing (default 100 000). Past that new
   * events are dropped and counted (`dropped`), so an outage of the sink cannot exhaust memory.
   */
  readonly maxQueue?: number;
  /** Called on write errors (the log keeps retrying). Gets the error, never event contents. */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => Date;
}

export interface AuditLogStats {
  readonly queued: number;
  readonly written: number;
  readonly dropped: number;
  readonly writeErrors: number;
  readonly checkpoints: number;
}

export class AuditLog {
  readonly sink: AuditSink;
  readonly signingKey: SigningKey;
  readonly #options: Required<Pick<AuditLogOptions, 'batchSize' | 'flushIntervalMs' | 'checkpointEvery' | 'checkpointIntervalMs' | 'maxQueue'>>;
  readonly #onError: (error: unknown) => void;
  readonly #now: () => Date;
  #queue: PendingAuditEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #sinceCheckpoint = 0;
  #closed = false;
  #retryDelayMs = 0;
  #written = 0;
  #dropped = 0;
  #writeErrors = 0;
  #checkpoints = 0;
  readonly #inFlight = new Set<Promise<void>>();

  private constructor(sink: AuditSink, signingKey: SigningKey, options: AuditLogOptions) {
    this.sink = sink;
    this.signingKey = signingKey;
    this.#options = {
      batchSize: options.batchSize ?? 500,
      flushIntervalMs: options.flushIntervalMs ?? 25,
      checkpointEvery: options.checkpointEvery ?? 1000,
      checkpointIntervalMs: options.checkpointIntervalMs ?? 60_000,
      maxQueue: options.maxQueue ?? 100_000,
    };
    this.#onError = options.onError ?? (() => undefined);
    this.#now = options.now ?? (() => new Date());
    if (this.#options.checkpointIntervalMs > 0) {
      this.#checkpointTimer = setInterval(() => {
        if (this.#sinceCheckpoint > 0) void this.checkpoint().catch(this.#onError);
      }, this.#options.checkpointIntervalMs);
      // Audit must never keep a process alive on its own; close() does the final work.
      this.#checkpointTimer.unref();
    }
    // The timers are unref'd, so a process whose work is done would exit with events still
    // queued; `beforeExit` fires then and the flush keeps it alive until they are stored.
    process.on('beforeExit', this.#onBeforeExit);
  }

  readonly #onBeforeExit = (): void => {
    if (this.#queue.length > 0 && this.#flushing === undefined) void this.#runFlush(false);
  };

  /** Opens the sink (default JSONL in the data dir) and loads or creates the signing key. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    if (options.dataDir === undefined && (options.sink === undefined || options.signingKey === undefined)) {
      throw new VeilError(VeilErrorCode.Config, 'AuditLog needs a dataDir, or both a sink and a signingKey');
    }
    const dataDir = options.dataDir ?? '';
    const sink = options.sink ?? new JsonlAuditSink({ dataDir });
    const signingKey = options.signingKey ?? (await loadSigningKey({ dataDir }));
    await sink.open();
    return new AuditLog(sink, signingKey, options);
  }

  /** Events waiting to be written (the `veil_audit_queue_depth` gauge). */
  get queueDepth(): number {
    return this.#queue.length;
  }

  get stats(): AuditLogStats {
    return {
      queued: this.#queue.length,
      written: this.#written,
      dropped: this.#dropped,
      writeErrors: this.#writeErrors,
      checkpoints: this.#checkpoints,
    };
  }

  /**
   * Queues one event. Synchronous and cheap (validation and an array push); throws
   * `VeilError(BadInput)` when a field is not an id, count or enum (a programming error), and
   * `VeilError(Internal)` after `close()`.
   */
  record(input: AuditEventInput): void {
    if (this.#closed) throw new VeilError(VeilErrorCode.Internal, 'the audit log is closed');
    const event = prepareEvent(input, this.#now);
    // The newest event is the one dropped: the head of the queue may be in a write right now.
    if (this.#queue.length >= this.#options.maxQueue) this.#dropped += 1;
    else this.#queue.push(event);
    this.#schedule();
  }

  /** Resolves when every event recorded before the call is stored (or rejects with the write error). */
  async flush(): Promise<void> {
    this.#clearTimer();
    for (;;) {
      if (this.#flushing !== undefined) {
        // A background flush reports its own errors; this call retries and reports to its caller.
        await this.#flushing.catch(() => undefined);
        continue;
      }
      if (this.#queue.length === 0) return;
      await this.#runFlush(true);
    }
  }

  /** Flushes and writes a checkpoint over what was written since the last one. */
  async checkpoint(): Promise<Checkpoint | undefined> {
    await this.flush();
    this.#sinceCheckpoint = 0;
    return this.#checkpointNow();
  }

  /** A checkpoint over what is stored now, without waiting for the queue (the background trigger). */
  #checkpointNow(): Promise<Checkpoint | undefined> {
    const run = this.sink.checkpoint(checkpointBuilder(this.signingKey, this.#now)).then((checkpoint) => {
      if (checkpoint !== undefined) this.#checkpoints += 1;
      return checkpoint;
    });
    // close() waits for these before closing the sink under them.
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
    return run;
  }

  async head(): Promise<ChainHead> {
    return this.sink.head();
  }

  /** Flushes, checkpoints and closes the sink. Call on SIGTERM. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    process.off('beforeExit', this.#onBeforeExit);
    if (this.#checkpointTimer !== undefined) clearInterval(this.#checkpointTimer);
    try {
      await this.checkpoint();
    } finally {
      this.#clearTimer();
      await Promise.all(this.#inFlight);
      await this.sink.close();
    }
  }

  #schedule(): void {
    if (this.#flushing !== undefined || this.#timer !== undefined) return;
    const delay = this.#queue.length >= this.#options.batchSize ? 0 : Math.max(this.#options.flushIntervalMs, this.#retryDelayMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#flushing === undefined) void this.#runFlush(false);
    }, delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Writes the queue batch by batch. In the background errors are reported and retried later. */
  #runFlush(rethrow: boolean): Promise<void> {
    const run = (async () => {
      // One pass over what is queued now. Events that arrive during the write wait for the next
      // timer (at once when a full batch waits): draining until empty wrote a steady stream one or
      // two events per write, each write taking the sink's lock.
      let remaining = this.#queue.length;
      while (remaining > 0) {
        const batch = this.#queue.slice(0, Math.min(this.#options.batchSize, remaining));
        try {
          await this.sink.append(batch);
        } catch (error) {
          this.#writeErrors += 1;
          this.#retryDelayMs = Math.min(Math.max(this.#retryDelayMs * 2, 100), 5_000);
          this.#onError(error);
          if (rethrow) throw error;
          return;
        }
        this.#retryDelayMs = 0;
        // The batch stays queued until stored: a crash of the sink call loses nothing.
        this.#queue.splice(0, batch.length);
        remaining -= batch.length;
        this.#written += batch.length;
        this.#sinceCheckpoint += batch.length;
        // Checked per batch: under steady load the queue never drains, so this loop may not end.
        if (!this.#closed && this.#options.checkpointEvery > 0 && this.#sinceCheckpoint >= this.#options.checkpointEvery) {
          this.#sinceCheckpoint = 0;
          void this.#checkpointNow().catch(this.#onError);
        }
      }
    })();
    this.#flushing = run.finally(() => {
      this.#flushing = undefined;
      if (this.#queue.length > 0 && !this.#closed) this.#schedule();
    });
    // The background caller ignores the promise; errors were reported through onError.
    this.#flushing.catch(() => undefined);
    return run;
  }
}
