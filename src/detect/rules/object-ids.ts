/**
 * Identifiers that carry no keyword but their own shape:
 * - the object ids of payment and customer systems, a type prefix and an underscore
 *   (`cus_Q2mX8wLp`, `ch_3PqL8x2eZvK1`, `usr_7721`, `u_8812034`), which API responses, logs and
 *   agent tool results are full of and which lead straight to one customer;
 * - record codes, a short capital prefix and five digits or more (`P-008812`, `AT-7730412`,
 *   `DD-90412-7`), as tables and forms list patients, policies and orders. Standards, advisories
 *   and product families written the same way (`ISO-27001`, `CVE-2024-12345`) are not records.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.object_id';

/** Prefixes of customer, user, payment, order and ticket objects. */
const OBJECT_ID =
  /(?<![\w-])(?:cus|cust|customer|ch|py|pi|pm|seti|src|card|ba|sub|si|in|inv|txn|tx|acct|acc|usr|user|uid|u|mem|member|pat|patient|emp|employee|client|contact|lead|ord|order|tkt|ticket|case|claim|pol|policy)_(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{4,40}(?![\w-])/g;

/** One to four capitals, a dash, five digits or more, optionally a dash and a check part. */
const RECORD_CODE = /(?<![\w-])([A-Z]{1,4})-(\d{5,12})(?:-[0-9A-Z]{1,4})?(?![\w-]|[.,]\d)/g;
/** Prefixes of standards, advisories, norms and product families, not of records. */
const NOT_RECORDS = new Set([
  'ISO', 'IEC', 'EN', 'DIN', 'RFC', 'CVE', 'CWE', 'GHSA', 'SHA', 'UTF', 'ANSI', 'IEEE', 'NIST', 'SP', 'MIL', 'ASTM', 'BS', 'JIS',
  'GB', 'ECMA', 'PEP', 'JSR', 'KB', 'MS', 'CAS', 'EC', 'IS', 'NFPA', 'UL', 'CSA', 'SAE', 'API', 'FIPS', 'X', 'COVID', 'SARS',
  'HTTP', 'TLS', 'SSL', 'ISBN', 'ISSN', 'DOI', 'PMID', 'OMB', 'USC', 'CFR', 'HR', 'S', 'EO', 'JIRA',
]);

export function findObjectIds(text: string): Span[] {
  const spans: Span[] = [];
  if (text.includes('_')) {
    OBJECT_ID.lastIndex = 0;
    for (let match = OBJECT_ID.exec(text); match !== null; match = OBJECT_ID.exec(text)) {
      spans.push(span(match.index, match.index + match[0].length, 'ID', 0.7, ID));
    }
  }
  if (text.includes('-')) {
    RECORD_CODE.lastIndex = 0;
    for (let match = RECORD_CODE.exec(text); match !== null; match = RECORD_CODE.exec(text)) {
      if (NOT_RECORDS.has(match[1] as string)) continue;
      spans.push(span(match.index, match.index + match[0].length, 'ID', 0.6, ID));
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export const objectIdDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['ID'],
  detect: findObjectIds,
};
