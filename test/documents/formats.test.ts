import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/documents/csv.js';
import { fieldType } from '../../src/documents/field-types.js';
import { formatForPath, resolveFormat, type DocumentFormat } from '../../src/documents/format.js';
import { scanHtml } from '../../src/documents/html.js';
import { maskDocument, unmaskDocument } from '../../src/documents/mask-document.js';
import { testVeil } from './helpers.js';

const EMAIL = 'maria.garcia@example.com';
const PHONE = '+1 415 555 0132';
const SSN = '123-45-6789';
const CARD = '4111 1111 1111 1111';
const IBAN = 'GB82 WEST 1234 5698 7654 32';
const VALUES = [EMAIL, PHONE, SSN, CARD, IBAN];

async function roundTrip(source: string, format: DocumentFormat): Promise<string> {
  const veil = testVeil();
  const scope = await veil.openScope({});
  const masked = await maskDocument(veil, source, { format, scope });
  expect(unmaskDocument(veil, masked.text, scope, format)).toBe(source);
  return masked.text;
}

function expectNoValues(text: string): void {
  for (const value of VALUES) expect(text).not.toContain(value);
}

describe('plain text and Markdown', () => {
  it('masks text and round-trips byte for byte', async () => {
    const source = `Dear Maria,\r\nyour card ${CARD} and ${EMAIL}.\n\tIBAN ${IBAN}\n`;
    const masked = await roundTrip(source, 'text');
    expect(masked).toBe('Dear Maria,\r\nyour card <<CREDIT_CARD_1>> and <<EMAIL_1>>.\n\tIBAN <<IBAN_1>>\n');
  });

  it('keeps Markdown structure: headings, links, autolinks, tables, code', async () => {
    const source = [
      '# Patient notes',
      '',
      `Contact [Maria](mailto:${EMAIL}) or <${EMAIL}>, phone **${PHONE}**.`,
      '',
      '| name | ssn |',
      '|------|-----|',
      `| Maria | ${SSN} |`,
      '',
      '```',
      `curl -d ssn=${SSN} https://example.org`,
      '```',
      '',
    ].join('\n');
    const masked = await roundTrip(source, 'md');
    expectNoValues(masked);
    expect(masked.split('\n')).toHaveLength(source.split('\n').length);
    expect(masked).toContain('[Maria](mailto:<<EMAIL_1>>) or <<<EMAIL_1>>>, phone **<<PHONE_1>>**.');
    // The `name` column is masked whole: a bare first name is no detector's finding.
    expect(masked).toContain('| <<PERSON_1>> | <<SSN_1>> |');
    expect(masked).toContain('curl -d ssn=<<SSN_1>> https://example.org');
  });
});

describe('Markdown tables', () => {
  it('masks header-named columns whole, leaves other tables and fenced code to the detectors', async () => {
    const source = [
      '| ID | Full name | Customer email | Notes |',
      '|---:|:----------|----------------|-------|',
      `| 1 | Maria Garcia | n/a | call ${PHONE} |`,
      '| 2 |  | ops\\|x | fine |',
      '',
      '| item | qty |',
      '| --- | --- |',
      '| Maria | 2 |',
      '',
      '```',
      '| name |',
      '| --- |',
      '| Maria |',
      '```',
      '',
    ].join('\r\n');
    const masked = await roundTrip(source, 'md');
    expect(masked.split('\r\n')).toEqual([
      '| ID | Full name | Customer email | Notes |',
      '|---:|:----------|----------------|-------|',
      '| 1 | <<PERSON_1>> | <<EMAIL_1>> | call <<PHONE_1>> |',
      '| 2 |  | <<EMAIL_2>> | fine |',
      '',
      '| item | qty |',
      '| --- | --- |',
      '| Maria | 2 |',
      '',
      '```',
      '| name |',
      '| --- |',
      '| Maria |',
      '```',
      '',
    ]);
  });
});

describe('HTML', () => {
  const source = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><title>Record of maria.garcia@example.com</title>',
    '<style>p { color: red }</style></head>',
    `<body class="x"><p title="Call ${PHONE}" data-id=7>Mail maria.garcia&#64;example.com &amp; friends</p>`,
    `<img alt='SSN ${SSN}' src="a.png"><input value=${SSN}>`,
    `<!-- card ${CARD} -->`,
    `<script>const iban = "${IBAN}";</script>`,
    '<p>nothing here &lt;b&gt;</p></body></html>',
    '',
  ].join('\n');

  it('masks text nodes, attribute values, comments and scripts, and leaves markup untouched', async () => {
    const masked = await roundTrip(source, 'html');
    expectNoValues(masked);
    expect(masked).not.toContain('maria.garcia&#64;example.com');
    const before = scanHtml(source);
    const after = scanHtml(masked);
    // Same tags, same attributes, in the same order: nothing was opened or closed by a placeholder.
    expect(after.tags).toEqual(before.tags);
    expect(masked).toContain('<title>Record of &lt;&lt;EMAIL_1&gt;&gt;</title>');
    expect(masked).toContain('<p title="Call &lt;&lt;PHONE_1&gt;&gt;" data-id=7>Mail &lt;&lt;EMAIL_2&gt;&gt; &amp; friends</p>');
    expect(masked).toContain("<img alt='SSN &lt;&lt;SSN_1&gt;&gt;' src=\"a.png\"><input value=&lt;&lt;SSN_1&gt;&gt;>");
    expect(masked).toContain('<!-- card <<CREDIT_CARD_1>> -->');
    expect(masked).toContain('<script>const iban = "<<IBAN_1>>";</script>');
    expect(masked).toContain('<p>nothing here &lt;b&gt;</p>');
    // Decoded, the text nodes read as ordinary placeholders.
    const texts = after.segments.map((segment) => segment.text);
    expect(texts).toContain('Mail <<EMAIL_2>> & friends');
  });
});

describe('JSON and JSONL', () => {
  it('keeps keys, masks string leaves, leaves numbers alone, stays valid', async () => {
    const source = JSON.stringify(
      {
        email: 'harmless',
        contact: { phone: '555', note: `call ${PHONE} or mail ${EMAIL}` },
        emails: [EMAIL, 'someone@example.org'],
        count: 3,
        active: true,
        'maria.garcia@example.com': 'keys are kept',
      },
      null,
      2,
    );
    const masked = await roundTrip(source, 'json');
    const parsed = JSON.parse(masked) as Record<string, unknown>;
    expect(parsed).toEqual({
      email: '<<EMAIL_1>>',
      contact: { phone: '<<PHONE_1>>', note: 'call <<PHONE_2>> or mail <<EMAIL_2>>' },
      emails: ['<<EMAIL_2>>', '<<EMAIL_3>>'],
      count: 3,
      active: true,
      'maria.garcia@example.com': 'keys are kept',
    });
    // Formatting (indentation, key order) is the source's own.
    expect(masked.split('\n')).toHaveLength(source.split('\n').length);
  });

  it('decodes escapes for detection and restores the escaped bytes', async () => {
    const source = '{"note":"SSN 123\\u002d45-6789 \\"quoted\\" maria.garcia\\u0040example.com\\n"}';
    const masked = await roundTrip(source, 'json');
    expect(JSON.parse(masked)).toEqual({ note: 'SSN <<SSN_1>> "quoted" <<EMAIL_1>>\n' });
  });

  it('reports invalid JSON by position without quoting the input', async () => {
    const veil = testVeil();
    const scope = await veil.openScope({});
    await expect(maskDocument(veil, `{"ssn": "${SSN}",}`, { format: 'json', scope })).rejects.toThrow(/invalid JSON at character \d+$/);
    await expect(maskDocument(veil, `{"a":1}\n{"ssn": "${SSN}"`, { format: 'jsonl', scope })).rejects.toThrow(/invalid JSON on line 2/);
    await expect(maskDocument(veil, `{"ssn": "${SSN}",}`, { format: 'json', scope })).rejects.not.toThrow(SSN);
  });

  it('keeps a byte-order mark', async () => {
    const masked = await roundTrip(`\uFEFF{"email":"${EMAIL}"}`, 'json');
    expect(masked).toBe('\uFEFF{"email":"<<EMAIL_1>>"}');
  });

  it('masks JSONL line by line with one token numbering', async () => {
    const source = `{"user":"${EMAIL}","n":1}\n\n{"user":"${EMAIL}","phone":"${PHONE}"}\n`;
    const masked = await roundTrip(source, 'jsonl');
    const lines = masked.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { user: '<<EMAIL_1>>', n: 1 },
      { user: '<<EMAIL_1>>', phone: '<<PHONE_1>>' },
    ]);
  });
});

describe('CSV', () => {
  it('masks header-named columns whole and keeps delimiter, quoting and line ends', async () => {
    const source = `id;Full Name;E-mail;notes\r\n1;Maria Garcia;n/a;"said ""call ${PHONE}""; ok"\r\n2;"Roe; John";${EMAIL};\r\n`;
    const masked = await roundTrip(source, 'csv');
    expect(masked).toBe(
      'id;Full Name;E-mail;notes\r\n1;<<PERSON_1>>;<<EMAIL_1>>;"said ""call <<PHONE_1>>""; ok"\r\n2;"<<PERSON_2>>";<<EMAIL_2>>;\r\n',
    );
    const table = parseCsv(masked);
    expect(table.delimiter).toBe(';');
    expect(table.rows.map((row) => row.length)).toEqual([4, 4, 4]);
  });

  it('parses tab-separated files and masks detections in other columns', async () => {
    const source = `city\tcomment\nParis\tSSN ${SSN}\n`;
    const masked = await roundTrip(source, 'csv');
    expect(masked).toBe('city\tcomment\nParis\tSSN <<SSN_1>>\n');
  });

  it('does not mask placeholders again when a masked file is masked', async () => {
    const veil = testVeil();
    const scope = await veil.openScope({});
    const once = await maskDocument(veil, `name,email\nMaria,${EMAIL}\n`, { format: 'csv', scope });
    const twice = await maskDocument(veil, once.text, { format: 'csv', scope });
    expect(twice.text).toBe(once.text);
    expect(twice.entities).toEqual([]);
  });
});

describe('field names and formats', () => {
  it.each([
    ['email', 'EMAIL'],
    ['customer_email', 'EMAIL'],
    ['emailAddress', 'EMAIL'],
    ['E-mail', 'EMAIL'],
    ['SSN', 'SSN'],
    ['home_phone', 'PHONE'],
    ['phone_number', 'PHONE'],
    ['name', 'PERSON'],
    ['First Name', 'PERSON'],
    ['patient_name', 'PERSON'],
    ['billing_address', 'ADDRESS'],
    ['ip_address', 'IP'],
    ['dob', 'DATE_OF_BIRTH'],
    ['iban', 'IBAN'],
  ])('%s is %s', (name, type) => {
    expect(fieldType(name)).toBe(type);
  });

  it.each(['email_verified', 'company_name', 'filename', 'id', 'notes', 'count'])('%s is not personal', (name) => {
    expect(fieldType(name)).toBeUndefined();
  });

  it('picks formats from extensions and sniffs stdin', () => {
    expect(formatForPath('a/b.CSV')).toBe('csv');
    expect(formatForPath('x.ndjson')).toBe('jsonl');
    expect(formatForPath('x.htm')).toBe('html');
    expect(formatForPath('README')).toBe('text');
    expect(resolveFormat('auto', '-', '{"a": 1}')).toBe('json');
    expect(resolveFormat(undefined, undefined, '<!DOCTYPE html><p>x')).toBe('html');
    expect(resolveFormat('auto', undefined, '{not json')).toBe('text');
    expect(resolveFormat('csv', 'x.json', '')).toBe('csv');
    expect(() => resolveFormat('pdf', undefined, '')).toThrow(/unknown format/);
  });
});
