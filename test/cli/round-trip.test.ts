import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../helpers/dist.js';

const LINE = 'Call Maria at +1 415 555 0132 or maria@example.com';
let dataDir: string;

beforeAll(async () => {
  ensureBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'veil-roundtrip-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function shell(command: string): string {
  return execFileSync('bash', ['-o', 'pipefail', '-c', command], {
    env: { ...process.env, VEIL_DATA_DIR: dataDir, VEIL_CLI: CLI },
    encoding: 'utf8',
  });
}

describe('veil mask | veil unmask', () => {
  it('prints the original line (the README example)', () => {
    const out = shell(
      `echo "${LINE}" | node "$VEIL_CLI" mask --session s1 | node "$VEIL_CLI" unmask --session s1`,
    );
    expect(out).toBe(`${LINE}\n`);
  });

  it('gives the same tokens in later runs of the same session and resolves them', () => {
    const first = shell(`echo "${LINE}" | node "$VEIL_CLI" mask --session s2`);
    const second = shell(`echo "again: maria@example.com" | node "$VEIL_CLI" mask --session s2`);
    expect(first).not.toContain('maria@example.com');
    const emailToken = /<<EMAIL_\d+>>/.exec(first)?.[0];
    expect(emailToken).toBeDefined();
    expect(second).toBe(`again: ${emailToken}\n`);
    expect(shell(`echo "${emailToken} wrote" | node "$VEIL_CLI" unmask --session s2`)).toBe('maria@example.com wrote\n');
  });

  it('keeps sessions apart', () => {
    shell(`echo "${LINE}" | node "$VEIL_CLI" mask --session s3`);
    expect(shell(`echo "<<EMAIL_1>>" | node "$VEIL_CLI" unmask --session other`)).toBe('<<EMAIL_1>>\n');
  });

  it('leaves nothing readable in the data dir, its audit log included', async () => {
    const files = (await readdir(dataDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(files.map((entry) => entry.name)).toContain('vault.db');
    expect(files.some((entry) => entry.name.endsWith('.jsonl'))).toBe(true);
    for (const entry of files) {
      const bytes = await readFile(join(entry.parentPath, entry.name));
      expect(bytes.includes('maria@example.com'), entry.name).toBe(false);
      expect(bytes.includes('4155550132'), entry.name).toBe(false);
    }
  });
});

describe('veil mask --format | veil unmask --format', () => {
  it('round-trips HTML, undoing the entity escaping of tokens', () => {
    const html = '<p title="maria@example.com">Mail <b>maria@example.com</b></p>';
    const out = shell(
      `printf '%s' '${html}' | node "$VEIL_CLI" mask --session h1 --format html | node "$VEIL_CLI" unmask --session h1 --format html`,
    );
    expect(out).toBe(html);
  });

  it('round-trips JSON with values that need escaping', () => {
    const json = JSON.stringify({ note: 'write to "Bob" <bob@example.com>\nthanks', email: 'bob@example.com' });
    const masked = shell(`printf '%s' '${json}' | node "$VEIL_CLI" mask --session j1 --format json`);
    expect(masked).not.toContain('bob@example.com');
    expect(() => JSON.parse(masked) as unknown).not.toThrow();
    const out = shell(`printf '%s' '${masked}' | node "$VEIL_CLI" unmask --session j1 --format json`);
    expect(JSON.parse(out)).toEqual(JSON.parse(json));
  });
});

describe('veil keys rotate', () => {
  it('rotates the master key and the session still unmasks', () => {
    const masked = shell(`echo "mail rotate@example.com" | node "$VEIL_CLI" mask --session r1`);
    expect(masked).toBe('mail <<EMAIL_1>>\n');
    shell(`node "$VEIL_CLI" keys rotate 2>&1`);
    expect(shell(`echo "<<EMAIL_1>>" | node "$VEIL_CLI" unmask --session r1`)).toBe('rotate@example.com\n');
  });
});
