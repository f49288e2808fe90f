/**
 * The opt-in LLM detector configured in veil.yaml, end to end: `veil serve` with a fake
 * OpenAI-compatible model server, the official openai SDK as the client, a recording provider.
 * A custom type described in words is masked on the way out and put back on the way in; a late
 * or malformed LLM answer leaves the request on the rules and NER, and the request's audit event
 * and the metrics say so. `veil detect --config` and `veil policy test --config` use it too.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { runCliInProcess } from '../cli/run-cli.js';
import { startFakeLlm, type FakeLlm } from '../detect/llm/fake-llm.js';
import { startMockUpstream, type MockUpstream } from '../proxy/helpers/mock-upstream.js';

const KEY_ENV = 'VEIL_E2E_LLM_KEY';
const EMAIL = 'maria.gonzalez@example.org';

let dir: string;
let llm: FakeLlm;
let mock: MockUpstream;
let client: OpenAI;
let gatewayUrl: string;
let stop: (reason: string) => void = () => undefined;
let exit: Promise<number>;
let stderr = '';

function policyYaml(upstream: string): string {
  return [
    `upstream:\n  url: ${upstream}`,
    'detectors:',
    '  llm:',
    `    url: ${llm.url}`,
    '    model: llama3.2:3b',
    `    api_key_env: ${KEY_ENV}`,
    '    types: [PERSON]',
    '    custom:',
    '      - type: PROJECT_CODE',
    '        description: internal project code names, e.g. bluejay-7',
    // Room for a quick answer on a busy machine (300 ms could pass while a quick call was in
    // flight), and still far below the late answer's 3 s.
    '    timeout_ms: 1000',
    '',
  ].join('\n');
}

interface RequestEvent {
  seq: number;
  detectors: { tier: string; ms: number; spans: number; outcome?: string }[];
  entities: Record<string, Record<string, number>>;
}

/** Request events written so far, in chain order. */
function requestEvents(): RequestEvent[] {
  const auditDir = join(dir, '.veil', 'audit');
  const events: RequestEvent[] = [];
  for (const file of readdirSync(auditDir).filter((name) => name.startsWith('events-'))) {
    for (const line of readFileSync(join(auditDir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const event = JSON.parse(line) as RequestEvent & { kind: string };
      if (event.kind === 'request') events.push(event);
    }
  }
  return events.sort((a, b) => a.seq - b.seq);
}

/** The `count` request events after the first `before`, once the log has written them (it batches). */
async function eventsAfter(before: number, count = 1): Promise<RequestEvent[]> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const events = requestEvents();
    if (events.length >= before + count) return events.slice(before, before + count);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${count} new request event(s) in the audit log`);
}

async function ask(content: string): Promise<{ answer: string; sent: string }> {
  const before = mock.recorded.length;
  const data = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
  return { answer: data.choices[0]?.message.content ?? '', sent: mock.recorded.slice(before).map((entry) => entry.body).join('\n') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'veil-llm-e2e-'));
  llm = await startFakeLlm({ lateMs: 3000 });
  mock = await startMockUpstream();
  writeFileSync(join(dir, 'veil.yaml'), policyYaml(mock.url));
  // The detector reads its key from the process environment.
  process.env[KEY_ENV] = 'sk-llm-e2e';
  const err = new PassThrough();
  err.on('data', (data: Buffer) => (stderr += data.toString()));
  const io: CliIO = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: err,
    stderrIsTTY: false,
    env: { VEIL_LOG_LEVEL: 'silent', VEIL_DATA_DIR: join(dir, '.veil'), VEIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
    cwd: dir,
  };
  const stopped = new Promise<string>((done) => (stop = done));
  let onListening: (url: string) => void = () => undefined;
  const listening = new Promise<string>((done) => (onListening = done));
  exit = runServe(['--port', '0', '--config', join(dir, 'veil.yaml')], io, stopped, onListening);
  gatewayUrl = await Promise.race([listening, exit.then(() => Promise.reject(new Error(stderr)))]);
  client = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey: 'sk-client', maxRetries: 0, timeout: 15_000 });
});

afterAll(async () => {
  stop('test');
  await exit;
  delete process.env[KEY_ENV];
  await mock.close();
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('veil serve with detectors.llm in veil.yaml', () => {
  it('masks a custom type the policy describes in words, and rehydrates it for the client', async () => {
    const before = requestEvents().length;
    const { answer, sent } = await ask(`Is project bluejay-7 on track? Ask ${EMAIL}.`);
    expect(sent).toContain('<<PROJECT_CODE_1>>');
    expect(sent).toContain('<<EMAIL_1>>');
    expect(sent).not.toContain('bluejay');
    expect(sent).not.toContain(EMAIL);
    // The mock echoes the tokens it saw; the client gets the values.
    expect(answer).toContain('bluejay-7');
    expect(answer).toContain(EMAIL);
    // The model server got the policy's prompt and key; the provider never saw either.
    const call = llm.calls.at(-1);
    expect(call?.model).toBe('llama3.2:3b');
    expect(call?.authorization).toBe('Bearer sk-llm-e2e');
    expect(call?.system).toContain('PROJECT_CODE: internal project code names, e.g. bluejay-7');
    const [event] = await eventsAfter(before);
    expect(event?.detectors).toContainEqual(expect.objectContaining({ tier: 'llm', spans: 1, outcome: 'ok' }));
    expect(event?.entities['PROJECT_CODE']).toEqual({ mask: 1 });
  });

  it.each([
    ['a late answer', '[late]', 'timeout'],
    ['a malformed answer', '[garbled]', 'malformed'],
    ['an HTTP error', '[down]', 'http'],
  ] as const)('goes on with the rules and NER after %s, and the audit event says %s', async (_name, marker, outcome) => {
    const before = requestEvents().length;
    const started = Date.now();
    const { answer, sent } = await ask(`${marker} Project bluejay-7, contact ${EMAIL}.`);
    // Bounded by timeout_ms, not by the model's 3 s.
    expect(Date.now() - started).toBeLessThan(2800);
    expect(sent).toContain('<<EMAIL_1>>');
    expect(sent).not.toContain(EMAIL);
    // Only the LLM knew the code name: it goes out as written, which the audit event explains.
    expect(sent).toContain('bluejay-7');
    expect(answer).toContain(EMAIL);
    const [event] = await eventsAfter(before);
    expect(event?.detectors).toContainEqual({ tier: 'llm', ms: expect.any(Number) as number, spans: 0, outcome });
    expect(event?.entities).toEqual({ EMAIL: { mask: 1 } });
  });

  it('keeps concurrent requests apart: one times out, the other is masked by the LLM', async () => {
    const before = requestEvents().length;
    const [late, quick] = await Promise.all([ask(`[late] kestrel-2, per ${EMAIL}.`), ask('We moved project kestrel-2 to green.')]);
    expect(late.sent).toContain('kestrel-2');
    expect(quick.sent).toContain('We moved project <<PROJECT_CODE_1>> to green.');
    // The quick one finishes first; each event carries its own request's outcome.
    const events = await eventsAfter(before, 2);
    const outcomes = events.map((event) => `${Object.keys(event.entities).join('+')}:${event.detectors.find((d) => d.tier === 'llm')?.outcome}`);
    expect(outcomes).toEqual(['PROJECT_CODE:ok', 'EMAIL:timeout']);
  });

  it('counts fallbacks by outcome in /metrics, with no values in the labels', async () => {
    const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/^veil_llm_detector_fallbacks_total\{outcome="timeout"\} [2-9]/m);
    expect(metrics).toMatch(/^veil_llm_detector_fallbacks_total\{outcome="malformed"\} 1$/m);
    expect(metrics).toMatch(/^veil_llm_detector_fallbacks_total\{outcome="http"\} 1$/m);
    expect(metrics).toMatch(/stage_duration_seconds_count\{stage="detect",tier="llm"\}/);
    expect(metrics).not.toMatch(/bluejay|kestrel/);
    expect(stderr).not.toContain('sk-llm-e2e');
  });

  it('leaves an audit chain that verifies, outcome fields included', async () => {
    await eventsAfter(0, 6);
    const env = { VEIL_DATA_DIR: join(dir, '.veil'), VEIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), VEIL_LOG_LEVEL: 'silent' };
    const run = await runCliInProcess(['audit', 'verify', '--json'], { cwd: dir, env });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true });
  });
});

describe('veil serve start with detectors.llm', () => {
  it('names the LLM detector in its start lines', () => {
    expect(stderr).toContain(`veil: LLM detector llama3.2:3b at ${llm.url} (on failure or after 1000 ms: rules and NER only)`);
  });

  it('refuses to start when the variable api_key_env names is not set, without contacting the model', async () => {
    const calls = llm.calls.length;
    writeFileSync(join(dir, 'nokey.yaml'), policyYaml(mock.url).replace(KEY_ENV, 'VEIL_E2E_LLM_KEY_UNSET'));
    let text = '';
    const err = new PassThrough();
    err.on('data', (data: Buffer) => (text += data.toString()));
    const io: CliIO = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: err,
      stderrIsTTY: false,
      env: { VEIL_LOG_LEVEL: 'silent', VEIL_DATA_DIR: join(dir, '.veil-nokey'), VEIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
      cwd: dir,
    };
    expect(await runServe(['--port', '0', '--config', join(dir, 'nokey.yaml')], io, new Promise(() => undefined))).toBe(1);
    expect(text).toContain('detectors.llm.api_key_env: environment variable VEIL_E2E_LLM_KEY_UNSET is not set');
    expect(llm.calls.length).toBe(calls);
  });
});

describe('the CLI with detectors.llm in --config', () => {
  it('veil detect --config finds the custom type with the LLM, merged with the rules', async () => {
    const text = `bluejay-7 owner: ${EMAIL}`;
    writeFileSync(join(dir, 'note.txt'), text);
    const run = await runCliInProcess(['detect', '--config', join(dir, 'veil.yaml'), '--json', join(dir, 'note.txt')], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const spans = (JSON.parse(run.stdout) as { spans: { start: number; end: number; type: string; detector: string }[] }).spans;
    expect(spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}:${span.detector}`)).toEqual([
      'PROJECT_CODE:bluejay-7:llm',
      `EMAIL:${EMAIL}:rules.email`,
    ]);
  });

  it('lets the LLM win a tie with the built-in NER when its score is set higher', async () => {
    // The built-in NER reads a capitalised code name as an ORG at 0.85; the LLM's spans score 0.7
    // unless the policy (or the model) says otherwise, and the merge keeps the higher score.
    writeFileSync(join(dir, 'note2.txt'), 'The Falcon launch slipped.');
    const spansWith = async (config: string): Promise<string[]> => {
      const run = await runCliInProcess(['detect', '--config', config, '--json', join(dir, 'note2.txt')], { cwd: dir });
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as { spans: { type: string; detector: string }[] }).spans.map((span) => `${span.type}:${span.detector}`);
    };
    expect(await spansWith(join(dir, 'veil.yaml'))).toEqual(['ORG:ner.builtin']);
    writeFileSync(join(dir, 'scored.yaml'), `${readFileSync(join(dir, 'veil.yaml'), 'utf8')}    score: 0.9\n`);
    expect(await spansWith(join(dir, 'scored.yaml'))).toEqual(['PROJECT_CODE:llm']);
  });

  it('veil policy test --config masks with it', async () => {
    const run = await runCliInProcess(['policy', 'test', '--config', join(dir, 'veil.yaml'), '--json', '--text', 'kestrel-2 slipped a week.'], { cwd: dir });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { text: string; spans: { type: string; detector: string; action: string }[] };
    expect(report.text).toBe('<<PROJECT_CODE_1>> slipped a week.');
    expect(report.spans).toEqual([expect.objectContaining({ type: 'PROJECT_CODE', detector: 'llm', action: 'mask' })]);
  });

  it('veil policy check reports a bad detectors.llm section with its line', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'detectors:\n  llm:\n    url: ftp://llm.local/v1\n    model: m\n');
    const run = await runCliInProcess(['policy', 'check', '--config', join(dir, 'bad.yaml')], { cwd: dir });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('bad.yaml:3:10: detectors.llm.url: expected an http(s) URL');
  });
});
