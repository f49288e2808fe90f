/**
 * HTML character references: enough to let detectors see `john&#64;example.com` as an address,
 * not a full HTML5 table. Unknown references stay as written.
 * @module
 */

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  commat: '@',
  period: '.',
  plus: '+',
  lpar: '(',
  rpar: ')',
  hyphen: '-',
  dash: '-',
  ndash: '\u2013',
  mdash: '\u2014',
  copy: '\u00a9',
  reg: '\u00ae',
  eacute: '\u00e9',
  egrave: '\u00e8',
  uuml: '\u00fc',
  ouml: '\u00f6',
  auml: '\u00e4',
  szlig: '\u00df',
  ntilde: '\u00f1',
  ccedil: '\u00e7',
};

const REFERENCE = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/;

/** The reference at `index` in `source`: its decoded text and raw length, or undefined. */
export function readReference(source: string, index: number): { text: string; length: number } | undefined {
  const match = REFERENCE.exec(source.slice(index, index + 40));
  if (match === null) return undefined;
  const [raw, decimal, hex, name] = match;
  if (name !== undefined) {
    const text = NAMED[name];
    return text === undefined ? undefined : { text, length: raw.length };
  }
  const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
  if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return { text: String.fromCodePoint(code), length: raw.length };
}

/** Escapes a placeholder for an HTML text node or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
