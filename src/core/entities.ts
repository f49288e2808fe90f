/**
 * The entity taxonomy. Parent types are the labels of the shared evaluation corpora; finer types
 * map back to a parent so that `veil eval` compares like with like.
 * @module
 */

export const PARENT_TYPES = [
  'PERSON',
  'ORG',
  'LOCATION',
  'DATE',
  'TIME',
  'AGE',
  'EMAIL',
  'PHONE',
  'URL',
  'IP',
  'SSN',
  'CREDIT_CARD',
  'IBAN',
  'ACCOUNT',
  'MRN',
  'ID',
  'MONEY',
  'QUANTITY',
  'MISC',
  'SECRET',
] as const;

export type ParentType = (typeof PARENT_TYPES)[number];

/** Finer types and the parent each one is scored as. */
export const FINE_TYPES = {
  DATE_OF_BIRTH: 'DATE',
  ADDRESS: 'LOCATION',
  ZIP: 'LOCATION',
  MAC: 'ID',
  ITIN: 'ID',
  PASSPORT: 'ID',
  DRIVER_LICENSE: 'ID',
  VIN: 'ID',
  NHS: 'ID',
  NINO: 'ID',
  USERNAME: 'ID',
  NATIONAL_ID: 'ID',
  LICENSE_PLATE: 'ID',
  /** An occupation stated about a person ("works as a school librarian"). */
  PROFESSION: 'MISC',
  ABA_ROUTING: 'ACCOUNT',
  CRYPTO_WALLET: 'ACCOUNT',
} as const satisfies Record<string, ParentType>;

export type FineType = keyof typeof FINE_TYPES;

/** Built-in entity types. Custom entities from policy may add more names (upper snake case). */
export type BuiltinEntityType = ParentType | FineType;

/** Any entity type name. Kept a string so that policy-defined custom types fit. */
export type EntityType = string;

const ENTITY_TYPE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*$/;

/** True when `name` is a legal entity type name: upper snake case, no trailing digits group. */
export function isValidEntityTypeName(name: string): boolean {
  return ENTITY_TYPE_PATTERN.test(name);
}

/** The parent (evaluation) type of an entity type; custom types are their own parent. */
export function parentType(type: EntityType): string {
  return (FINE_TYPES as Record<string, string>)[type] ?? type;
}
