/**
 * `redact`: the value is replaced by its type in brackets, `[EMAIL]`. One-way: nothing is
 * stored and rehydration leaves it as it is.
 * @module
 */

export function redactToken(type: string): string {
  return `[${type}]`;
}
