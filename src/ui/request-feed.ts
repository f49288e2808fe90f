/**
 * The console's live view of recent masked-route requests: a bounded ring buffer plus the
 * subscribers of the live stream. The gateway fills one `FeedDraft` per request on its hot path
 * (a few field writes and a reference to the body it already serialised, nothing more) and
 * publishes it when the response closes.
 *
 * What is kept: metadata (time, tenant, route, provider, model, entity counts by type and
 * action, stage latencies, leak gate, status), the MASKED body as it left for the provider, and
 * the tokens masking issued into it (token and type), so the page can mark exactly those strings
 * whatever their format: an fpe token looks like any other number.
 * Original values are never kept: the "what the client sent" side is rebuilt on demand through
 * the Cedar-authorised unmask path (see live-api.ts). A body that never left (blocked, leak gate
 * tripped) is not kept either, since after a trip it may hold the values the gate caught.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { MaskAction } from '../pipeline/mask.js';

/** The part of a mask result the feed reads: types, actions and tokens, never values. */
export interface FeedEntity {
  readonly type: string;
  readonly action: MaskAction;
  /** The token masking issued (`EMAIL_1`, `VEIL_EMAIL_…`, an fpe number, …); undefined for a redaction. */
  readonly token: string | undefined;
}

/** A token masking issued, as the mask result names it, with its type; `token` undefined: a redaction. */
export type FeedToken = Pick<FeedEntity, 'token' | 'type'>;

export type FeedLeakGate = 'pass' | 'tripped' | null;

/** One row of the live table: no body, so it can be streamed to every permitted viewer. */
export interface FeedRow {
  readonly id: string;
  readonly time: string;
  readonly tenant: string;
  readonly keyId: string;
  readonly route: string;
  readonly provider: string;
  readonly model: string | null;
  readonly status: number;
  readonly upstreamStatus: number | null;
  readonly outcome: 'forwarded' | 'blocked' | 'leak_gate' | 'error';
  /** Entity counts by type, then by action. */
  readonly entities: Readonly<Record<string, Readonly<Partial<Record<MaskAction, number>>>>>;
  readonly leakGate: FeedLeakGate;
  /** Milliseconds: before detection (read, auth, parse), detection and masking, provider and answer, total. */
  readonly stages: { readonly gateway: number; readonly detect: number; readonly upstream: number | null; readonly total: number };
  /** True when the request carried `x-veil-session`, so its tokens can still be unmasked. */
  readonly hasSession: boolean;
  /** Why the masked body is not available, when it is not. */
  readonly bodyNote: 'kept' | 'not_forwarded' | 'too_large' | 'evicted';
}

/** A row plus what the detail view needs; only `get()` hands this out. */
export interface FeedEntry extends FeedRow {
  readonly session: string | undefined;
  /** The body exactly as the provider received it (masked), while it is kept. */
  readonly body: string | Buffer | undefined;
  /** The tokens masking wrote into that body, one per entity; kept and dropped with the body. */
  readonly tokens: readonly FeedToken[];
}

export interface FeedOptions {
  /** Rows kept (default 200). */
  readonly capacity?: number;
  /** A body larger than this is not kept (default 256 KiB). */
  readonly maxBodyBytes?: number;
  /** Bytes of bodies kept over all rows; the oldest bodies go first (default 8 MiB). */
  readonly maxTotalBodyBytes?: number;
  readonly now?: () => Date;
}

export interface DraftStart {
  readonly tenant: string;
  readonly keyId: string;
  readonly route: string;
  readonly provider: string;
  /** `performance.now()` when the gateway received the request. */
  readonly started: number;
}

export interface DraftFinish {
  readonly status: number;
  readonly upstreamStatus: number | null;
  readonly model: string | null;
  readonly detectMs: number;
}

type Listener = (row: FeedRow) => void;

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function byteLength(body: string | Buffer): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

/** Filled by the gateway while a request runs; `publish` turns it into a row. */
export class FeedDraft {
  /** The mask result's entities (the array the pipeline made; type, action and token are read). */
  entities: readonly FeedEntity[] = [];
  private body: string | Buffer | undefined;
  private session: string | undefined;
  private forwardedAt: number | undefined;
  private readonly feed: RequestFeed;
  private readonly start: DraftStart;

  constructor(feed: RequestFeed, start: DraftStart) {
    this.feed = feed;
    this.start = start;
  }

  /** The masked body is on its way to the provider (so it passed the leak gate). */
  forward(body: string | Buffer, session: string | undefined): void {
    this.body = body;
    this.session = session;
    this.forwardedAt = performance.now();
  }

  publish(finish: DraftFinish): void {
    const now = performance.now();
    const counts: Record<string, Partial<Record<MaskAction, number>>> = {};
    const forwarded = this.forwardedAt !== undefined;
    // Only for a body the console keeps. The mask result's entities are kept as they are (they hold
    // tokens, types and offsets, never values): rendering and de-duplicating wait for a viewer.
    const tokens: readonly FeedToken[] = forwarded ? this.entities : [];
    let blocked = false;
    for (const entity of this.entities) {
      const row = (counts[entity.type] ??= {});
      row[entity.action] = (row[entity.action] ?? 0) + 1;
      if (entity.action === 'block') blocked = true;
    }
    // Between masking and forwarding only the leak gate can stop a request that found spans.
    const tripped = !forwarded && !blocked && this.entities.length > 0 && finish.status >= 500;
    const total = now - this.start.started;
    const before = (this.forwardedAt ?? now) - this.start.started;
    this.feed.add(
      {
        id: randomUUID(),
        time: this.feed.now().toISOString(),
        tenant: this.start.tenant,
        keyId: this.start.keyId,
        route: this.start.route,
        provider: this.start.provider,
        model: finish.model,
        status: finish.status,
        upstreamStatus: finish.upstreamStatus,
        outcome: blocked ? 'blocked' : tripped ? 'leak_gate' : forwarded && finish.status < 500 ? 'forwarded' : 'error',
        entities: counts,
        leakGate: tripped ? 'tripped' : forwarded && this.entities.length > 0 ? 'pass' : null,
        stages: {
          gateway: round(Math.max(0, before - finish.detectMs)),
          detect: round(finish.detectMs),
          upstream: forwarded ? round(now - (this.forwardedAt as number)) : null,
          total: round(total),
        },
        hasSession: this.session !== undefined,
        bodyNote: forwarded ? 'kept' : 'not_forwarded',
        session: this.session,
        body: this.body,
        tokens,
      },
    );
  }
}

export class RequestFeed {
  private readonly capacity: number;
  private readonly maxBodyBytes: number;
  private readonly maxTotalBodyBytes: number;
  private readonly entries: FeedEntry[] = [];
  private bodyBytes = 0;
  private readonly listeners = new Set<Listener>();
  readonly now: () => Date;

  constructor(options: FeedOptions = {}) {
    this.capacity = options.capacity ?? 200;
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
    this.maxTotalBodyBytes = options.maxTotalBodyBytes ?? 8 * 1024 * 1024;
    this.now = options.now ?? (() => new Date());
  }

  /** A draft for one masked-route request; the gateway calls `publish` on it when it closes. */
  draft(start: DraftStart): FeedDraft {
    return new FeedDraft(this, start);
  }

  /** Stores a finished entry and tells the subscribers (internal: drafts call it). */
  add(entry: FeedEntry): void {
    let kept = entry;
    if (entry.body !== undefined && byteLength(entry.body) > this.maxBodyBytes) {
      kept = { ...entry, body: undefined, tokens: [], bodyNote: 'too_large' };
    }
    this.entries.push(kept);
    if (kept.body !== undefined) this.bodyBytes += byteLength(kept.body);
    while (this.entries.length > this.capacity) {
      const dropped = this.entries.shift();
      if (dropped?.body !== undefined) this.bodyBytes -= byteLength(dropped.body);
    }
    // Over the byte budget: drop the oldest bodies, keep their rows.
    for (let index = 0; this.bodyBytes > this.maxTotalBodyBytes && index < this.entries.length; index++) {
      const old = this.entries[index] as FeedEntry;
      if (old.body === undefined) continue;
      this.bodyBytes -= byteLength(old.body);
      this.entries[index] = { ...old, body: undefined, tokens: [], bodyNote: 'evicted' };
    }
    if (this.listeners.size === 0) return;
    const row = rowOf(kept);
    for (const listener of this.listeners) {
      try {
        listener(row);
      } catch {
        // A broken subscriber must not affect the request that published.
      }
    }
  }

  /** Rows newest first, those `visible` accepts. */
  rows(visible: (row: FeedRow) => boolean = () => true): FeedRow[] {
    const out: FeedRow[] = [];
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index] as FeedEntry;
      if (visible(entry)) out.push(rowOf(entry));
    }
    return out;
  }

  get(id: string): FeedEntry | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  get size(): number {
    return this.entries.length;
  }

  get keptBodyBytes(): number {
    return this.bodyBytes;
  }

  /** Calls `listener` with each new row until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

function rowOf(entry: FeedEntry): FeedRow {
  const { session: _session, body: _body, tokens: _tokens, ...row } = entry;
  return row;
}
