import { describe, expect, it } from 'vitest';
import { builtinDetectors, createDefaultEngine } from '../../src/detect/registry.js';

function labelled(text: string): string[] {
  return createDefaultEngine()
    .detectSync(text)
    .map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
}

describe('default engine', () => {
  it('registers every rule detector once, synchronous, with rules.* ids', () => {
    const detectors = builtinDetectors();
    const ids = detectors.map((detector) => detector.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const detector of detectors) {
      expect(detector.tier).toBe('rules');
      expect(detector.id).toMatch(/^rules\.[a-z_]+$/);
      expect(Array.isArray(detector.detect('', {}))).toBe(true);
    }
  });

  it('finds the PII of a chat prompt without overlaps', () => {
    const text =
      'Call Maria at +1 415 555 0132 or maria@example.com. Card 4111 1111 1111 1111, SSN 123-45-6789, ' +
      'IBAN GB82 WEST 1234 5698 7654 32, from 10.0.0.1 on 2024-01-15.';
    expect(labelled(text)).toEqual([
      'PHONE:+1 415 555 0132',
      'EMAIL:maria@example.com',
      'CREDIT_CARD:4111 1111 1111 1111',
      'SSN:123-45-6789',
      'IBAN:GB82 WEST 1234 5698 7654 32',
      'IP:10.0.0.1',
      'DATE:2024-01-15',
    ]);
  });

  it('keeps a phone number inside a URL as part of the URL', () => {
    expect(labelled('open https://example.com/call/415-555-0132 now')).toEqual(['URL:https://example.com/call/415-555-0132']);
  });

  it('reports a card number as a card, not also as a phone number', () => {
    expect(labelled('card 378282246310005 please')).toEqual(['CREDIT_CARD:378282246310005']);
    expect(labelled('phone or card? 3782 822463 10005')).toEqual(['CREDIT_CARD:3782 822463 10005']);
  });

  it('keeps an e-mail whole rather than a bare domain inside it', () => {
    expect(labelled('write to bob@example.org')).toEqual(['EMAIL:bob@example.org']);
  });

  it('masks a connection string password inside an http URL as the URL', () => {
    expect(labelled('db https://app:s3cr3tPass@db.example.com/x')).toEqual(['URL:https://app:s3cr3tPass@db.example.com/x']);
  });

  it('respects the allow list', () => {
    const engine = createDefaultEngine({ allow: { values: ['support@example.com'] } });
    const text = 'mail support@example.com or maria@example.com';
    expect(engine.detectSync(text).map((span) => text.slice(span.start, span.end))).toEqual(['maria@example.com']);
  });
});
