/**
 * Property tests: for generated documents of every format, the masked output parses back in its
 * format, holds none of the values, and unmasking gives the original bytes back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/documents/csv.js';
import type { DocumentFormat } from '../../src/documents/format.js';
import { scanHtml } from '../../src/documents/html.js';
import { maskDocument, unmaskDocument } from '../../src/documents/mask-document.js';
import { testVeil } from './helpers.js';

const VALUES = ['maria.garcia@example.com', 'j.roe@example.org', '+1 415 555 0132', '123-45-6789', '4111 1111 1111 1111'];
const WORDS = ['call', 'the', 'patient', 'at', 'or', 'mail', 'é', '"', "'", ',', ';', '<', '>', '&', '\\', '/', ' ', '\n', '\t', 'a&b', '😀'];

const textArbitrary = fc.array(fc.oneof(fc.constantFrom(...VALUES), fc.constantFrom(...WORDS)), { maxLength: 12 }).map((parts) => parts.join(' '));

async function check(source: string, format: DocumentFormat): Promise<string> {
  const veil = testVeil();
  const scope = await veil.openScope({});
  const masked = await maskDocument(veil, source, { format, scope });
  expect(unmaskDocument(veil, masked.text, scope, format)).toBe(source);
  return masked.text;
}

const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    textArbitrary,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('email', 'name', 'note', 'phone', 'id'), textArbitrary), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('round trips', () => {
  it('JSON: valid, same keys and non-string leaves, values gone, original restored', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, fc.constantFrom(0, 2), fc.boolean(), async (value, indent, asciiOnly) => {
        let source = JSON.stringify({ root: value }, null, indent);
        // Escaped non-ASCII, as some serialisers write it.
        if (asciiOnly) source = source.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
        const masked = await check(source, 'json');
        const parsed = JSON.parse(masked) as unknown;
        const shape = (node: unknown): unknown =>
          typeof node === 'string'
            ? 'S'
            : Array.isArray(node)
              ? node.map(shape)
              : node !== null && typeof node === 'object'
                ? Object.fromEntries(Object.entries(node).map(([key, child]) => [key, shape(child)]))
                : node;
        expect(shape(parsed)).toEqual(shape(JSON.parse(source)));
        // Keys are kept as they are (by design); string leaves must hold no value.
        const leaves: string[] = [];
        const collect = (node: unknown): void => {
          if (typeof node === 'string') leaves.push(node);
          else if (node !== null && typeof node === 'object') Object.values(node).forEach(collect);
        };
        collect(parsed);
        for (const secret of VALUES) for (const leaf of leaves) expect(leaf).not.toContain(secret);
      }),
      // A typed field whose value is the number plus a symbol once shared the plain number's token.
      { numRuns: 150, examples: [[[{ phone: "+1 415 555 0132 '" }, '+1 415 555 0132'], 0, false]] },
    );
  });

  it('CSV: same rows and columns, quoting kept, values gone, original restored', async () => {
    const cell = textArbitrary.map((text) => text.replace(/\r/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        async (delimiter, newline, rows) => {
          const quote = (text: string): string =>
            text.includes(delimiter) || text.includes('"') || text.includes('\n') || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
          const table = [['name', 'note', 'email'], ...rows];
          const source = table.map((row) => row.map(quote).join(delimiter)).join(newline) + newline;
          const masked = await check(source, 'csv');
          const parsed = parseCsv(masked, delimiter);
          expect(parsed.rows.map((row) => row.length)).toEqual(table.map(() => 3));
          for (const row of parsed.rows) for (const parsedCell of row) for (const secret of VALUES) expect(parsedCell.segment.text).not.toContain(secret);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('HTML: same tags and attributes, values gone, original restored', async () => {
    const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const node = fc.oneof(
      textArbitrary.map(escapeText),
      fc.tuple(fc.constantFrom('p', 'span', 'td', 'a'), textArbitrary, textArbitrary).map(
        ([tag, title, body]) => `<${tag} title="${escapeText(title).replace(/"/g, '&quot;')}">${escapeText(body)}</${tag}>`,
      ),
      textArbitrary.map((text) => `<img alt='${escapeText(text).replace(/'/g, '&#39;')}'>`),
      textArbitrary.map((text) => `<!-- ${text.replace(/-->/g, '')} -->`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(node, { maxLength: 6 }), async (nodes) => {
        const source = `<!DOCTYPE html><body>${nodes.join('\n')}</body>`;
        const masked = await check(source, 'html');
        const before = scanHtml(source);
        const after = scanHtml(masked);
        expect(after.tags).toEqual(before.tags);
        for (const segment of after.segments) for (const secret of VALUES) expect(segment.text).not.toContain(secret);
      }),
      { numRuns: 150 },
    );
  });

  it('text, Markdown and JSONL restore the original', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(textArbitrary, { maxLength: 5 }), async (lines) => {
        const text = lines.join('\n');
        for (const secret of VALUES) expect(await check(text, 'text')).not.toContain(secret);
        await check(`# Title\n\n${text}\n`, 'md');
        const jsonl = lines.map((line) => JSON.stringify({ line })).join('\n');
        const masked = await check(jsonl, 'jsonl');
        for (const row of masked.split('\n').filter((row) => row !== '')) expect(() => JSON.parse(row) as unknown).not.toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('any input, however malformed, round-trips as HTML, CSV, Markdown and text', async () => {
    const piece = fc.oneof(
      fc.constantFrom(...VALUES),
      fc.constantFrom('<', '>', '</', '<!--', '-->', '<!', '<?', '"', "'", '=', '&', '&amp;', '&#64;', '&#x40;', '&lt;', '<p ', '<a href=', '<script>', '</script', '<style>', '<textarea>', '/>', ',', ';', '\t', '\r\n', '\n', '""'),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), async (pieces) => {
        const source = pieces.join('');
        for (const format of ['html', 'csv', 'md', 'text'] as const) await check(source, format);
      }),
      { numRuns: 300 },
    );
  });
});
