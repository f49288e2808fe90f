/**
 * Checkpoints: a signed Merkle root over the events written since the previous checkpoint.
 *
 * The event chain alone proves order and integrity only against someone who cannot rewrite
 * every hash after an edit. A checkpoint signed with the instance key pins a prefix of the
 * chain: rewriting any covered event changes the Merkle root and `last_hash`, and the new values
 * cannot be signed without the private key. Checkpoints are chained to each other as well, so
 * deleting one is visible.
 * @module
 */
import { z } from 'zod';
import { canonicalJson, GENESIS_HASH, sha256Hex } from './event.js';
import { merkleRoot } from './merkle.js';
import type { SigningKey } from './signing-key.js';

export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  readonly v: number;
  /** Checkpoint number, 1-based. */
  readonly seq: number;
  /** First and last event seq covered (inclusive). */
  readonly from_seq: number;
  readonly to_seq: number;
  readonly event_count: number;
  readonly merkle_root: string;
  /** Hash of event `to_seq`: signs the whole chain prefix, not only this window. */
  readonly last_hash: string;
  /** `hash` of the previous checkpoint, `GENESIS_HASH` for the first. */
  readonly prev_checkpoint_hash: string;
  readonly time: string;
  readonly key_id: string;
  /** SPKI PEM of the signer, so a verifier can name the key; trust comes from `trustedKeys`. */
  readonly public_key: string;
  /** Ed25519 (base64) over the canonical JSON of every field but `signature` and `hash`. */
  readonly signature: string;
  /** SHA-256 over the canonical JSON of every field but `hash`. */
  readonly hash: string;
}

export const checkpointSchema = z
  .object({
    v: z.number().int(),
    seq: z.number().int().positive(),
    from_seq: z.number().int().positive(),
    to_seq: z.number().int().positive(),
    event_count: z.number().int().positive(),
    merkle_root: z.string(),
    last_hash: z.string(),
    prev_checkpoint_hash: z.string(),
    time: z.string(),
    key_id: z.string(),
    public_key: z.string(),
    signature: z.string(),
    hash: z.string(),
  })
  .strict();

/** What a sink hands to the checkpoint builder, read under the sink's write lock. */
export interface CheckpointBasis {
  readonly previous: Pick<Checkpoint, 'seq' | 'to_seq' | 'hash'> | null;
  /** Hashes of the events after `previous.to_seq` (or from seq 1), in order. */
  readonly hashes: readonly string[];
  readonly fromSeq: number;
}

export type CheckpointBuilder = (basis: CheckpointBasis) => Checkpoint;

export function signedPayload(checkpoint: object): string {
  const { signature: _signature, hash: _hash, ...payload } = checkpoint as Record<string, unknown>;
  return canonicalJson(payload);
}

export function checkpointHash(checkpoint: object): string {
  const { hash: _hash, ...rest } = checkpoint as Record<string, unknown>;
  return sha256Hex(canonicalJson(rest));
}

/** A builder that signs with `key`. */
export function checkpointBuilder(key: SigningKey, now: () => Date = () => new Date()): CheckpointBuilder {
  return (basis) => {
    const last = basis.hashes[basis.hashes.length - 1];
    if (last === undefined) throw new RangeError('a checkpoint needs at least one event');
    const payload = {
      v: CHECKPOINT_VERSION,
      seq: (basis.previous?.seq ?? 0) + 1,
      from_seq: basis.fromSeq,
      to_seq: basis.fromSeq + basis.hashes.length - 1,
      event_count: basis.hashes.length,
      merkle_root: merkleRoot(basis.hashes),
      last_hash: last,
      prev_checkpoint_hash: basis.previous?.hash ?? GENESIS_HASH,
      time: now().toISOString(),
      key_id: key.keyId,
      public_key: key.publicKeyPem,
    };
    const signature = key.sign(canonicalJson(payload));
    const signed = { ...payload, signature };
    return { ...signed, hash: checkpointHash(signed) };
  };
}
