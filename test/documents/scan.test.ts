import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGlob, IgnoreFile } from '../../src/documents/glob.js';
import { listFiles, scanTree } from '../../src/documents/scan.js';
import { Veil } from '../../src/engine.js';
import { PassThrough } from 'node:stream';
import { scanCommand } from '../../src/cli/commands/scan.js';
import { runCliInProcess } from '../cli/run-cli.js';

const EMAIL = 'maria.garcia@example.com';
const SSN = '123-45-6789';
const CARD = '4111 1111 1111 1111';

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'veil-scan-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

describe('globs and .gitignore', () => {
  it('matches names at any depth without a slash, relative paths with one', () => {
    expect(compileGlob('*.csv')('a/b/c.csv')).toBe(true);
    expect(compileGlob('*.csv')('a/b/c.csv.bak')).toBe(false);
    expect(compileGlob('src/**/*.ts')('src/a/b.ts')).toBe(true);
    expect(compileGlob('src/**/*.ts')('src/b.ts')).toBe(true);
    expect(compileGlob('src/**/*.ts')('lib/src/b.ts')).toBe(false);
    expect(compileGlob('*.{md,txt}')('x/notes.txt')).toBe(true);
    expect(compileGlob('data?.json')('data1.json')).toBe(true);
    expect(compileGlob('[ab].txt')('c.txt')).toBe(false);
  });

  it('follows gitignore rules: unanchored, anchored, directory-only, negation', () => {
    const ignore = new IgnoreFile('# comment\n*.log\n/build\ncache/\n!keep.log\ndocs/*.tmp\n');
    expect(ignore.match('a/b/x.log', false)).toBe(true);
    expect(ignore.match('keep.log', false)).toBe(false);
    expect(ignore.match('build', true)).toBe(true);
    expect(ignore.match('src/build', true)).toBeUndefined();
    expect(ignore.match('src/cache', true)).toBe(true);
    expect(ignore.match('cache', false)).toBeUndefined();
    expect(ignore.match('docs/a.tmp', false)).toBe(true);
    expect(ignore.match('other/docs/a.tmp', false)).toBeUndefined();
  });
});

describe('scanTree', () => {
  let root: string;

  beforeAll(async () => {
    root = await tree({
      '.gitignore': 'ignored/\n*.log\n',
      'ignored/secret.txt': `SSN ${SSN}`,
      'debug.log': `SSN ${SSN}`,
      '.git/config': `email = ${EMAIL}`,
      'sub/.gitignore': 'local.txt\n',
      'sub/local.txt': `SSN ${SSN}`,
      'sub/notes.md': `# Notes\n\nline two\nwrite to ${EMAIL} or ${EMAIL}\n`,
      'payments.csv': `name,card\nMaria,${CARD}\n`,
      'clean.txt': 'nothing here\n',
      'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x0a]),
      'big.txt': `${'x'.repeat(2_000)} ${SSN}`,
      'broken.json': `{"ssn": "${SSN}"`,
    });
  });

  it('lists files, honouring .gitignore files at every level and skipping .git', async () => {
    const { files, truncated } = await listFiles(root);
    const relative = files.map((file) => file.slice(root.length + 1)).sort();
    expect(relative).toEqual(['.gitignore', 'big.txt', 'broken.json', 'clean.txt', 'image.png', 'payments.csv', 'sub/.gitignore', 'sub/notes.md']);
    expect(truncated).toBe(false);
    expect((await listFiles(root, { gitignore: false })).files).toHaveLength(11);
    expect((await listFiles(root, { maxFiles: 2 })).truncated).toBe(true);
    expect((await listFiles(root, { globs: ['*.md'] })).files.map((file) => file.slice(root.length + 1))).toEqual(['sub/notes.md']);
  });

  it('reports findings by file, riskiest first, with lines and masked previews only', async () => {
    const report = await scanTree(new Veil(), root, { maxBytes: 1_000 });
    expect(report.files.map((file) => file.path)).toEqual(['payments.csv', 'broken.json', 'sub/notes.md']);
    const notes = report.files.find((file) => file.path === 'sub/notes.md');
    expect(notes?.counts).toEqual({ EMAIL: 2 });
    expect(notes?.findings).toEqual([
      { type: 'EMAIL', line: 4, column: 10, preview: 'write to <<EMAIL_1>> or <<EMAIL_1>>' },
      { type: 'EMAIL', line: 4, column: 38, preview: 'write to <<EMAIL_1>> or <<EMAIL_1>>' },
    ]);
    expect(report.files[0]?.counts).toEqual({ PERSON: 1, CREDIT_CARD: 1 });
    expect(report.skipped).toMatchObject({ binary: 1, tooLarge: 1 });
    expect(report.totals).toMatchObject({ EMAIL: 2, CREDIT_CARD: 1, SSN: 1 });
    const json = JSON.stringify(report);
    for (const value of [EMAIL, SSN, CARD, 'Maria']) expect(json).not.toContain(value);
  });
});

describe('veil scan', () => {
  let root: string;

  beforeAll(async () => {
    root = await tree({
      'a/contacts.csv': `email,phone\n${EMAIL},+1 415 555 0132\n`,
      'b/readme.md': `SSN ${SSN}\n`,
      'c/clean.txt': 'ok\n',
    });
  });

  it('prints a human report without values', async () => {
    const run = await runCliInProcess(['scan', root]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^b\/readme\.md {2}\(SSN 1\)\n {2}1:5 {7}SSN {10}SSN <<SSN_1>>\n/);
    expect(run.stdout).toContain('a/contacts.csv  (EMAIL 1, PHONE 1)');
    expect(run.stdout).toMatch(/Scanned 3 files in \d+\.\d\d s: 2 with findings — EMAIL 1, PHONE 1, SSN 1\n$/);
    expect(run.stdout).not.toContain(EMAIL);
    expect(run.stderr).toBe('');
  });

  it('writes JSON and fails on the listed types only', async () => {
    const json = await runCliInProcess(['scan', root, '--json', '--glob', '*.csv']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { files: Array<{ path: string }>; scannedFiles: number };
    expect(report.files.map((file) => file.path)).toEqual(['a/contacts.csv']);
    expect(report.scannedFiles).toBe(1);

    const fail = await runCliInProcess(['scan', root, '--fail-on', 'ssn,IBAN']);
    expect(fail.code).toBe(3);
    expect(fail.stderr).toBe('veil scan: found SSN (--fail-on SSN,IBAN)\n');
    expect((await runCliInProcess(['scan', root, '--fail-on', 'IBAN'])).code).toBe(0);
    expect((await runCliInProcess(['scan', root, '--fail-on', 'ANY'])).code).toBe(3);
  });

  it('draws progress on stderr only when it is a terminal', async () => {
    const run = async (stderrIsTTY: boolean): Promise<{ stdout: string; stderr: string }> => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      const code = await scanCommand.run([root], { stdin: new PassThrough(), stdout, stderr, stderrIsTTY, env: {}, cwd: root });
      expect(code).toBe(0);
      return { stdout: out, stderr: err };
    };
    const tty = await run(true);
    expect(tty.stderr).toContain('\rscanning [##############################] 3/3 files');
    expect(tty.stderr.endsWith('\r\u001b[K')).toBe(true);
    expect(tty.stdout).not.toContain('scanning');
    expect((await run(false)).stderr).toBe('');
  });

  it('reports usage and input errors', async () => {
    expect((await runCliInProcess(['scan'])).code).toBe(2);
    expect((await runCliInProcess(['scan', root, '--max-files', '0'])).code).toBe(2);
    const missing = await runCliInProcess(['scan', join(root, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such directory/);
  });
});

describe('veil mask --format', () => {
  it('keeps JSON, CSV and HTML valid and plain text as before', async () => {
    const json = await runCliInProcess(['mask', '--format', 'json'], { stdin: JSON.stringify({ email: EMAIL, n: 1 }) });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ email: '<<EMAIL_1>>', n: 1 });

    const root = await tree({ 'x.csv': `name,note\nMaria,"SSN ${SSN}"\n`, 'x.html': `<p title="${EMAIL}">${EMAIL}</p>` });
    const csv = await runCliInProcess(['mask', join(root, 'x.csv'), '--format', 'auto']);
    expect(csv.stdout).toBe('name,note\n<<PERSON_1>>,"SSN <<SSN_1>>"\n');
    const html = await runCliInProcess(['mask', join(root, 'x.html'), '--format', 'auto', '--json']);
    const parsed = JSON.parse(html.stdout) as { text: string; entities: Array<{ type: string; token: string }> };
    expect(parsed.text).toBe('<p title="&lt;&lt;EMAIL_1&gt;&gt;">&lt;&lt;EMAIL_1&gt;&gt;</p>');
    expect(parsed.entities.map((entity) => entity.token)).toEqual(['EMAIL_1', 'EMAIL_1']);

    const text = await runCliInProcess(['mask'], { stdin: `{"email": "${EMAIL}"}` });
    expect(text.stdout).toBe('{"email": "<<EMAIL_1>>"}');
    expect((await runCliInProcess(['mask', '--format', 'pdf'], { stdin: '' })).code).toBe(2);
  });
});
