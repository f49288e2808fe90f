import { describe, expect, it } from 'vitest';
import { structuredFieldDetector } from '../../../src/detect/rules/structured-fields.js';
import { found } from './helpers.js';

describe('rules.structured_field', () => {
  it('types the values of JSON, YAML and query-string fields by the field name', () => {
    const json = '{"first_name": "Wendell", "mailing_street": "500 Main St", "mailing_city": "New York", "mailing_state": "NY", "mailing_postal_code": "10041"}';
    expect(found(structuredFieldDetector, json)).toEqual(['PERSON:Wendell', 'ADDRESS:500 Main St', 'LOCATION:New York', 'LOCATION:NY', 'ZIP:10041']);
    expect(found(structuredFieldDetector, 'customer:\n  city: "Springfield"\n  state: OR\n  postal_code: \'97477\'\n')).toEqual(['LOCATION:Springfield', 'LOCATION:OR', 'ZIP:97477']);
    expect(found(structuredFieldDetector, '/signup?zip=94103&city=oakland&plan=pro')).toEqual(['ZIP:94103', 'LOCATION:oakland']);
  });

  it('leaves statuses, cloud regions, placeholders and other rules\' values alone', () => {
    for (const text of [
      '{"state": "pending", "region": "us-east-1", "zip": null, "city": "", "last_name": "{{last_name}}"}',
      'address: 0x71C7656EC7ab88b098defB751B7401B5f6d8976F\naddress: admin@example.com\naddress: 127.0.0.1',
      'zip: abc; postal_code: TBD',
      'The name: is what it is, and the status: done.',
    ]) {
      expect(found(structuredFieldDetector, text), text).toEqual([]);
    }
  });

  it('reads on after a value that turned out to be prose', () => {
    expect(found(structuredFieldDetector, 'The state: Iowa is big. The city = Ames? ok')).toEqual(['LOCATION:Ames']);
  });
});
