import { describe, expect, it } from 'vitest';
import { phoneDetector } from '../../../src/detect/rules/phone.js';
import { values } from './helpers.js';

describe('rules.phone', () => {
  it.each([
    ['Call +44 20 7946 0958 today', '+44 20 7946 0958'],
    ['Call (415) 555-0132 today', '(415) 555-0132'],
    ['Call 415.555.0132 today', '415.555.0132'],
    ['Call 1-800-555-0199 today', '1-800-555-0199'],
    ['Desk 415-555-0132 ext. 12, thanks', '415-555-0132 ext. 12'],
    ['Fax: (044)688-7538x8775', '(044)688-7538x8775'],
    ['reach me on +1 415 555 0132', '+1 415 555 0132'],
    ['Paris +33 1 42 68 53 00.', '+33 1 42 68 53 00'],
    ['Zurich +41 (0)38 549 02 90', '+41 (0)38 549 02 90'],
    ['from abroad dial 001-518-640-0854', '001-518-640-0854'],
    ['Mobile: 0496 78 75 49', '0496 78 75 49'],
    ['Phone: 02.27.96.63.08', '02.27.96.63.08'],
    ['You can call 33 93 31', '33 93 31'],
  ])('finds the number in %j', (text, expected) => {
    expect(values(phoneDetector, text)).toEqual([expected]);
  });

  it('takes the number after a postal code, not the code', () => {
    expect(values(phoneDetector, 'Ecuador 25602 9761 9808 office')).toEqual(['9761 9808']);
    expect(values(phoneDetector, 'Houston, TX 77042-2016 (713) 532-3836')).toEqual(['(713) 532-3836']);
  });

  it.each([
    ['dates', 'on 2024-01-15 and 12/05/2023 and 05.12.2023, call later'],
    ['times', 'call at 10:30:45 or 23:59'],
    ['prices', 'call: it costs $1,299.00 or €1 299 000'],
    ['order numbers', 'order #12345678 and order 87654321 shipped'],
    ['version strings', 'version 1.2.3 and build 10.0.19041.1'],
    ['UUIDs', 'id 123e4567-e89b-12d3-a456-426614174000'],
    ['card numbers', 'card 4111 1111 1111 1111'],
    ['IBANs', 'IBAN GB82 WEST 1234 5698 7654 32'],
    ['SSNs', 'SSN 123-45-6789'],
    ['IP addresses', 'server 192.168.100.200'],
    ['year ranges and ZIP+4', 'call 1971-1972 at Texas 77030-2707'],
    ['bare numbers without a phone word', 'we sold 5403926876 units'],
  ])('has no false positive on %s', (_, text) => {
    expect(values(phoneDetector, text)).toEqual([]);
  });

  it('rejects international numbers with an impossible length', () => {
    expect(values(phoneDetector, 'dial +44 20 79')).toEqual([]);
  });
  it('reads a number after a lower-case word as a phone, a five-digit group after a town as a postcode', () => {
    expect(values(phoneDetector, 'who lives in Aberdeen, on 07700 900 254. She')).toEqual(['07700 900 254']);
    expect(values(phoneDetector, 'Berlin 10115 030 1234567')).toEqual(['030 1234567']);
  });
});
