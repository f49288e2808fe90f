import { describe, expect, it } from 'vitest';
import { privateKeyDetector } from '../../../src/detect/rules/private-key.js';
import { values } from './helpers.js';

const BLOCK = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('rules.private_key', () => {
  it('masks the whole PEM block', () => {
    expect(values(privateKeyDetector, `key:\n${BLOCK}\nthanks`)).toEqual([BLOCK]);
    const openssh = BLOCK.replaceAll('RSA PRIVATE', 'OPENSSH PRIVATE');
    expect(values(privateKeyDetector, openssh)).toEqual([openssh]);
  });

  it('masks to the end of the body when the END line is missing', () => {
    const cut = BLOCK.split('\n').slice(0, 3).join('\n');
    expect(values(privateKeyDetector, `${cut}\n`)).toEqual([cut]);
  });

  it('leaves public keys and certificates alone', () => {
    expect(values(privateKeyDetector, '-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----')).toEqual([]);
    expect(values(privateKeyDetector, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toEqual([]);
  });
});
