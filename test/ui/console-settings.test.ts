/** The `ui` section of veil.yaml: on by default, `enabled: false` turns it off, OIDC client settings. */
import { describe, expect, it } from 'vitest';
import { parseConsoleSection } from '../../src/ui/oidc.js';

describe('parseConsoleSection', () => {
  it('leaves the console on without a section', () => {
    expect(parseConsoleSection(undefined, {})).toEqual({});
  });

  it('turns it off with enabled: false', () => {
    expect(parseConsoleSection({ enabled: false }, {})).toBe(false);
  });

  it('reads the OIDC client, with the secret from the environment only', () => {
    expect(parseConsoleSection({ oidc: { client_id: 'veil-console' } }, {})).toEqual({ oidc: { clientId: 'veil-console', scope: 'openid' } });
    const confidential = parseConsoleSection({ oidc: { client_id: 'c', scope: 'openid profile', client_secret_env: 'UI_SECRET' } }, { UI_SECRET: 's3cret' });
    expect(confidential).toEqual({ oidc: { clientId: 'c', scope: 'openid profile', clientSecret: 's3cret' } });
  });

  it('refuses unknown keys and a secret variable that is not set, without echoing values', () => {
    expect(() => parseConsoleSection({ oidc: { client_id: 'c', client_secret: 'inline' } }, {})).toThrow(/ui: oidc/);
    expect(() => parseConsoleSection({ oidc: { client_id: 'c', client_secret_env: 'MISSING' } }, {})).toThrow(/MISSING is not set/);
  });
});
