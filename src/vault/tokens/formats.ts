/**
 * The token formats and how a token is written into outgoing text. The format is an input
 * chosen per entity type (by policy); the vault only applies it.
 *
 * | format       | looks like                        | stored | reversible            |
 * |--------------|-----------------------------------|--------|-----------------------|
 * | placeholder  | `<<EMAIL_1>>`                     | yes    | from the vault row    |
 * | opaque       | `VEIL_EMAIL_K7QX2A_3FA9C2…`       | yes    | from the vault row    |
 * | opaque-siv   | `VEIL_EMAIL_K7QX2A_SMZXW6…`       | yes    | row, or the key alone |
 * | fpe          | `4539 1488 0343 6467`             | yes    | row, or the key alone |
 * | hash         | `HASH_EMAIL_MZXW6YTBOI…`          | no     | no                    |
 * | redact       | `[EMAIL]`                         | no     | no                    |
 * @module
 */
import { isTokenKey, renderPlaceholder } from './placeholder.js';

export const TOKEN_FORMATS = ['placeholder', 'opaque', 'opaque-siv', 'fpe', 'hash', 'redact'] as const;
export type TokenFormatName = (typeof TOKEN_FORMATS)[number];

/** Picks the format of an entity type (e.g. from policy); the default is placeholder. */
export type FormatChooser = (type: string) => TokenFormatName;

export const PLACEHOLDER_ONLY: FormatChooser = () => 'placeholder';

export function isTokenFormat(name: string): name is TokenFormatName {
  return (TOKEN_FORMATS as readonly string[]).includes(name);
}

/** Formats whose tokens are stored in the vault and put back by rehydration. */
export function isStoredFormat(format: TokenFormatName): boolean {
  return format !== 'hash' && format !== 'redact';
}

/** A chooser from a per-type table, with a default for the other types. */
export function formatsByType(
  table: Readonly<Record<string, TokenFormatName>>,
  fallback: TokenFormatName = 'placeholder',
): FormatChooser {
  const map = new Map(Object.entries(table));
  return (type) => map.get(type) ?? fallback;
}

/**
 * How `tokenize`'s answer is written into text: placeholder keys (`EMAIL_1`) in `<<…>>`, every
 * other format as it is. What `src/pipeline/mask.ts` should call instead of `renderPlaceholder`.
 */
export function renderToken(token: string): string {
  return isTokenKey(token) ? renderPlaceholder(token) : token;
}
