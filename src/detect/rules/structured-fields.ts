/**
 * Values of structured records by the name of their field: JSON, YAML, form and query strings as
 * API responses and agent tool results carry them (`"mailing_postal_code": "10041"`,
 * `state: "OR"`, `last_name=price`). The field name says what the value is more surely than its
 * shape: a two-letter state or a bare five-digit number means nothing alone.
 * @module
 */
import type { EntityType } from '../../core/entities.js';
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.structured_field';

/** Field names (after any `mailing_`, `billing_`, `home_` … prefixes) and the type of their value. */
const FIELDS: Readonly<Record<string, EntityType>> = {
  postal_code: 'ZIP', postalcode: 'ZIP', postcode: 'ZIP', post_code: 'ZIP', zip: 'ZIP', zipcode: 'ZIP', zip_code: 'ZIP', plz: 'ZIP',
  city: 'LOCATION', town: 'LOCATION', locality: 'LOCATION', municipality: 'LOCATION',
  state: 'LOCATION', province: 'LOCATION', county: 'LOCATION', region: 'LOCATION',
  street: 'ADDRESS', street_address: 'ADDRESS', streetaddress: 'ADDRESS', address: 'ADDRESS', address1: 'ADDRESS',
  address2: 'ADDRESS', address_line1: 'ADDRESS', address_line2: 'ADDRESS', line1: 'ADDRESS', line2: 'ADDRESS',
  first_name: 'PERSON', firstname: 'PERSON', given_name: 'PERSON', givenname: 'PERSON', middle_name: 'PERSON',
  last_name: 'PERSON', lastname: 'PERSON', family_name: 'PERSON', familyname: 'PERSON', surname: 'PERSON',
  maiden_name: 'PERSON', full_name: 'PERSON', fullname: 'PERSON', contact_name: 'PERSON', customer_name: 'PERSON',
  patient_name: 'PERSON', account_holder: 'PERSON', cardholder_name: 'PERSON',
};

/** The field names of FIELDS as one alternation, longest first, for the pattern below. */
const KEYS = Object.keys(FIELDS)
  .sort((a, b) => b.length - a.length)
  .join('|');
/**
 * A field and its value: `"key": "value"`, `key: value` (YAML), `key=value` (forms, query
 * strings, env files). The key is whole (after a quote, a line start, a space, `&`, `?`, `{` or
 * `,`), one of FIELDS after any `word_` prefixes; naming the keys in the pattern keeps the scan
 * to one cheap pass over text that has none.
 */
const FIELD = new RegExp(
  `(?:^|[\\s"'{,&?])["']?((?:[a-z0-9]+_)*(?:${KEYS}))["']?[ \\t]*(?::|=)[ \\t]*(?:"([^"\\n]{1,120})"|'([^'\\n]{1,120})'|([^\\s"'&,;{}[\\]#][^\\n"'&,;{}[\\]#]{0,119}))`,
  'gm',
);
/** Values that hold no data: placeholders, nulls and template variables. */
const EMPTY = /^(?:null|none|nil|undefined|true|false|n\/a|na|-|tbd|unknown|string|\$\{.*\}|\{\{.*\}\}|<.*>|x+)$/i;

function fieldType(key: string): EntityType | undefined {
  const direct = FIELDS[key];
  if (direct !== undefined) return direct;
  // "mailing_postal_code", "billing_city", "home_address_line1": the name after the prefixes.
  for (let cut = key.indexOf('_'); cut !== -1; cut = key.indexOf('_', cut + 1)) {
    const type = FIELDS[key.slice(cut + 1)];
    if (type !== undefined) return type;
  }
  return undefined;
}

/** Words a `state` or `region` field holds in software: a status or a cloud region, not a place. */
const STATUS = /^(?:active|inactive|pending|open|closed|done|running|stopped|failed|enabled|disabled|new|draft|published|archived|deleted|ready|error|ok|on|off|idle|busy|online|offline|present|absent|started|completed|cancelled|canceled|unknown)$/i;
const TITLE_CASE_WORDS = /^\p{Lu}[\p{L}'’.-]*(?:[ \t]+\p{Lu}[\p{L}'’.-]*){0,3}$/u;

/** Whether `value` can be what the field's name says: a ZIP has digits, a name letters, and none is a sentence. */
function plausible(type: EntityType, value: string): boolean {
  if (type === 'ZIP') return /\d/.test(value) && value.length <= 10;
  if (!/\p{L}/u.test(value) || value.split(/\s+/).length > (type === 'ADDRESS' ? 10 : 5)) return false;
  // "0x71C7…" (a wallet), "admin@x.io", "https://…": other rules' values in an address field.
  if (type === 'ADDRESS') return !/^0x[0-9a-f]+$/i.test(value) && !value.includes('@') && !value.includes('://');
  // state, region, province, county: a place's name or its code, never a status word or "us-east-1".
  if (type === 'LOCATION') return !STATUS.test(value) && (/^[A-Z]{2,3}$/.test(value) || TITLE_CASE_WORDS.test(value) || /^\p{Ll}+(?: \p{Ll}+)?$/u.test(value));
  return true;
}

export function findStructuredFields(text: string): Span[] {
  if (text.indexOf(':') === -1 && text.indexOf('=') === -1) return [];
  const spans: Span[] = [];
  FIELD.lastIndex = 0;
  for (let match = FIELD.exec(text); match !== null; match = FIELD.exec(text)) {
    const type = fieldType(match[1] as string);
    const raw = match[2] ?? match[3] ?? match[4];
    // An unquoted value ends with its sentence ("city = Ames? ok").
    const unquoted = match[4] === undefined ? raw : raw?.split(/[.?!](?=\s|$)/)[0];
    const value = unquoted?.trim().replace(/[.,;]+$/, '') ?? '';
    if (type === undefined || raw === undefined || value.length === 0 || EMPTY.test(value) || !plausible(type, value)) {
      // What was read as this field's value may hold the next field ("state: Iowa is big. city = Ames").
      FIELD.lastIndex = match.index + 1;
      continue;
    }
    const start = match.index + match[0].length - raw.length - (match[2] !== undefined || match[3] !== undefined ? 1 : 0) + raw.indexOf(value);
    spans.push(span(start, start + value.length, type, 0.75, ID));
  }
  return spans;
}

export const structuredFieldDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['ZIP', 'LOCATION', 'ADDRESS', 'PERSON'],
  detect: findStructuredFields,
};
