import { describe, expect, it } from 'vitest';
import { objectIdDetector } from '../../../src/detect/rules/object-ids.js';
import { values } from './helpers.js';

describe('rules.object_id', () => {
  it('finds the object ids of customer and payment systems', () => {
    const text = '{"id": "cus_Q2mX8wLp", "charge": "ch_3PqL8x2eZvK1", "sub":"usr_7721"} GET /api/v2/profile/u_8812034 HTTP/1.1';
    expect(values(objectIdDetector, text)).toEqual(['cus_Q2mX8wLp', 'ch_3PqL8x2eZvK1', 'usr_7721', 'u_8812034']);
  });

  it('finds record codes in tables and forms', () => {
    expect(values(objectIdDetector, '| P-008812   | Angela Moretti |\nApólice: AT-7730412; order DD-90412-7')).toEqual(['P-008812', 'AT-7730412', 'DD-90412-7']);
  });

  it('leaves code identifiers, standards and short codes alone', () => {
    for (const text of [
      'my_var_12345 = test_case_1 + in_stock',
      'user_name and customer_id columns; cus_ without digits: cus_abcdef',
      'see ISO-27001, RFC-12345 and CVE-2024-12345',
      'the F-35 and the A-380; version 1.2-34567.8',
    ]) {
      expect(values(objectIdDetector, text), text).toEqual([]);
    }
  });
});
