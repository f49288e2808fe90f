/**
 * The document formats Veil masks and how a format is picked for a file.
 * @module
 */
import { extname } from 'node:path';

export const DOCUMENT_FORMATS = ['text', 'md', 'html', 'json', 'csv', 'jsonl'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

const BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  '.md': 'md',
  '.markdown': 'md',
  '.mdx': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

export function isDocumentFormat(value: string): value is DocumentFormat {
  return (DOCUMENT_FORMATS as readonly string[]).includes(value);
}

/** Format for a file name; anything unknown is plain text. */
export function formatForPath(path: string): DocumentFormat {
  return BY_EXTENSION[extname(path).toLowerCase()] ?? 'text';
}

/**
 * Resolves `auto` (or undefined) from the file name, and from the content for stdin: a JSON
 * object or array is JSON, a leading `<` tag is HTML, anything else text.
 */
export function resolveFormat(requested: string | undefined, path: string | undefined, content: string): DocumentFormat {
  if (requested !== undefined && requested !== 'auto') {
    if (!isDocumentFormat(requested)) throw new RangeError(`unknown format '${requested}'`);
    return requested;
  }
  if (path !== undefined && path !== '-') return formatForPath(path);
  const head = content.trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    try {
      JSON.parse(content);
      return 'json';
    } catch {
      return 'text';
    }
  }
  if (/^<(?:!doctype\s+html|html|body|div|p|head)\b/i.test(head)) return 'html';
  return 'text';
}
