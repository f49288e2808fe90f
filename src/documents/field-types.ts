/**
 * Header-aware masking: a CSV column or JSON key whose name says what it holds is masked whole,
 * even where a value looks harmless to the detectors (a bare surname, an SSN without dashes).
 * @module
 */

/** Whole normalised names (lower case, separators dropped). */
const EXACT: Readonly<Record<string, string>> = {
  name: 'PERSON',
  fullname: 'PERSON',
  firstname: 'PERSON',
  lastname: 'PERSON',
  surname: 'PERSON',
  givenname: 'PERSON',
  familyname: 'PERSON',
  middlename: 'PERSON',
  patient: 'PERSON',
  patientname: 'PERSON',
  customername: 'PERSON',
  contactname: 'PERSON',
  employeename: 'PERSON',
  address: 'ADDRESS',
  streetaddress: 'ADDRESS',
  homeaddress: 'ADDRESS',
  street: 'ADDRESS',
  dob: 'DATE_OF_BIRTH',
  dateofbirth: 'DATE_OF_BIRTH',
  birthdate: 'DATE_OF_BIRTH',
  birthday: 'DATE_OF_BIRTH',
  creditcard: 'CREDIT_CARD',
  cardnumber: 'CREDIT_CARD',
  ccnumber: 'CREDIT_CARD',
  ipaddress: 'IP',
  ip: 'IP',
  socialsecuritynumber: 'SSN',
  medicalrecordnumber: 'MRN',
  accountnumber: 'ACCOUNT',
  passportnumber: 'PASSPORT',
  driverslicense: 'DRIVER_LICENSE',
  driverlicense: 'DRIVER_LICENSE',
  password: 'SECRET',
  apikey: 'SECRET',
  secret: 'SECRET',
  token: 'SECRET',
};

/**
 * Words that name the column when they end it (`customer_email`, `home_phone`, `ssn`). Only the
 * last word counts, so `email_verified` (a boolean) is not masked.
 */
const LAST_WORD: Readonly<Record<string, string>> = {
  email: 'EMAIL',
  mail: 'EMAIL',
  emailaddress: 'EMAIL',
  ssn: 'SSN',
  phone: 'PHONE',
  mobile: 'PHONE',
  telephone: 'PHONE',
  tel: 'PHONE',
  cell: 'PHONE',
  fax: 'PHONE',
  iban: 'IBAN',
  mrn: 'MRN',
  passport: 'PASSPORT',
  dob: 'DATE_OF_BIRTH',
};

/** Words that, after a type word, still describe the same value (`email_address`, `phone_no`). */
const TRAILING_NOISE = new Set(['address', 'number', 'no', 'num', 'nr', 'id']);

/** The entity type a field name implies, or undefined. */
export function fieldType(name: string): string | undefined {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  if (words.length === 0) return undefined;
  const exact = EXACT[words.join('')];
  if (exact !== undefined) return exact;
  const endsWithAddress = words[words.length - 1] === 'address';
  while (words.length > 1 && TRAILING_NOISE.has(words[words.length - 1] ?? '')) words.pop();
  const last = words[words.length - 1] ?? '';
  return LAST_WORD[last] ?? EXACT[words.slice(-2).join('')] ?? (endsWithAddress ? 'ADDRESS' : undefined);
}
