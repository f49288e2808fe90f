/**
 * Reading bodies with a limit: a declared Content-Length over the limit is refused before a
 * byte is read; a chunked body is counted as it arrives and refused as soon as it passes.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { VeilError, VeilErrorCode } from '../core/errors.js';

function tooLarge(limit: number): VeilError {
  return new VeilError(VeilErrorCode.TooLarge, `Request body is larger than the gateway limit of ${limit} bytes.`, {
    data: { limit },
  });
}

export function readRequestBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    // Let the client finish sending so it can read the 413 instead of a reset.
    request.resume();
    return Promise.reject(tooLarge(limit));
  }
  return readAll(request, limit, () => tooLarge(limit));
}

/** Collects a stream into one buffer; `onLimit` makes the error when it grows past `limit`. */
export function readAll(stream: Readable, limit: number, onLimit: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(onLimit());
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    stream.once('error', (error) => {
      failed = true;
      reject(error);
    });
    stream.once('close', () => {
      if (!failed && !stream.readableEnded) {
        failed = true;
        reject(new VeilError(VeilErrorCode.BadInput, 'The connection closed before the body was complete.'));
      }
    });
  });
}
