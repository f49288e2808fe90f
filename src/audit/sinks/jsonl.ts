/**
 * The default audit sink: JSON Lines files in `<dataDir>/audit/`.
 *
 * - `events-<first seq, 12 digits>-<YYYYMMDD>.jsonl`: one event per line, canonical JSON. A
 *   new file starts when the current one would pass `maxFileBytes` or when the UTC day of the
 *   event changes. The chain runs on across files (the first event of a file links to the last
 *   of the previous), so rotation, archiving or compressing old files never breaks it.
 * - `checkpoints.jsonl`: signed checkpoints.
 * - `writer.lock`: held (pid + random token) while a process writes; a busy writer keeps it
 *   between batches for up to a second. Several processes on one data dir (the gateway, `veil mcp`, a CLI command) append in turn, each re-reading the
 *   head when another wrote since. Replicas on different machines share the PostgreSQL sink.
 *
 * A batch is one `write` call, so a crash leaves at most one torn line at the end of the last
 * file. A reader ignores it (it was never acknowledged); the next writer cuts it off before
 * appending.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { AuditSink, ChainHead, ReadRange, StoredRecord } from '../audit-sink.js';
import type { Checkpoint, CheckpointBuilder } from '../checkpoint.js';
import { canonicalJson, EMPTY_HEAD, sealEventLine, type AuditEvent, type PendingAuditEvent } from '../event.js';

export const AUDIT_DIR = 'audit';
export const CHECKPOINT_FILE = 'checkpoints.jsonl';
export const LOCK_FILE = 'writer.lock';
const RECENT_IDS = 10_000;
const LOCK_TIMEOUT_MS = 10_000;
/** A busy writer lets go of `writer.lock` after this long without a write... */
const LOCK_IDLE_MS = 100;
/** ...and after holding it this long, however busy. */
const LOCK_HOLD_MS = 1_000;
/** Tokens of the `writer.lock` files instances in this process hold now (any directory). */
const HELD_LOCKS = new Set<string>();
const EVENT_FILE = /^events-(\d{12})-(\d{8})\.jsonl$/;

export interface JsonlAuditSinkOptions {
  /** The Veil data dir; files go to `<dataDir>/audit/`. */
  readonly dataDir: string;
  /** Start a new file before one grows past this many bytes (default 64 MiB). */
  readonly maxFileBytes?: number;
  /** Start a new file when the UTC day changes (default true). */
  readonly rotateDaily?: boolean;
  /** fsync after every batch: survives power loss, not only a process crash (default false). */
  readonly fsync?: boolean;
  /** Open for reading only: no lock, no repair (verify, query, report). */
  readonly readOnly?: boolean;
}

interface CurrentFile {
  readonly name: string;
  readonly day: string;
  size: number;
  handle: FileHandle | undefined;
}

type CheckpointRef = Pick<Checkpoint, 'seq' | 'to_seq' | 'hash'>;

export class JsonlAuditSink implements AuditSink {
  readonly dir: string;
  readonly name: string;
  readonly #maxFileBytes: number;
  readonly #rotateDaily: boolean;
  readonly #fsync: boolean;
  readonly #readOnly: boolean;
  #opened = false;
  #head: ChainHead = EMPTY_HEAD;
  #current: CurrentFile | undefined;
  #lastCheckpoint: CheckpointRef | null = null;
  /** Hashes since the last checkpoint; undefined after another process wrote (read again when needed). */
  #sinceCheckpoint: string[] | undefined = [];
  /** The files as this instance last left them; a different one means another process wrote. */
  #fingerprint = '';
  /** Set after a failed write: the disk state must be re-read before the next append. */
  #dirty = false;
  /**
   * Ids of the latest events this instance knows on disk: a batch retried after a failed or
   * unacknowledged write skips them.
   */
  #recentIds = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  /** `writer.lock` while this instance holds it (see `#withLock`). */
  #lock: { readonly path: string; readonly token: string; readonly since: number } | undefined;
  #lockTimer: NodeJS.Timeout | undefined;

  constructor(options: JsonlAuditSinkOptions) {
    this.dir = join(resolve(options.dataDir), AUDIT_DIR);
    this.name = `jsonl:${this.dir}`;
    this.#maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.#rotateDaily = options.rotateDaily ?? true;
    this.#fsync = options.fsync ?? false;
    this.#readOnly = options.readOnly ?? false;
  }

  open(): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#opened) return;
      if (this.#readOnly) {
        await this.#loadState(true);
      } else {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        await this.#removeStaleDrafts();
        await this.#withLock(async () => undefined);
      }
      this.#opened = true;
    });
  }

  async head(): Promise<ChainHead> {
    await this.open();
    if (this.#readOnly) return this.#exclusive(async () => {
      await this.#loadState(false);
      return this.#head;
    });
    return this.#exclusive(() => this.#withLock(async () => this.#head));
  }

  append(events: readonly PendingAuditEvent[]): Promise<readonly AuditEvent[]> {
    return this.#exclusive(async () => {
      this.#assertWritable();
      if (events.length === 0) return [];
      return this.#withLock(async () => {
        const fresh = events.filter((event) => !this.#recentIds.has(event.id));
        if (fresh.length === 0) return [];
        const sealed: AuditEvent[] = [];
        // Group the lines by target file, rotating before a line that would not fit.
        const writes: { file: CurrentFile; lines: string[] }[] = [];
        let head = this.#head;
        let file = this.#current;
        let pendingBytes = 0;
        for (const pending of fresh) {
          const { event, canonical } = sealEventLine(pending, head);
          const line = `${canonical}\n`;
          const bytes = Buffer.byteLength(line);
          const day = event.time.slice(0, 10).replaceAll('-', '');
          const used = (file?.size ?? 0) + pendingBytes;
          if (file === undefined || (this.#rotateDaily && day !== file.day) || (used > 0 && used + bytes > this.#maxFileBytes)) {
            file = { name: `events-${String(event.seq).padStart(12, '0')}-${day}.jsonl`, day, size: 0, handle: undefined };
            pendingBytes = 0;
          }
          const last = writes[writes.length - 1];
          if (last !== undefined && last.file === file) last.lines.push(line);
          else writes.push({ file, lines: [line] });
          pendingBytes += bytes;
          sealed.push(event);
          head = { seq: event.seq, hash: event.hash };
        }
        try {
          for (const write of writes) await this.#write(write.file, write.lines.join(''));
        } catch (cause) {
          this.#dirty = true;
          throw new VeilError(VeilErrorCode.Internal, `audit write to ${this.dir} failed`, { cause });
        }
        this.#head = head;
        for (const event of sealed) {
          this.#sinceCheckpoint?.push(event.hash);
          this.#rememberId(event.id);
        }
        return sealed;
      });
    });
  }

  checkpoint(build: CheckpointBuilder): Promise<Checkpoint | undefined> {
    return this.#exclusive(async () => {
      this.#assertWritable();
      return this.#withLock(async () => {
        const since = this.#sinceCheckpoint ?? (await this.#hashesSince(this.#lastCheckpoint?.to_seq ?? 0));
        if (since.length === 0) return undefined;
        const checkpoint = build({
          previous: this.#lastCheckpoint,
          hashes: since,
          fromSeq: (this.#lastCheckpoint?.to_seq ?? 0) + 1,
        });
        const handle = await open(join(this.dir, CHECKPOINT_FILE), 'a', 0o600);
        try {
          await handle.appendFile(`${canonicalJson(checkpoint)}\n`);
          if (this.#fsync) await handle.sync();
        } finally {
          await handle.close();
        }
        this.#lastCheckpoint = { seq: checkpoint.seq, to_seq: checkpoint.to_seq, hash: checkpoint.hash };
        this.#sinceCheckpoint = [];
        return checkpoint;
      });
    });
  }

  async *readEvents(range: ReadRange = {}): AsyncIterable<StoredRecord> {
    const files = await this.#eventFiles();
    let start = 0;
    if (range.fromSeq !== undefined) {
      for (let i = 0; i < files.length; i += 1) if ((files[i]?.firstSeq ?? Infinity) <= range.fromSeq) start = i;
    }
    for (const file of files.slice(start)) yield* readLines(join(this.dir, file.name), file.name);
  }

  async *readCheckpoints(): AsyncIterable<StoredRecord> {
    yield* readLines(join(this.dir, CHECKPOINT_FILE), CHECKPOINT_FILE);
  }

  close(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#releaseLock();
      await this.#closeHandle();
      this.#opened = false;
    });
  }

  /** Runs `task` after every earlier call, so the head and the files change one batch at a time. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #assertWritable(): void {
    if (this.#readOnly) throw new VeilError(VeilErrorCode.Internal, `${this.name} was opened read-only`);
    if (!this.#opened) throw new VeilError(VeilErrorCode.Internal, `${this.name} is not open (call open() first)`);
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#current?.handle;
    if (this.#current !== undefined) this.#current.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  async #write(file: CurrentFile, text: string): Promise<void> {
    if (this.#current !== file) {
      await this.#closeHandle();
      this.#current = file;
    }
    file.handle ??= await open(join(this.dir, file.name), 'a', 0o600);
    await file.handle.appendFile(text);
    if (this.#fsync) await file.handle.sync();
    file.size += Buffer.byteLength(text);
  }

  /**
   * Runs `task` holding `writer.lock`, so that several processes (the gateway, `veil mcp`, a
   * CLI command) can append to one directory: each takes the lock, re-reads the head if another
   * process wrote since, appends, and lets go. A lock whose process is gone (killed mid-write) is
   * removed.
   *
   * A busy writer keeps the lock between batches: taking it, checking the files and letting go
   * cost about ten file-system calls per batch, more than the batch's own append. It lets go
   * once it has been idle for `LOCK_IDLE_MS`, and after at most `LOCK_HOLD_MS` of continuous
   * holding, so another process waits that long at worst (its own timeout is `LOCK_TIMEOUT_MS`).
   * Nobody else writes while the lock is held, so the head needs no re-reading until it is
   * taken again; a failed write of ours is the one exception (the disk is read again).
   */
  async #withLock<T>(task: () => Promise<T>): Promise<T> {
    if (this.#lock === undefined) {
      this.#lock = { path: join(this.dir, LOCK_FILE), token: await this.#takeLock(), since: Date.now() };
      try {
        await this.#syncWithDisk();
      } catch (error) {
        await this.#releaseLock();
        throw error;
      }
    } else {
      clearTimeout(this.#lockTimer);
      if (this.#dirty) await this.#syncWithDisk();
    }
    try {
      return await task();
    } finally {
      this.#scheduleRelease();
    }
  }

  /** Creates `writer.lock` holding this process's token, waiting while another process holds it. */
  async #takeLock(): Promise<string> {
    const path = join(this.dir, LOCK_FILE);
    const token = `${process.pid} ${randomUUID()}\n`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    // The token is written to a private file first and hard-linked into place: `link` fails if
    // the lock exists and never exposes a half-written lock, even when a process dies mid-way.
    const draft = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(draft, token, { mode: 0o600 });
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          // Known as held before it exists on disk, so no instance here ever sees it as stale.
          HELD_LOCKS.add(token);
          await link(draft, path);
          return token;
        } catch (error) {
          HELD_LOCKS.delete(token);
          if (!isErrno(error, 'EEXIST')) throw new VeilError(VeilErrorCode.Internal, `cannot create ${path}`, { cause: error });
        }
        const holder = await readFile(path, 'utf8').catch(() => undefined);
        if (holder === undefined) continue;
        const pid = Number.parseInt(holder, 10);
        // A lock naming a process that no longer exists: the holder was killed. One naming this
        // process that no instance here holds is as stale: a container restarts a killed gateway
        // under the same pid.
        const stale = pid === process.pid ? !HELD_LOCKS.has(holder) : Number.isInteger(pid) && pid > 0 && !processAlive(pid);
        if (stale) {
          if ((await readFile(path, 'utf8').catch(() => undefined)) === holder) await unlink(path).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) {
          throw new VeilError(VeilErrorCode.Internal, `the audit log ${this.dir} stayed locked by process ${Number.isInteger(pid) ? pid : '?'} for ${LOCK_TIMEOUT_MS / 1000} s`);
        }
        await sleep(Math.min(2 ** attempt, 20));
      }
    } finally {
      await unlink(draft).catch(() => undefined);
    }
  }

  /** After a task: let go now if the lock was held long enough, else once this writer is idle. */
  #scheduleRelease(): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    clearTimeout(this.#lockTimer);
    if (Date.now() - lock.since >= LOCK_HOLD_MS) {
      void this.#exclusive(() => this.#releaseLock());
      return;
    }
    this.#lockTimer = setTimeout(() => void this.#exclusive(() => this.#releaseLock()), LOCK_IDLE_MS);
    // A process with nothing else to do exits; the lock then names a dead process and the next
    // writer removes it.
    this.#lockTimer.unref();
  }

  /** Records what the files look like and removes `writer.lock`, if this instance holds it. */
  async #releaseLock(): Promise<void> {
    const lock = this.#lock;
    if (lock === undefined) return;
    clearTimeout(this.#lockTimer);
    this.#lock = undefined;
    try {
      this.#fingerprint = await this.#diskFingerprint();
    } finally {
      if ((await readFile(lock.path, 'utf8').catch(() => undefined)) === lock.token) await unlink(lock.path).catch(() => undefined);
      // Only once the file is gone: until then another instance here must wait, not remove it.
      HELD_LOCKS.delete(lock.token);
    }
  }

  /** Lock drafts (`writer.lock.<pid>.<uuid>.tmp`) of processes killed while taking the lock. */
  async #removeStaleDrafts(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const match = /^writer\.lock\.(\d+)\..+\.tmp$/.exec(name);
      if (match !== null && !processAlive(Number(match[1]))) await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  /** Event file names, the last one's size and the checkpoint file's size: changes when anyone writes. */
  async #diskFingerprint(): Promise<string> {
    const files = await this.#eventFiles();
    const last = files[files.length - 1];
    const size = async (name: string): Promise<number> => (await stat(join(this.dir, name)).catch(() => undefined))?.size ?? -1;
    return `${files.map((file) => file.name).join(',')}|${last === undefined ? -1 : await size(last.name)}|${await size(CHECKPOINT_FILE)}`;
  }

  /** Under the lock: if the files changed since this instance last wrote, read the head again. */
  async #syncWithDisk(): Promise<void> {
    if (!this.#dirty && this.#opened && (await this.#diskFingerprint()) === this.#fingerprint) return;
    await this.#closeHandle();
    const full = this.#dirty || !this.#opened;
    const before = this.#head.seq;
    await this.#loadState(full);
    if (this.#dirty) {
      // A write of ours failed part-way: remember what reached the disk, so the retry skips it.
      for await (const record of this.readEvents({ fromSeq: before + 1 })) {
        const parsed = safeParse(record.text);
        if (parsed !== undefined && typeof parsed['id'] === 'string' && Number(parsed['seq']) > before) this.#rememberId(parsed['id']);
      }
      this.#dirty = false;
    }
  }

  async #eventFiles(): Promise<{ name: string; firstSeq: number; day: string }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
    return names
      .map((name) => ({ name, match: EVENT_FILE.exec(name) }))
      .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
      .map(({ name, match }) => ({ name, firstSeq: Number(match[1]), day: match[2] ?? '' }))
      .sort((a, b) => a.firstSeq - b.firstSeq || a.name.localeCompare(b.name));
  }

  /**
   * Reads the head and the last checkpoint (cutting a torn last line, for writers). `full` also
   * reads the hashes since the last checkpoint and the recent ids (on open); otherwise those are
   * read when a checkpoint needs them.
   */
  async #loadState(full: boolean): Promise<void> {
    const files = await this.#eventFiles();
    if (!this.#readOnly) {
      const last = files[files.length - 1];
      if (last !== undefined) await cutTornLine(join(this.dir, last.name));
      await cutTornLine(join(this.dir, CHECKPOINT_FILE));
    }
    this.#head = EMPTY_HEAD;
    for (let i = files.length - 1; i >= 0; i -= 1) {
      const file = files[i];
      if (file === undefined) continue;
      const line = await lastLine(join(this.dir, file.name));
      const parsed = line === undefined ? undefined : parseHead(line);
      if (parsed !== undefined) {
        this.#head = parsed;
        break;
      }
    }
    const lastFile = files[files.length - 1];
    this.#current = undefined;
    if (lastFile !== undefined) {
      const size = (await stat(join(this.dir, lastFile.name))).size;
      this.#current = { name: lastFile.name, day: lastFile.day, size, handle: undefined };
    }
    const checkpointLine = await lastLine(join(this.dir, CHECKPOINT_FILE));
    this.#lastCheckpoint = checkpointLine === undefined ? null : parseCheckpointRef(checkpointLine);
    if (!full) {
      this.#sinceCheckpoint = undefined;
      return;
    }
    const after = this.#lastCheckpoint?.to_seq ?? 0;
    const since: string[] = [];
    for await (const record of this.readEvents({ fromSeq: Math.max(1, after + 1 - RECENT_IDS) })) {
      if (record.torn === true) continue;
      const parsed = safeParse(record.text);
      const head = parsed === undefined ? undefined : parseHead(record.text);
      if (parsed === undefined || head === undefined) continue;
      if (typeof parsed['id'] === 'string') this.#rememberId(parsed['id']);
      if (head.seq > after) since.push(head.hash);
    }
    this.#sinceCheckpoint = since;
  }

  /** Hashes of the stored events after `after`, in order (for a checkpoint after foreign writes). */
  async #hashesSince(after: number): Promise<string[]> {
    const hashes: string[] = [];
    for await (const record of this.readEvents({ fromSeq: after + 1 })) {
      if (record.torn === true) continue;
      const head = parseHead(record.text);
      if (head !== undefined && head.seq > after) hashes.push(head.hash);
    }
    return hashes;
  }

  #rememberId(id: string): void {
    this.#recentIds.add(id);
    if (this.#recentIds.size > RECENT_IDS) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = this.#recentIds.values().next();
      if (oldest.done !== true) this.#recentIds.delete(oldest.value);
    }
  }
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseHead(text: string): ChainHead | undefined {
  const value = safeParse(text);
  if (value === undefined) return undefined;
  const seq = value['seq'];
  const hash = value['hash'];
  return typeof seq === 'number' && typeof hash === 'string' ? { seq, hash } : undefined;
}

function parseCheckpointRef(text: string): CheckpointRef | null {
  const value = safeParse(text);
  if (value === undefined) return null;
  const { seq, to_seq: toSeq, hash } = value;
  return typeof seq === 'number' && typeof toSeq === 'number' && typeof hash === 'string' ? { seq, to_seq: toSeq, hash } : null;
}

/** Lines of a file with their location; a final line without newline is marked torn. */
async function* readLines(path: string, label: string): AsyncIterable<StoredRecord> {
  let stream;
  try {
    await stat(path);
    stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  let rest = '';
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    rest += chunk;
    let at = rest.indexOf('\n');
    while (at !== -1) {
      const line = rest.slice(0, at);
      rest = rest.slice(at + 1);
      lineNo += 1;
      if (line.trim() !== '') yield { location: `${label}:${lineNo}`, text: line };
      at = rest.indexOf('\n');
    }
  }
  if (rest.trim() !== '') yield { location: `${label}:${lineNo + 1}`, text: rest, torn: true };
}

/** The last complete line of a file, reading backwards from its end. */
async function lastLine(path: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    let end = size;
    let tail = Buffer.alloc(0);
    const chunk = 64 * 1024;
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      tail = Buffer.concat([buffer, tail]);
      end = start;
      const text = tail.toString('utf8');
      const lines = text.split('\n');
      // Drop a torn final line (no newline after it) and the empty string after a final newline.
      lines.pop();
      const complete = lines.filter((line) => line.trim() !== '');
      if (complete.length >= 2 || (end === 0 && complete.length >= 1)) return complete[complete.length - 1];
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Cuts a final line that has no newline (a write interrupted by a crash). */
async function cutTornLine(path: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  let cut: number | undefined;
  try {
    const size = (await handle.stat()).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    let position = size;
    cut = 0;
    const chunk = 64 * 1024;
    while (position > 0) {
      const start = Math.max(0, position - chunk);
      const buffer = Buffer.alloc(position - start);
      await handle.read(buffer, 0, buffer.length, start);
      const at = buffer.lastIndexOf(0x0a);
      if (at !== -1) {
        cut = start + at + 1;
        break;
      }
      position = start;
    }
  } finally {
    await handle.close();
  }
  if (cut !== undefined) await truncate(path, cut);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
