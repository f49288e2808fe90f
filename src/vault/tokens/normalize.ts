/**
 * Normalisation decides when two surface forms are the same value and so get the same token:
 * `Maria@Example.com` and `maria@example.com`, `4111 1111 1111 1111` and `4111-1111-1111-1111`.
 * @module
 */

const DIGIT_TYPES = new Set(['PHONE', 'CREDIT_CARD', 'SSN', 'ITIN', 'ABA_ROUTING', 'NHS']);
const ALNUM_UPPER_TYPES = new Set(['IBAN', 'VIN', 'PASSPORT', 'DRIVER_LICENSE', 'MRN', 'ACCOUNT', 'ID', 'ZIP']);
const CASE_INSENSITIVE_TYPES = new Set(['EMAIL', 'URL', 'MAC', 'IP']);

export function normalizeValue(type: string, value: string): string {
  if (DIGIT_TYPES.has(type)) {
    const digits = value.replace(/[^0-9+]/g, '');
    // A leading + on a phone is kept; on everything else it is noise.
    return type === 'PHONE' ? digits : digits.replace(/\+/g, '');
  }
  if (ALNUM_UPPER_TYPES.has(type)) return value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  if (CASE_INSENSITIVE_TYPES.has(type)) return value.trim().toLowerCase();
  return value.trim().replace(/\s+/g, ' ');
}
