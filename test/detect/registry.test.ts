import { describe, expect, it } from 'vitest';
import { builtinDetectors, createDefaultEngine } from '../../src/detect/registry.js';

function labelled(text: string): string[] {
  return createDefaultEngine()
    .detectSync(text)
    .map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
}

describe('default engine', () => {
  it('warms every detector up without filling the cache, and finds the same spans after', async () => {
    const engine = createDefaultEngine();
    const text = 'Call Maria Garcia at +1 415 555 0132 or five five five, zero one nine nine, two one three four.';
    const before = createDefaultEngine().detectSync(text);
    await engine.warmUp();
    expect(engine.cache?.size).toBe(0);
    expect(engine.detectSync(text)).toEqual(before);
  });

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
      'PERSON:Maria',
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

  it('masks an order number: it leads to the customer record', () => {
    expect(labelled('Revenue was up 15.3%; order #100234567 shipped Monday.')).toEqual(['ID:100234567']);
  });

  it.each([
    ['code', 'const server = app.listen(3000); for (let i = 0; i < 100000; i++) { arr.push(i * 1.5); } // v2.3.14'],
    ['figures', 'Revenue was $12,450,000, up 15.3% from 10,823,456; 100234567 units shipped Monday.'],
    ['commands', 'pip install numpy==1.26.4 && python main.py --epochs 100 --lr 0.001 --seed 424242'],
    ['hashes', 'commit 3f2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a, sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['prose about secrets', 'The password field must be at least 8 characters. Use the token endpoint with your api key.'],
    ['reference numbers', 'ISBN 978-3-16-148410-0, lat/long 40.7128, -74.0060, population 8,336,817'],
  ])('finds nothing in %s without PII', (_, text) => {
    expect(labelled(text)).toEqual([]);
  });

  it('respects the allow list', () => {
    const engine = createDefaultEngine({ allow: { values: ['support@example.com'] } });
    const text = 'mail support@example.com or maria@example.com';
    expect(engine.detectSync(text).map((span) => text.slice(span.start, span.end))).toEqual(['maria@example.com']);
  });
});
