import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy.js';
import { decideFor } from '../../src/policy/rules.js';
import { PolicyWatcher } from '../../src/policy/watch.js';

const REDACT = 'rules:\n  - { id: emails, when: { entity: EMAIL }, action: redact }\n';
const BLOCK = 'rules:\n  - { id: emails, when: { entity: EMAIL }, action: block }\n';
const BROKEN = 'rules:\n  - { id: emails, when: { entity: EMAIL }, action: shred }\n';

const EMAIL = { start: 0, end: 5, type: 'EMAIL', score: 0.9, detector: 'test' } as const;

let watcher: PolicyWatcher | undefined;
afterEach(() => watcher?.close());

function setup(initial: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'veil-watch-'));
  const file = join(dir, 'veil.yaml');
  writeFileSync(file, initial);
  return { file, dir };
}

function actionOf(policy: Policy): string {
  return decideFor(policy, { tenant: 'default' })(EMAIL, 0).action;
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

describe('policy hot reload', () => {
  it('applies a changed file', async () => {
    const { file } = setup(REDACT);
    const reloads: [string, string][] = [];
    watcher = new PolicyWatcher(file, { debounceMs: 20, onReload: (next, previous) => reloads.push([next.version, previous.version]) }).start();
    const first = watcher.current;
    expect(actionOf(first)).toBe('redact');
    writeFileSync(file, BLOCK);
    await until(() => reloads.length > 0);
    expect(actionOf(watcher.current)).toBe('block');
    expect(reloads[0]).toEqual([watcher.current.version, first.version]);
  });

  it('keeps the old policy in force when the new file is broken, and says why', async () => {
    const { file } = setup(REDACT);
    const errors: string[] = [];
    watcher = new PolicyWatcher(file, { debounceMs: 20, onError: (error) => errors.push(error.message) }).start();
    const before = watcher.current;
    writeFileSync(file, BROKEN);
    await until(() => errors.length > 0);
    expect(watcher.current).toBe(before);
    expect(errors[0]).toMatch(/veil\.yaml:2:\d+: rules\.0\.action: expected one of mask\|redact\|block\|allow/);
    // Fixing the file brings reloads back.
    writeFileSync(file, BLOCK);
    await until(() => actionOf(watcher?.current ?? before) === 'block');
  });

  it('follows files replaced by rename (how editors and config tools write)', async () => {
    const { file, dir } = setup(REDACT);
    watcher = new PolicyWatcher(file, { debounceMs: 20 }).start();
    writeFileSync(join(dir, 'veil.yaml.tmp'), BLOCK);
    renameSync(join(dir, 'veil.yaml.tmp'), file);
    await until(() => actionOf(watcher?.current as Policy) === 'block');
  });

  it('does not report a reload when only comments or layout changed', () => {
    const { file } = setup(REDACT);
    let reloads = 0;
    watcher = new PolicyWatcher(file, { onReload: () => reloads++ });
    writeFileSync(file, `# comment\n${REDACT}`);
    expect(watcher.reload().kind).toBe('unchanged');
    expect(reloads).toBe(0);
  });

  it('refuses to start on a broken file (nothing to fall back on)', () => {
    const { file } = setup(BROKEN);
    expect(() => new PolicyWatcher(file)).toThrow(/rules\.0\.action/);
  });

  it('under load: a client loop never fails while the file changes, breaks and is fixed', async () => {
    const { file } = setup(REDACT);
    watcher = new PolicyWatcher(file, { debounceMs: 5 }).start();
    const seen = new Set<string>();
    let requests = 0;
    let failures = 0;
    let running = true;
    const client = (async () => {
      while (running) {
        try {
          // A request reads the policy once and keeps it to the end.
          const policy = (watcher as PolicyWatcher).current;
          seen.add(actionOf(policy));
          requests++;
        } catch {
          failures++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const versions = [BLOCK, BROKEN, REDACT, BROKEN, BLOCK, REDACT, BLOCK];
    for (const text of versions) {
      writeFileSync(file, text);
      await sleep(60);
    }
    await until(() => actionOf((watcher as PolicyWatcher).current) === 'block');
    running = false;
    await client;
    expect(failures).toBe(0);
    expect(requests).toBeGreaterThan(50);
    // Only the two valid actions were ever in force; the broken file never was.
    expect([...seen].sort()).toEqual(['block', 'redact']);
  });
});
