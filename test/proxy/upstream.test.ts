import { describe, expect, it } from 'vitest';
import { VeilErrorCode } from '../../src/core/errors.js';
import { errorBody } from '../../src/proxy/errors.js';
import { mapPath, upstreamError } from '../../src/proxy/upstream.js';

describe('upstream mapping', () => {
  it("maps Veil's /v1 paths onto the upstream base path", () => {
    expect(mapPath('/v1', '/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(mapPath('/openai/v1', '/v1/chat/completions?x=1')).toBe('/openai/v1/chat/completions?x=1');
    expect(mapPath('', '/v1/models')).toBe('/models');
    expect(mapPath('/v1', '/v1')).toBe('/v1');
  });

  it('turns transport errors into 502 and timeouts into 504', () => {
    const refused = upstreamError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    expect(refused.code).toBe(VeilErrorCode.Upstream);
    expect(errorBody(refused).status).toBe(502);
    expect(refused.message).not.toContain('127.0.0.1');
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
      const timeout = upstreamError(Object.assign(new Error('x'), { code }));
      expect(errorBody(timeout)).toMatchObject({ status: 504, body: { error: { code: 'upstream_timeout', type: 'upstream_error' } } });
    }
  });

  it('hides the message of an unexpected error', () => {
    expect(errorBody(new Error('secret maria@example.com'))).toEqual({
      status: 500,
      body: { error: { message: 'Internal gateway error.', type: 'server_error', code: 'internal_error', param: null } },
    });
  });
});
