/**
 * The default audit sink: JSON Lines files in `<dataDir>/audit/`.
 *
 * - `events-<first seq, 12 digits>-<YYYYMMDD>.jsonl`: one event per line, canonical JSON. A
 *   new file starts when the current one would pass `maxFileBytes` or when the UTC day of the
 *   event changes. The chain runs on across files (the first event of a file links to the last
 *   of the previous), so rotation, archiving or compressing old files never breaks it.
 * - `checkpoints.jsonl`: signed checkpoints.
 * - `writer.lock`: the pid of the one process allowed to write. Files have one writer; many
 *   replicas share an audit log through the PostgreSQL sink instead.
 *
 * A batch is one `write` call, so a crash leaves at most one torn line at the end of the last
 * file. A reader ignores it (it was never acknowledged); the next writer cuts it off before
 * appending.
 * @module
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import type { AuditSink, ChainHead, ReadRange, StoredRecord } from '../audit-sink.js';
import type { Checkpoint, CheckpointBuilder } from '../checkpoint.js';
import { canonicalJson, EMPTY_HEAD, sealEvent, type AuditEvent, type PendingAuditEvent } from '../event.js';

export const AUDIT_DIR = 'audit';
export const CHECKPOINT_FILE = 'checkpoints.jsonl';
export const LOCK_FILE = 'writer.lock';
const RECENT_IDS = 10_000;
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
  #locked = false;
  #head: ChainHead = EMPTY_HEAD;
  #current: CurrentFile | undefined;
  #lastCheckpoint: CheckpointRef | null = null;
  #sinceCheckpoint: string[] = [];
  /** Set after a failed write: the disk state must be re-read before the next append. */
  #dirty = false;
  /**
   * Ids of the latest events on disk (at least those since the last checkpoint, at most
   * `RECENT_IDS` more): a batch retried after a failed or unacknowledged write skips them.
   */
  #recentIds = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();

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
      if (!this.#readOnly) {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        await this.#lock();
      }
      await this.#loadState();
      this.#opened = true;
    });
  }

  async head(): Promise<ChainHead> {
    await this.open();
    return this.#head;
  }

  append(events: readonly PendingAuditEvent[]): Promise<readonly AuditEvent[]> {
    return this.#exclusive(async () => {
      this.#assertWritable();
      if (this.#dirty) await this.#recover();
      const fresh = events.filter((event) => !this.#recentIds.has(event.id));
      if (fresh.length === 0) return [];
      const sealed: AuditEvent[] = [];
      // Group the lines by target file, rotating before a line that would not fit.
      const writes: { file: CurrentFile; lines: string[] }[] = [];
      let head = this.#head;
      let file = this.#current;
      let pendingBytes = 0;
      for (const pending of fresh) {
        const event = sealEvent(pending, head);
        const line = `${canonicalJson(event)}\n`;
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
        this.#sinceCheckpoint.push(event.hash);
        this.#rememberId(event.id);
      }
      return sealed;
    });
  }

  checkpoint(build: CheckpointBuilder): Promise<Checkpoint | undefined> {
    return this.#exclusive(async () => {
      this.#assertWritable();
      if (this.#dirty) await this.#recover();
      if (this.#sinceCheckpoint.length === 0) return undefined;
      const checkpoint = build({
        previous: this.#lastCheckpoint,
        hashes: this.#sinceCheckpoint,
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
      await this.#current?.handle?.close();
      if (this.#current !== undefined) this.#current.handle = undefined;
      if (this.#locked) {
        await unlink(join(this.dir, LOCK_FILE)).catch(() => undefined);
        this.#locked = false;
      }
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

  async #write(file: CurrentFile, text: string): Promise<void> {
    if (this.#current !== file) {
      await this.#current?.handle?.close();
      if (this.#current !== undefined) this.#current.handle = undefined;
      this.#current = file;
    }
    file.handle ??= await open(join(this.dir, file.name), 'a', 0o600);
    await file.handle.appendFile(text);
    if (this.#fsync) await file.handle.sync();
    file.size += Buffer.byteLength(text);
  }

  async #lock(): Promise<void> {
    const path = join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        this.#locked = true;
        return;
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw new VeilError(VeilErrorCode.Internal, `cannot create ${path}`, { cause: error });
      }
      const pid = Number.parseInt((await readFile(path, 'utf8').catch(() => '')).trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new VeilError(
          VeilErrorCode.Internal,
          `the audit log ${this.dir} is being written by process ${pid}; one process writes a JSONL audit log (use the PostgreSQL sink for replicas)`,
        );
      }
      // A writer that died without closing (SIGKILL): its lock is stale.
      await unlink(path).catch(() => undefined);
    }
    throw new VeilError(VeilErrorCode.Internal, `cannot take the audit writer lock ${path}`);
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

  /** Reads the head, the last checkpoint and the hashes written since it. */
  async #loadState(): Promise<void> {
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
    if (lastFile !== undefined) {
      const size = (await stat(join(this.dir, lastFile.name))).size;
      this.#current = { name: lastFile.name, day: lastFile.day, size, handle: undefined };
    }
    const checkpointLine = await lastLine(join(this.dir, CHECKPOINT_FILE));
    this.#lastCheckpoint = checkpointLine === undefined ? null : parseCheckpointRef(checkpointLine);
    const after = this.#lastCheckpoint?.to_seq ?? 0;
    this.#sinceCheckpoint = [];
    this.#recentIds.clear();
    for await (const record of this.readEvents({ fromSeq: Math.max(1, after + 1 - RECENT_IDS) })) {
      if (record.torn === true) continue;
      const parsed = safeParse(record.text);
      const head = parsed === undefined ? undefined : parseHead(record.text);
      if (parsed === undefined || head === undefined) continue;
      if (typeof parsed['id'] === 'string') this.#rememberId(parsed['id']);
      if (head.seq > after) this.#sinceCheckpoint.push(head.hash);
    }
  }

  #rememberId(id: string): void {
    this.#recentIds.add(id);
    if (this.#recentIds.size > RECENT_IDS + this.#sinceCheckpoint.length) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = this.#recentIds.values().next();
      if (oldest.done !== true) this.#recentIds.delete(oldest.value);
    }
  }

  /** After a failed write: re-read what actually reached the disk (the ids written are remembered). */
  async #recover(): Promise<void> {
    await this.#current?.handle?.close().catch(() => undefined);
    this.#current = undefined;
    await this.#loadState();
    this.#dirty = false;
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
