import { describe, expect, it } from 'vitest';
import { secretKeyDetector } from '../../../src/detect/rules/secret-keys.js';
import { values } from './helpers.js';

function jwt(header: object): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part({ sub: '1234567890', name: 'Maria' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
}

const GITHUB = `ghp_${'a1B2c3D4e5'.repeat(3)}Zz9Yy8`;

describe('rules.secret_key', () => {
  it.each([
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['GitHub token', GITHUB],
    ['GitHub fine-grained token', `github_pat_11ABCDEFG0${'x1Y2z3'.repeat(5)}`],
    ['GitLab token', 'glpat-Ab3dEf6hIj9kLm2nOp5q'],
    ['Slack token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['Stripe live key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['Stripe restricted key', 'rk_live_51H8abcdEFGHijklMNOP1234'],
    ['OpenAI project key', 'sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv'],
    ['OpenAI key', 'sk-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0UvWxYz12'],
    ['Anthropic key', 'sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-AA'],
    ['Google API key', 'AIzaSyA-1234567890abcdefghijklmnopqrstu'],
    ['JWT', jwt({ alg: 'HS256', typ: 'JWT' })],
  ])('finds a %s', (_, key) => {
    expect(values(secretKeyDetector, `config: ${key} end`)).toEqual([key]);
  });

  it('finds an AWS secret access key next to its key id', () => {
    const text = 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(values(secretKeyDetector, text)).toEqual(['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
  });

  it('rejects look-alikes', () => {
    expect(values(secretKeyDetector, 'AKIA1234 is short, ghp_short too')).toEqual([]);
    expect(values(secretKeyDetector, 'use sk-learn-style-module-names-here ok')).toEqual([]);
    // Three base64url parts whose header has no "alg" is not a JWT.
    expect(values(secretKeyDetector, `token ${jwt({ typ: 'JWT' })}`)).toEqual([]);
    // A 40-character run without any AWS context is not taken as an AWS secret.
    expect(values(secretKeyDetector, 'commit wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([]);
  });
});
