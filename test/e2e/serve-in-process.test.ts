/** `veil serve` in-process: flags, config file, start-up lines and a clean stop. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { startMockUpstream } from '../proxy/helpers/mock-upstream.js';

function io(cwd: string, env: NodeJS.ProcessEnv = {}): CliIO & { err: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (data: Buffer) => {
    text += data.toString();
  });
  return {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr,
    stderrIsTTY: false,
    env: { VEIL_LOG_LEVEL: 'silent', VEIL_DATA_DIR: join(cwd, '.veil'), VEIL_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), ...env },
    cwd,
    err: () => text,
  };
}

describe('runServe', () => {
  it('reads veil.yaml, lets flags win, forwards to the upstream and stops cleanly', async () => {
    const mock = await startMockUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'veil-serve-'));
    writeFileSync(join(dir, 'veil.yaml'), `server:\n  port: 1\nupstream:\n  url: ${mock.url}\n`);
    const cli = io(dir);
    let stop: (reason: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    let listeningResolve: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => {
      listeningResolve = resolve;
    });
    const exit = runServe(['--port', '0'], cli, stopped, listeningResolve);
    try {
      const url = await Promise.race([listening, exit.then(() => Promise.reject(new Error(cli.err())))]);
      expect(cli.err()).toContain(`upstream: ${mock.url.replace('/v1', '')}/v1`);
      expect(cli.err()).toContain('config veil.yaml');
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-veil-session': 's' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Mail maria.garcia@example.com' }] }),
      });
      expect(await response.text()).toContain('maria.garcia@example.com');
      expect(mock.recorded[0]?.body).toContain('<<EMAIL_1>>');
      stop('test');
      expect(await exit).toBe(0);
      expect(cli.err()).toContain('veil: test, closing');
    } finally {
      await mock.close();
    }
  });

  it('exits 1 on a bad config and 2 on a bad flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-serve-'));
    writeFileSync(join(dir, 'veil.yaml'), 'upstream:\n  url: ftp://nope\n');
    const bad = io(dir);
    expect(await runServe([], bad, new Promise(() => undefined))).toBe(1);
    expect(bad.err()).toMatch(/veil\.yaml:2:8: upstream\.url: expected an http\(s\) URL/);
    const usage = io(dir);
    expect(await runServe(['--port', 'x'], usage, new Promise(() => undefined))).toBe(2);
    expect(usage.err()).toContain("--port: expected a port number, got 'x'");
  });
});
