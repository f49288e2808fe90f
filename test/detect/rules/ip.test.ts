import { describe, expect, it } from 'vitest';
import { ipDetector } from '../../../src/detect/rules/ip.js';
import { values } from './helpers.js';

describe('rules.ip', () => {
  it('finds IPv4 addresses', () => {
    expect(values(ipDetector, 'from 192.168.10.24 and 8.8.8.8.')).toEqual(['192.168.10.24', '8.8.8.8']);
  });

  it('finds full, compressed, link-local and IPv4-mapped IPv6', () => {
    expect(values(ipDetector, 'a 2001:0db8:85a3:0000:0000:8a2e:0370:7334 b')).toEqual(['2001:0db8:85a3:0000:0000:8a2e:0370:7334']);
    expect(values(ipDetector, 'c 2001:db8::8a2e:370:7334, d fe80::1, e ::1')).toEqual(['2001:db8::8a2e:370:7334', 'fe80::1', '::1']);
    expect(values(ipDetector, 'mapped ::ffff:1.2.3.4 here')).toEqual(['::ffff:1.2.3.4']);
  });

  it('rejects impossible octets, versions, longer dotted runs and clock times', () => {
    expect(values(ipDetector, '999.1.1.1 and 256.0.0.1')).toEqual([]);
    expect(values(ipDetector, 'version 1.2.3 or 10.0.19041.1')).toEqual([]);
    expect(values(ipDetector, 'at 10:30:45 and std::vector')).toEqual([]);
  });
});
