/**
 * An ONNX model named in veil.yaml, through the gateway: `veil serve` loads it before it listens
 * (a broken model stops the start), and requests are masked by it on the asynchronous path.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/command.js';
import { runServe } from '../../../src/cli/commands/serve.js';
import { startMockUpstream } from '../../proxy/helpers/mock-upstream.js';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/onnx-tiny');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'veil-onnx-serve-'));
  made.push(dir);
  return dir;
}

function io(cwd: string): CliIO & { err: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (data: Buffer) => (text += data.toString()));
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

function policy(upstream: string, model: string): string {
  return [
    `upstream:\n  url: ${upstream}`,
    'detectors:',
    '  disable: [ner.builtin]',
    '  onnx:',
    `    - path: ${model}`,
    '      labels: { PER: PERSON, LOC: LOCATION }',
    '',
  ].join('\n');
}

describe('veil serve with an ONNX model in veil.yaml', () => {
  it('masks what the model finds before the request leaves, and puts it back in the answer', async () => {
    const mock = await startMockUpstream();
    const dir = tempDir();
    writeFileSync(join(dir, 'veil.yaml'), policy(mock.url, FIXTURE));
    const cli = io(dir);
    let stop: (reason: string) => void = () => undefined;
    const stopped = new Promise<string>((done) => (stop = done));
    let onListening: (url: string) => void = () => undefined;
    const listening = new Promise<string>((done) => (onListening = done));
    const exit = runServe(['--port', '0'], cli, stopped, onListening);
    try {
      const url = await Promise.race([listening, exit.then(() => Promise.reject(new Error(cli.err())))]);
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Alice Smith moved to Zürich.' }] }),
      });
      const sent = mock.recorded[0]?.body ?? '';
      expect(sent).toContain('<<PERSON_1>> moved to <<LOCATION_1>>.');
      expect(sent).not.toContain('Alice');
      // The mock answers with the tokens it saw; the client gets the values back.
      expect(await response.text()).toContain('Seen: Alice Smith Zürich');
      stop('test');
      expect(await exit).toBe(0);
    } finally {
      await mock.close();
    }
  });

  it('refuses to start when onnxruntime cannot load model.onnx, naming the file', async () => {
    const dir = tempDir();
    const model = join(dir, 'broken-model');
    mkdirSync(model);
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'config.json']) copyFileSync(join(FIXTURE, file), join(model, file));
    writeFileSync(join(model, 'model.onnx'), 'not an onnx graph');
    writeFileSync(join(dir, 'veil.yaml'), policy('http://127.0.0.1:9/v1', 'broken-model'));
    const cli = io(dir);
    const code = await runServe(['--port', '0'], cli, new Promise(() => undefined));
    expect(code).toBe(1);
    expect(cli.err()).toContain(`veil serve: ONNX model ${join(model, 'model.onnx')}: cannot be loaded by onnxruntime`);
  });
});
