import { describe, expect, it } from 'vitest';
import { highEntropyDetector } from '../../../src/detect/rules/high-entropy.js';
import { shannonEntropy } from '../../../src/detect/rules/rule-kit.js';
import { values } from './helpers.js';

describe('rules.high_entropy', () => {
  it('finds random strings after secret-ish words', () => {
    expect(values(highEntropyDetector, 'my api key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZ')).toEqual(['9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZ']);
    expect(values(highEntropyDetector, 'Authorization: Bearer q8Zr2LmX9vT4pK7sW1nB6yD3')).toEqual(['q8Zr2LmX9vT4pK7sW1nB6yD3']);
    expect(values(highEntropyDetector, 'secret = "Xk29fLq0Zp83Mv7TnR4s"')).toEqual(['Xk29fLq0Zp83Mv7TnR4s']);
    // The = of an assignment stays in the text; the padding of a base64 value stays in the span.
    expect(values(highEntropyDetector, 'export OPENAI_API_KEY=sk-live-51HxYzAbCdEfGhIjKl0123')).toEqual(['sk-live-51HxYzAbCdEfGhIjKl0123']);
    expect(values(highEntropyDetector, 'token=dGhpcyBpcyBhIHRlc3Q0Mg==')).toEqual(['dGhpcyBpcyBhIHRlc3Q0Mg==']);
    // The secret word inside the variable's name: the rest of the name is not the secret.
    expect(values(highEntropyDetector, 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ]);
  });

  it('ignores low-entropy values, plain words and random strings far from a secret word', () => {
    expect(shannonEntropy('aaaaaaaaaaaaaaaa')).toBe(0);
    expect(values(highEntropyDetector, 'token: aaaaaaaaaaaaaaaa1111')).toEqual([]);
    expect(values(highEntropyDetector, 'the token was accepted by everyone at the meeting')).toEqual([]);
    expect(values(highEntropyDetector, 'build 9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZ')).toEqual([]);
  });
});
