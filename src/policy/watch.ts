/**
 * Hot reload of the policy file. The directory is watched rather than the file, because editors
 * and config-management tools replace files by rename, which ends a watch on the file itself.
 * Changes are debounced; a file that fails to load leaves the previous policy in force and is
 * reported, never applied in part. Requests read `watcher.current` once and keep that object,
 * so a reload never changes the rules under a request in flight.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../core/logger.js';
import { loadPolicyFile } from './load.js';
import type { Policy } from './policy.js';

/** Anything that hands out the policy in force (a watcher, or a fixed policy in tests). */
export interface PolicySource {
  readonly current: Policy;
}

export interface PolicyWatcherOptions {
  readonly debounceMs?: number;
  /** Called after a new version is in force. */
  readonly onReload?: (policy: Policy, previous: Policy) => void;
  /** Called when a changed file could not be loaded; the previous policy stays in force. */
  readonly onError?: (error: Error, current: Policy) => void;
  readonly logger?: Logger;
}

export type ReloadOutcome =
  | { readonly kind: 'reloaded'; readonly policy: Policy }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rejected'; readonly error: Error };

export class PolicyWatcher implements PolicySource {
  private policy: Policy;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly path: string;
  private readonly options: PolicyWatcherOptions;
  private loaded = new Date();
  private rejection: { readonly error: Error; readonly at: Date } | undefined;

  /** Loads the file now; throws when the first version is invalid (nothing to fall back on). */
  constructor(path: string, options: PolicyWatcherOptions = {}) {
    this.path = resolve(path);
    this.options = options;
    this.policy = loadPolicyFile(path);
  }

  get current(): Policy {
    return this.policy;
  }

  /** When the version in force was loaded. */
  get loadedAt(): Date {
    return this.loaded;
  }

  /** The last file that failed to load (its messages name file, line and column, never values). */
  get lastRejection(): { readonly error: Error; readonly at: Date } | undefined {
    return this.rejection;
  }

  /** Starts watching. Returns `this` for chaining. */
  start(): this {
    if (this.watcher !== undefined) return this;
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, changed) => {
      // Some platforms omit the file name; then any change in the directory is a candidate.
      if (changed !== null && changed !== name) return;
      this.schedule();
    });
    this.watcher.on('error', (error) => {
      this.options.logger?.error({ file: this.path, error: error.name }, 'policy watch failed; hot reload is off');
    });
    return this;
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload();
    }, this.options.debounceMs ?? 100);
    this.timer.unref();
  }

  /** Reads the file again now. Exposed for `SIGHUP` handlers and tests. */
  reload(): ReloadOutcome {
    let next: Policy;
    try {
      next = loadPolicyFile(this.path);
    } catch (error: unknown) {
      const err = error instanceof Error ? error : new Error(String(error));
      // The message names file, line and column only (see load.ts), so it is safe to log.
      this.options.logger?.error({ file: this.path, version: this.policy.version, reason: err.message }, 'policy reload rejected; previous version stays in force');
      this.rejection = { error: err, at: new Date() };
      this.options.onError?.(err, this.policy);
      return { kind: 'rejected', error: err };
    }
    if (next.version === this.policy.version) return { kind: 'unchanged' };
    const previous = this.policy;
    this.policy = next;
    this.loaded = new Date();
    this.options.logger?.info({ file: this.path, version: next.version, previous: previous.version }, 'policy reloaded');
    for (const warning of next.warnings) this.options.logger?.warn({ file: this.path }, warning);
    this.options.onReload?.(next, previous);
    return { kind: 'reloaded', policy: next };
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** A fixed policy behind the same interface (built-in default, tests). */
export function staticPolicySource(policy: Policy): PolicySource {
  return { current: policy };
}
