/**
 * Child processes in the vault tests run the vault from the current sources, bundled with
 * esbuild into one ESM file under `node_modules/.cache` (so `pg` and `better-sqlite3` resolve
 * from the repository's node_modules). Bundling per test file, rather than building `dist/`,
 * means parallel test files never write the same output files.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles `src/<entry>.ts`; returns the file URL to import and a cleanup. */
export async function bundleForChild(entry: string): Promise<{ url: string; remove: () => void }> {
  const dir = join(REPO, 'node_modules', '.cache', 'veil-test', randomBytes(6).toString('hex'));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${entry.replaceAll('/', '-')}.mjs`);
  await build({
    entryPoints: [join(REPO, 'src', `${entry}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  });
  return { url: pathToFileURL(outfile).href, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
