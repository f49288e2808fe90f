import { describe, expect, it } from 'vitest';
import { VeilError, VeilErrorCode } from '../../src/core/errors.js';
import { mask } from '../../src/pipeline/mask.js';
import { rehydrate } from '../../src/pipeline/rehydrate.js';
import { buildDetectionEngine } from '../../src/policy/detectors.js';
import { blockedError, PolicyGate, rehydrationScope, statusOf } from '../../src/policy/gate.js';
import { defaultPolicy, loadPolicyFile } from '../../src/policy/load.js';
import { staticPolicySource } from '../../src/policy/watch.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';

const policy = loadPolicyFile('examples/veil.yaml');
const gate = new PolicyGate(staticPolicySource(policy), { env: { OPENAI_API_KEY: 'sk-env' } });

async function refusal(promise: Promise<unknown>): Promise<VeilError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof VeilError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('PolicyGate.admit', () => {
  it('authenticates, routes, supplies the provider key and names the headers to strip', async () => {
    const admission = await gate.admit({
      path: '/v1/chat/completions',
      provider: 'openai',
      headers: { authorization: 'Bearer veil_example_acme_app' },
      remoteAddress: '10.0.0.2',
    });
    expect(admission.principal).toMatchObject({ tenant: 'acme', keyId: 'acme-app' });
    expect(admission.context).toEqual({ tenant: 'acme', roles: ['app'], provider: 'openai', route: 'chat' });
    expect(admission.providerKey).toBe('sk-env');
    expect(admission.providerKey).toBe('sk-env');
    expect(admission.stripHeaders).toEqual(['x-veil-provider-key', 'authorization']);
    expect(admission.sessionTtlSeconds).toBe(86_400);
    expect(admission.access).toMatchObject({ name: 'openai', keyEnv: 'OPENAI_API_KEY' });
    expect(admission.policy).toBe(policy);
    expect(admission.decide({ start: 0, end: 1, type: 'CREDIT_CARD', score: 1, detector: 'x' }, 0).action).toBe('block');
    // The policy's detectors section applies (zip codes switched off), and the engine is shared.
    expect(admission.engine.detectors.some((detector) => detector.id === 'rules.zip')).toBe(false);
    const again = await gate.admit({ path: '/v1/responses', provider: 'openai', headers: { 'x-veil-key': 'veil_example_acme_support' }, remoteAddress: '::1' });
    expect(again.engine).toBe(admission.engine);
  });

  it('maps refusals to VeilErrors carrying the HTTP status', async () => {
    const cases: [Parameters<PolicyGate['admit']>[0], number, VeilErrorCode][] = [
      [{ path: '/v1/chat/completions', provider: 'openai', headers: {}, remoteAddress: '127.0.0.1' }, 401, VeilErrorCode.Unauthorized],
      [{ path: '/v1/chat/completions', provider: 'openai', headers: { 'x-veil-key': 'veil_wrong' }, remoteAddress: '127.0.0.1' }, 401, VeilErrorCode.Unauthorized],
      [{ path: '/experimental/v1/chat/completions', provider: 'experimental', headers: { 'x-veil-key': 'veil_example_globex_app' }, remoteAddress: '127.0.0.1' }, 403, VeilErrorCode.Unauthorized],
      [{ path: '/v1/models', provider: 'openai', headers: { 'x-veil-key': 'veil_example_acme_app' }, remoteAddress: '127.0.0.1' }, 404, VeilErrorCode.NotFound],
      [{ path: '/v1/messages', provider: 'anthropic', headers: { 'x-veil-key': 'veil_example_acme_app' }, remoteAddress: '127.0.0.1' }, 404, VeilErrorCode.NotFound],
    ];
    for (const [request, status, code] of cases) {
      const error = await refusal(gate.admit(request));
      expect(statusOf(error)).toBe(status);
      expect(error.code).toBe(code);
    }
    const noEnv = new PolicyGate(staticPolicySource(policy), { env: {} });
    const error = await refusal(noEnv.admit({ path: '/v1/chat/completions', provider: 'openai', headers: { 'x-veil-key': 'veil_example_acme_app' }, remoteAddress: '::1' }));
    expect(statusOf(error)).toBe(500);
    expect(error.message).toMatch(/OPENAI_API_KEY/);
  });

  it('with the built-in default: loopback only, client Authorization passes through', async () => {
    const open = new PolicyGate(staticPolicySource(defaultPolicy()), { env: {} });
    const admission = await open.admit({ path: '/v1/chat/completions', provider: 'openai', headers: { authorization: 'Bearer sk-client' }, remoteAddress: '127.0.0.1' });
    expect(admission).toMatchObject({ providerKey: undefined, keySource: 'client', stripHeaders: ['x-veil-provider-key'] });
    expect(admission.context).toEqual({ tenant: 'default', roles: [], provider: 'openai' });
    expect(statusOf(await refusal(open.admit({ path: '/v1/chat/completions', provider: 'openai', headers: {}, remoteAddress: '10.1.2.3' })))).toBe(403);
  });
});

describe('PolicyGate.identify', () => {
  it('authenticates without routing (Veil endpoints)', async () => {
    const { principal } = await gate.identify({ path: '/v1/veil/unmask', headers: { 'x-veil-key': 'veil_example_acme_support' }, remoteAddress: '10.0.0.1' });
    expect(principal).toMatchObject({ tenant: 'acme', roles: ['support-lead'] });
    expect(statusOf(await refusal(gate.identify({ path: '/v1/veil/unmask', headers: {}, remoteAddress: '10.0.0.1' })))).toBe(401);
  });
});

describe('blocked and rehydration', () => {
  it('blockedError is a 403 veil_blocked naming types and rules only', () => {
    const error = blockedError([
      { type: 'CREDIT_CARD', rule: 'cards-blocked' },
      { type: 'CREDIT_CARD', rule: 'cards-blocked' },
      { type: 'SSN', rule: undefined },
    ]);
    expect(error.code).toBe(VeilErrorCode.Blocked);
    expect(error.code).toBe('veil_blocked');
    expect(statusOf(error)).toBe(403);
    expect(error.message).toBe('Request blocked by Veil policy: it contains CREDIT_CARD, SSN (rule cards-blocked).');
    expect(error.data).toMatchObject({ types: ['CREDIT_CARD', 'SSN'], rules: ['cards-blocked'] });
  });

  it('withholds tokens of rehydrate: false rules from answers, and redactions stay redacted', async () => {
    const context = { tenant: 'acme', roles: ['payments'], provider: 'openai', route: 'chat' };
    const scope = new MemoryTokenScope('acme');
    const engine = buildDetectionEngine(policy);
    const result = await mask(['Card 4111 1111 1111 1111 for maria.lopez@example.com, key sk-proj-Zx8fK2mQ9vL4rT7wY1nB6cH3jD5sA0eGuIoPq'], {
      engine,
      scope,
      decide: (await gate.admit({ path: '/v1/chat/completions', provider: 'openai', headers: { 'x-veil-key': 'veil_example_acme_payments' }, remoteAddress: '::1' })).decide,
    });
    // The example's payments rule sends cards as fpe tokens.
    const card = result.entities.find((entity) => entity.type === 'CREDIT_CARD')?.token ?? '';
    expect(card).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(result.texts[0]).toBe(`Card ${card} for <<EMAIL_1>>, key [SECRET]`);
    const view = rehydrationScope({ policy, context }, scope, result.entities);
    const answer = `Charged ${card}, receipt to <<EMAIL_1>>, key [SECRET].`;
    expect(rehydrate(answer, view)).toBe(`Charged ${card}, receipt to maria.lopez@example.com, key [SECRET].`);
    // Without one-way rules the scope is returned as is.
    expect(rehydrationScope({ policy, context: { tenant: 'acme', roles: ['app'], provider: 'openai' } }, new MemoryTokenScope('acme'))).toBeInstanceOf(MemoryTokenScope);
  });
});
