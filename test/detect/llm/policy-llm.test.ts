/**
 * `detectors.llm` in veil.yaml: validation with line and column, the engine the policy builds
 * (tier llm merged with the rules, nothing contacted at load), the API key from the environment,
 * per-request call logs under concurrency, the answer cache, and the audit event's outcome field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEvent } from '../../../src/audit/event.js';
import { LlmCallLog, withLlmCallLog } from '../../../src/detect/llm/call-log.js';
import { LlmDetector } from '../../../src/detect/llm/llm-detector.js';
import { parsePolicy, PolicyError, type PolicyIssue } from '../../../src/policy/load.js';
import { buildDetectionEngine, prepareDetectors, selectDetectors } from '../../../src/policy/detectors.js';
import { startFakeLlm, type FakeLlm } from './fake-llm.js';

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm({ lateMs: 1000 });
});
afterAll(async () => {
  await llm.close();
});

function section(...lines: string[]): string {
  return ['detectors:', '  llm:', ...lines.map((line) => `    ${line}`), ''].join('\n');
}

function issuesOf(text: string): PolicyIssue[] {
  try {
    parsePolicy(text, { file: 'veil.yaml' });
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(PolicyError);
    return [...(error as PolicyError).issues];
  }
  throw new Error('expected the policy to be rejected');
}

describe('detectors.llm validation', () => {
  it.each([
    ['a URL that is not http(s)', section('url: ftp://llm.local/v1', 'model: m'), 'detectors.llm.url', 3, 10, /expected an http\(s\) URL/],
    ['a URL that does not parse', section('url: not a url', 'model: m'), 'detectors.llm.url', 3, 10, /expected an http\(s\) URL/],
    ['credentials in the URL', section('url: http://user:secret@llm.local/v1', 'model: m'), 'detectors.llm.url', 3, 10, /without user:password/],
    ['no model', section('url: http://llm.local/v1'), 'detectors.llm.model', 3, 5, /expected string/],
    ['a key written in the file', section('url: http://llm.local/v1', 'model: m', 'api_key: sk-live-123'), 'detectors.llm.api_key', 5, 5, /unknown key/],
    ['a variable name that is not one', section('url: http://llm.local/v1', 'model: m', 'api_key_env: my-key'), 'detectors.llm.api_key_env', 5, 18, /environment variable name/],
    ['a custom type without a description', section('url: http://llm.local/v1', 'model: m', 'custom:', '  - type: PROJECT_CODE'), 'detectors.llm.custom.0.description', 6, 9, /expected string/],
    ['a custom type name in lower case', section('url: http://llm.local/v1', 'model: m', 'custom: [{ type: project, description: code names }]'), 'detectors.llm.custom.0.type', 5, 22, /upper snake case/],
    ['a type listed twice', section('url: http://llm.local/v1', 'model: m', 'types: [PERSON]', 'custom: [{ type: PERSON, description: people }]'), 'detectors.llm.custom', 6, 13, /listed once/],
    ['an overlap as long as the chunk', section('url: http://llm.local/v1', 'model: m', 'chunk_size: 500', 'chunk_overlap: 500'), 'detectors.llm.chunk_overlap', 6, 20, /smaller than chunk_size/],
    ['a zero timeout', section('url: http://llm.local/v1', 'model: m', 'timeout_ms: 0'), 'detectors.llm.timeout_ms', 5, 17, />=50/],
    ['a min_score above 1', section('url: http://llm.local/v1', 'model: m', 'min_score: 2'), 'detectors.llm.min_score', 5, 16, /<=1/],
  ] as const)('rejects %s with its line and column', (_name, text, path, line, column, message) => {
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, line, column });
    expect(issues[0]?.message).toMatch(message);
    // Values from the file (a key, a password in a URL) are never echoed.
    expect(JSON.stringify(issues)).not.toMatch(/secret|sk-live/);
  });
});

describe('the engine a policy with detectors.llm builds', () => {
  const policyText = (extra: string[] = []) =>
    section(
      `url: ${llm.url}`,
      'model: fake-ollama',
      'types: [PERSON, ORG]',
      'custom:',
      '  - type: PROJECT_CODE',
      '    description: internal project code names',
      'timeout_ms: 400',
      ...extra,
    );

  it('is off without the section, and switched on by it', () => {
    const without = parsePolicy('detectors:\n  min_score: 0\n');
    expect(without.detectors.tiers.llm).toBe(false);
    expect(selectDetectors(without, []).some((detector) => detector.tier === 'llm')).toBe(false);
    const withLlm = parsePolicy(policyText());
    expect(withLlm.detectors.tiers.llm).toBe(true);
    const detectors = selectDetectors(withLlm, []);
    expect(detectors.filter((detector) => detector.tier === 'llm').map((detector) => detector.types)).toEqual([['PERSON', 'ORG', 'PROJECT_CODE']]);
    // tiers.llm: false still wins over the section.
    const off = parsePolicy(policyText().replace('detectors:\n', 'detectors:\n  tiers: { llm: false }\n'));
    expect(off.detectors.tiers.llm).toBe(false);
    expect(selectDetectors(off, []).some((detector) => detector.tier === 'llm')).toBe(false);
  });

  it('contacts nothing at load and finds custom types merged with the rules', async () => {
    const before = llm.calls.length;
    const policy = parsePolicy(policyText());
    const engine = buildDetectionEngine(policy);
    expect(llm.calls.length).toBe(before);
    // Its own cache keeps successful answers only; the engine's would keep fallbacks too.
    expect(engine.cache).toBeUndefined();
    const text = 'Falcon status for maria.gonzalez@example.org: Maria Gonzalez approved Falcon.';
    const spans = await engine.detect(text);
    expect(spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}:${span.detector}`)).toEqual([
      'PROJECT_CODE:Falcon:llm',
      'EMAIL:maria.gonzalez@example.org:rules.email',
      'PERSON:Maria Gonzalez:llm',
      'PROJECT_CODE:Falcon:llm',
    ]);
    const call = llm.calls.at(-1);
    expect(call?.model).toBe('fake-ollama');
    expect(call?.system).toContain('PROJECT_CODE: internal project code names');
    expect(call?.authorization).toBeUndefined();
  });

  it('sends the key from the variable api_key_env names, and refuses to start without it', async () => {
    const policy = parsePolicy(policyText(['api_key_env: VEIL_TEST_LLM_KEY_A']));
    await expect(prepareDetectors(policy, {})).rejects.toThrow('detectors.llm.api_key_env: environment variable VEIL_TEST_LLM_KEY_A is not set');
    process.env['VEIL_TEST_LLM_KEY_A'] = 'sk-test-llm';
    try {
      await prepareDetectors(policy);
      const engine = buildDetectionEngine(parsePolicy(policyText(['api_key_env: VEIL_TEST_LLM_KEY_A', 'id: keyed'])));
      await engine.detect('Nimbus is late.');
      expect(llm.calls.at(-1)?.authorization).toBe('Bearer sk-test-llm');
    } finally {
      delete process.env['VEIL_TEST_LLM_KEY_A'];
    }
  });
});

describe('per-request outcomes', () => {
  it('keeps the outcome of concurrent calls apart, on one shared detector', async () => {
    // 700 ms: room for the quick answer on a busy machine, and still well before the late one's
    // 1 s (one process: the abort timer always fires first).
    const detector = new LlmDetector({ baseUrl: llm.url, model: 'm', timeoutMs: 700, customTypes: [{ type: 'PROJECT_CODE', description: 'code names' }] });
    const slow = new LlmCallLog();
    const quick = new LlmCallLog();
    const broken = new LlmCallLog();
    const [slowSpans, quickSpans, brokenSpans] = await Promise.all([
      withLlmCallLog(slow, () => detector.detect('[late] Falcon ships.')),
      withLlmCallLog(quick, async () => {
        // Awaits inside the request keep its log.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return detector.detect('Nimbus ships.');
      }),
      withLlmCallLog(broken, () => detector.detect('[garbled] Falcon again.')),
    ]);
    expect(slowSpans).toEqual([]);
    expect(quickSpans).toHaveLength(1);
    expect(brokenSpans).toEqual([]);
    expect(slow.summary()).toMatchObject({ tier: 'llm', outcome: 'timeout', spans: 0 });
    expect(slow.summary()?.ms).toBeGreaterThanOrEqual(650);
    expect(quick.summary()).toMatchObject({ tier: 'llm', outcome: 'ok', spans: 1 });
    expect(broken.summary()).toMatchObject({ tier: 'llm', outcome: 'malformed', spans: 0 });
    expect(new LlmCallLog().summary()).toBeUndefined();
  });

  it('caches successful answers but asks again after a failure', async () => {
    const detector = new LlmDetector({ baseUrl: llm.url, model: 'm', customTypes: [{ type: 'PROJECT_CODE', description: 'code names' }] });
    const before = llm.calls.length;
    await detector.detect('Falcon is fine.');
    const again = new LlmCallLog();
    expect(await withLlmCallLog(again, () => detector.detect('Falcon is fine.'))).toHaveLength(1);
    expect(again.summary()).toMatchObject({ outcome: 'ok', spans: 1 });
    expect(detector.lastStatus).toMatchObject({ cached: true });
    expect(llm.calls.length).toBe(before + 1);
    await detector.detect('[down] Falcon is not.');
    await detector.detect('[down] Falcon is not.');
    expect(llm.calls.length).toBe(before + 3);
    expect(detector.lastStatus).toMatchObject({ ok: false, error: 'http', cached: false });
  });

  it('uses the score the model gives and drops entities below min_score', async () => {
    const detector = new LlmDetector({ baseUrl: llm.url, model: 'm', minScore: 0.5, customTypes: [{ type: 'PROJECT_CODE', description: 'code names' }] });
    const text = '[scored] Maria Gonzalez leads Falcon.';
    expect((await detector.detect(text)).map((span) => `${text.slice(span.start, span.end)}:${span.score}`)).toEqual(['Falcon:0.9']);
    // Without scores in the answer, every span gets the configured one.
    const unscored = new LlmDetector({ baseUrl: llm.url, model: 'm', minScore: 0.5, score: 0.65 });
    expect((await unscored.detect('Maria Gonzalez called.')).map((span) => span.score)).toEqual([0.65]);
  });
});

describe('the audit event records the LLM outcome as an enum', () => {
  const base = { kind: 'request', tenant: 't1' } as const;

  it('stores the outcome only where given, so other events keep their bytes and hash', () => {
    const event = prepareEvent({ ...base, detectors: [{ tier: 'rules', ms: 1, spans: 0 }, { tier: 'llm', ms: 300, spans: 0, outcome: 'timeout' }] });
    expect(event.detectors).toEqual([{ tier: 'rules', ms: 1, spans: 0 }, { tier: 'llm', ms: 300, spans: 0, outcome: 'timeout' }]);
    expect(Object.keys(event.detectors[0] ?? {})).toEqual(['tier', 'ms', 'spans']);
  });

  it('refuses anything but the enum', () => {
    const text = { ...base, detectors: [{ tier: 'llm', ms: 1, spans: 0, outcome: 'model said: Maria Gonzalez' }] };
    expect(() => prepareEvent(text as unknown as Parameters<typeof prepareEvent>[0])).toThrow(/detectors\.0\.outcome.*must be one of ok, timeout, network, http, malformed/);
    expect(() => prepareEvent(text as unknown as Parameters<typeof prepareEvent>[0])).not.toThrow(/Maria/);
  });
});
