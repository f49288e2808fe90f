/**
 * Child-process tests run the compiled library from `dist/` (what `npm test` builds first).
 * When `dist` is missing or older than the audit sources, build it here so the test also runs
 * on its own (`npx vitest run test/audit`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Absolute path of the compiled module for `src/<relative>.ts` (e.g. `audit/audit-log`). */
export function ensureDist(relative: string): string {
  const target = join(REPO, 'dist', `${relative}.js`);
  const sources = ['audit', 'observability'].map((dir) => join(REPO, 'src', dir)).filter((dir) => existsSync(dir));
  const stale = !existsSync(target) || sources.some((dir) => newestMtime(dir) > statSync(target).mtimeMs);
  if (stale) {
    try {
      execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
        cwd: REPO,
        stdio: 'pipe',
      });
    } catch {
      // tsc still emits when other modules have type errors; the check below is what matters.
    }
  }
  if (!existsSync(target)) throw new Error(`${target} was not built (run npm run build)`);
  return target;
}
