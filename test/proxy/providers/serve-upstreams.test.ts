/** `veil serve --upstream provider=URL` (repeatable) and `providers:` in veil.yaml route each provider to its own upstream. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/command.js';
import { runServe } from '../../../src/cli/commands/serve.js';
import { resolveConfig } from '../../../src/proxy/config.js';
import { sendJson, startMockUpstream, tokensIn } from '../helpers/mock-upstream.js';

function io(cwd: string): CliIO & { err: () => string } {
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
    env: { VEIL_LOG_LEVEL: 'silent', VEIL_DATA_DIR: join(cwd, '.veil'), VEIL_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') },
    cwd,
    err: () => text,
  };
}

describe('per-provider upstreams', () => {
  it('--upstream URL stays OpenAI, --upstream anthropic=URL and veil.yaml providers add others', async () => {
    const openai = await startMockUpstream();
    const anthropic = await startMockUpstream((request, res) => {
      sendJson(res, 200, { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: `Seen ${tokensIn(request.body).join(' ')}` }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });
    });
    const ollama = await startMockUpstream((_request, res) => sendJson(res, 200, { model: 'm', message: { role: 'assistant', content: 'ok' }, done: true }));
    const dir = mkdtempSync(join(tmpdir(), 'veil-serve-providers-'));
    writeFileSync(join(dir, 'veil.yaml'), `providers:\n  ollama:\n    url: ${ollama.url.replace(/\/v1$/, '')}\n`);
    const cli = io(dir);
    let stop: (reason: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    let onListening: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => {
      onListening = resolve;
    });
    const exit = runServe(['--port', '0', '--upstream', openai.url, `--upstream=anthropic=${anthropic.url.replace(/\/v1$/, '')}`], cli, stopped, onListening);
    try {
      const url = await Promise.race([listening, exit.then(() => Promise.reject(new Error(cli.err())))]);
      expect(cli.err()).toContain('anthropic upstream: ');
      expect(cli.err()).toContain('ollama upstream: ');
      const post = (path: string, body: unknown): Promise<Response> =>
        fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const message = await post('/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'Mail maria.garcia@example.com' }] });
      expect(await message.text()).toContain('maria.garcia@example.com');
      expect(anthropic.recorded[0]?.path).toBe('/v1/messages');
      expect(anthropic.recorded[0]?.body).toContain('<<EMAIL_1>>');
      const chat = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(chat.status).toBe(200);
      expect(openai.recorded).toHaveLength(1);
      expect((await post('/api/chat', { model: 'm', stream: false, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
      expect(ollama.recorded[0]?.path).toBe('/api/chat');
      // Gemini has no upstream and the gateway is not in demo mode: refused, never forwarded.
      const gemini = await post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] });
      expect(gemini.status).toBe(404);
      stop('test');
      expect(await exit).toBe(0);
    } finally {
      await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
    }
  });

  it('rejects a bad provider URL', () => {
    expect(() => resolveConfig({ flags: { providers: { anthropic: 'not a url' } } })).toThrow(/anthropic/);
  });

  it('a usage error for a bad --upstream value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-serve-providers-'));
    const cli = io(dir);
    const code = await runServe(['--port', '0', '--upstream', 'anthropic=ftp://x'], cli, Promise.resolve('never'));
    expect(code).not.toBe(0);
    expect(cli.err()).toContain('anthropic');
  });
});
