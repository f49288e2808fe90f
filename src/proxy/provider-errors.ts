/**
 * Gateway errors on a provider's route leave in that provider's own error shape (built by its
 * adapter), so the provider's SDK raises its usual typed errors.
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { ProviderErrorBody } from './providers/provider-adapter.js';

/** Writes an adapter-shaped error response unless headers are already out (then the socket is just ended). */
export function sendProviderError(res: ServerResponse, error: ProviderErrorBody, requestId: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify(error.body);
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': requestId,
  });
  res.end(payload);
}
