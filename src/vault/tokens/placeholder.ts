/**
 * The default token format, `<<TYPE_N>>`: readable by the model, numbered per scope and type
 * in order of first appearance.
 * @module
 */

/** Canonical key of the N-th token of a type, e.g. `PERSON_1`. */
export function tokenKey(type: string, seq: number): string {
  return `${type}_${seq}`;
}

/** How a token key is written into outgoing text. */
export function renderPlaceholder(key: string): string {
  return `<<${key}>>`;
}

const TOKEN_KEY = /^([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)_(\d+)$/;

/** The entity type of a canonical token key, or undefined when it is not one. */
export function typeOfTokenKey(key: string): string | undefined {
  return TOKEN_KEY.exec(key)?.[1];
}

/** Whether `key` is a canonical token key (`PERSON_1`); no match object is built (masking asks per span). */
export function isTokenKey(key: string): boolean {
  return TOKEN_KEY.test(key);
}
