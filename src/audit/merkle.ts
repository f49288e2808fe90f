/**
 * Merkle tree hash over event hashes, as in RFC 6962 (Certificate Transparency): leaves and
 * inner nodes are hashed with different prefixes so a leaf can never pass for a node, and an
 * unbalanced tree splits at the largest power of two below its size.
 * @module
 */
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function leafHash(hexHash: string): Buffer {
  return createHash('sha256').update(LEAF).update(Buffer.from(hexHash, 'hex')).digest();
}

function treeHash(leaves: readonly Buffer[], start: number, end: number): Buffer {
  const size = end - start;
  if (size === 1) return leaves[start] as Buffer;
  let split = 1;
  while (split * 2 < size) split *= 2;
  return createHash('sha256')
    .update(NODE)
    .update(treeHash(leaves, start, start + split))
    .update(treeHash(leaves, start + split, end))
    .digest();
}

/** Merkle root (hex) over `hashes` (hex event hashes, in chain order). */
export function merkleRoot(hashes: readonly string[]): string {
  if (hashes.length === 0) return createHash('sha256').digest('hex');
  const leaves = hashes.map(leafHash);
  return treeHash(leaves, 0, leaves.length).toString('hex');
}
