/**
 * The key seam. A `KeyProvider` wraps and unwraps per-tenant data keys (envelope encryption):
 * only wrapped data keys are ever stored next to the values.
 * @module
 */

export interface WrappedKey {
  /** Id of the key-encryption key that wrapped it (enables rotation). */
  readonly keyId: string;
  readonly wrapped: Uint8Array;
}

export interface KeyProvider {
  /** e.g. `local`, `vault-transit`, `aws-kms`. */
  readonly kind: string;
  wrap(dataKey: Uint8Array, context: { tenant: string }): Promise<WrappedKey>;
  unwrap(key: WrappedKey, context: { tenant: string }): Promise<Uint8Array>;
}
