/**
 * Named validators a custom regex entity may require (`validator: 'luhn'`). Names, not
 * functions, so the policy file can refer to them.
 * @module
 */
import { isValidAbaRouting } from '../rules/aba-routing.js';
import { isValidNhsNumber } from '../rules/nhs.js';
import { luhnValid } from '../rules/rule-kit.js';

export type Validator = (value: string) => boolean;

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/** ISO 7064 mod 97-10 over letters-as-numbers (IBAN and similar). */
function mod97(value: string): boolean {
  const compact = value.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z0-9]{5,34}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const d of part) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

export const VALIDATORS: Readonly<Record<string, Validator>> = {
  luhn: (value) => {
    const d = digits(value);
    return d.length >= 2 && luhnValid(d);
  },
  iban: mod97,
  mod97,
  aba: (value) => isValidAbaRouting(digits(value)),
  nhs: (value) => isValidNhsNumber(digits(value)),
  /** At least one digit that is not zero: drops "0000-0000" placeholders. */
  nonzero: (value) => /[1-9]/.test(value),
};

export function validatorNames(): string[] {
  return Object.keys(VALIDATORS);
}
