/**
 * The gateway's one boundary from errors to HTTP: every failure leaves as the OpenAI error shape
 * `{"error":{"message","type","code","param"}}`, so SDKs raise their usual typed errors.
 * Messages name fields and causes, never values from a body.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { VeilError, VeilErrorCode } from '../core/errors.js';

export interface OpenAIErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly code: string | null;
    readonly param: string | null;
  };
}

interface HttpMapping {
  readonly status: number;
  readonly type: string;
}

const MAPPINGS: Readonly<Record<VeilErrorCode, HttpMapping>> = {
  [VeilErrorCode.BadInput]: { status: 400, type: 'invalid_request_error' },
  [VeilErrorCode.Usage]: { status: 400, type: 'invalid_request_error' },
  [VeilErrorCode.Config]: { status: 500, type: 'server_error' },
  [VeilErrorCode.Vault]: { status: 503, type: 'server_error' },
  [VeilErrorCode.Key]: { status: 503, type: 'server_error' },
  [VeilErrorCode.LeakPrevented]: { status: 500, type: 'veil_error' },
  [VeilErrorCode.Blocked]: { status: 403, type: 'veil_error' },
  [VeilErrorCode.Upstream]: { status: 502, type: 'upstream_error' },
  [VeilErrorCode.UpstreamTimeout]: { status: 504, type: 'upstream_error' },
  [VeilErrorCode.TooLarge]: { status: 413, type: 'invalid_request_error' },
  [VeilErrorCode.NotFound]: { status: 404, type: 'invalid_request_error' },
  [VeilErrorCode.Unauthorized]: { status: 401, type: 'authentication_error' },
  [VeilErrorCode.Internal]: { status: 500, type: 'server_error' },
};

/** The wire body for an error; unknown errors become a generic 500 without their message. */
export function errorBody(error: unknown): { status: number; body: OpenAIErrorBody } {
  if (!VeilError.isInstance(error)) {
    return {
      status: 500,
      body: { error: { message: 'Internal gateway error.', type: 'server_error', code: VeilErrorCode.Internal, param: null } },
    };
  }
  const mapping = MAPPINGS[error.code];
  const field = error.data?.['field'];
  // Policy refusals carry their own status (401 vs 403, 404 for an unrouted path).
  const override = error.data?.['status'];
  const status = typeof override === 'number' ? override : mapping.status;
  return {
    status,
    body: {
      error: {
        message: error.message,
        type: status === 403 && error.code === VeilErrorCode.Unauthorized ? 'permission_error' : mapping.type,
        code: error.code,
        param: typeof field === 'string' ? field : null,
      },
    },
  };
}

/** Writes an error response unless headers are already out (then the socket is just ended). */
export function sendError(res: ServerResponse, error: unknown, requestId: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const { status, body } = errorBody(error);
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': requestId,
  });
  res.end(payload);
}

export function badField(field: string, expected: string): VeilError {
  return new VeilError(VeilErrorCode.BadInput, `Invalid type for '${field}': expected ${expected}.`, {
    data: { field },
  });
}
