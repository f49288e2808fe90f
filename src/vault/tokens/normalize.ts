/**
 * Normalisation decides when two surface forms are the same value and so get the same token:
 * `Maria@Example.com` and `maria@example.com`, `4111 1111 1111 1111` and `4111-1111-1111-1111`.
 * @module
 */

const DIGIT_TYPES = new Set(['PHONE', 'CREDIT_CARD', 'SSN', 'ITIN', 'ABA_ROUTING', 'NHS']);
const ALNUM_UPPER_TYPES = new Set(['IBAN', 'VIN', 'PASSPORT', 'DRIVER_LICENSE', 'MRN', 'ACCOUNT', 'ID', 'ZIP', 'NINO', 'NATIONAL_ID']);
/** Anything but digits and the characters numbers are written with: spaces, + - . ( ). */
const NOT_NUMBER_FORMATTING = /[^0-9\s+\-.()]/;
/** Anything but letters, digits and the separators codes are written with: spaces, - . /. */
const NOT_CODE_FORMATTING = /[^0-9A-Za-z\s\-./]/;
const CASE_INSENSITIVE_TYPES = new Set(['EMAIL', 'URL', 'MAC', 'IP']);

export function normalizeValue(type: string, value: string): string {
  if (DIGIT_TYPES.has(type)) {
    // Only formatting is folded: a value with anything else in it ("+1 415 555 0132 call", or a
    // stray quote, from a field typed by its name) is not the bare number and must not come back as it.
    if (NOT_NUMBER_FORMATTING.test(value)) return whole(value);
    const digits = value.replace(/[^0-9+]/g, '');
    // A leading + on a phone is kept; on everything else it is noise.
    return orWhole(type === 'PHONE' ? digits : digits.replace(/\+/g, ''), value);
  }
  if (ALNUM_UPPER_TYPES.has(type)) {
    if (NOT_CODE_FORMATTING.test(value)) return whole(value);
    return orWhole(value.replace(/[^0-9A-Za-z]/g, '').toUpperCase(), value);
  }
  if (CASE_INSENSITIVE_TYPES.has(type)) return value.trim().toLowerCase();
  return whole(value);
}

/** Whitespace other than single spaces: only then is there anything to fold. */
const FOLDABLE_SPACE = /[^\S ]| {2}/;

function whole(value: string): string {
  const trimmed = value.trim();
  return FOLDABLE_SPACE.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

/**
 * A value with no digits or letters left after reduction (a field typed ACCOUNT by its column
 * name holding "—") keeps its whole form: two different values must never share the empty identity,
 * or they would share one token and come back as each other.
 */
function orWhole(reduced: string, value: string): string {
  return /[0-9A-Za-z]/.test(reduced) ? reduced : whole(value);
}
