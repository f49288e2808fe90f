/**
 * The small HTTP client the remote key providers share: JSON in and out over `fetch`, a
 * timeout, and errors that name the service, the operation and the HTTP status, plus the
 * service's own error text (which describes the request, never our plaintext: the data key is
 * only ever sent, and the response's plaintext is never part of an error).
 * @module
 */
import { VeilError, VeilErrorCode } from '../../core/errors.js';

export interface JsonRequest {
  readonly service: string;
  readonly operation: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body; or `form` for `application/x-www-form-urlencoded`. */
  readonly body?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** POSTs (or GETs without a body) and returns the parsed JSON of a 2xx answer. */
export async function requestJson(request: JsonRequest): Promise<unknown> {
  const doFetch = request.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ ...request.form }).toString();
  } else if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new VeilError(VeilErrorCode.Key, `${request.service} ${request.operation}: cannot reach ${originOf(request.url)}`, {
      cause,
      data: { service: request.service, operation: request.operation },
    });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const detail = serviceError(parsed);
    throw new VeilError(
      VeilErrorCode.Key,
      `${request.service} ${request.operation} failed: HTTP ${response.status}${detail === undefined ? '' : ` (${detail})`}`,
      { data: { service: request.service, operation: request.operation, status: response.status } },
    );
  }
  if (parsed === undefined) {
    throw new VeilError(VeilErrorCode.Key, `${request.service} ${request.operation}: the answer is not JSON`, {
      data: { service: request.service, operation: request.operation, status: response.status },
    });
  }
  return parsed;
}

/** A string field of a parsed JSON answer, or a Key error naming the field. */
export function stringField(value: unknown, path: readonly string[], service: string, operation: string): string {
  let current: unknown = value;
  for (const key of path) {
    current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  }
  if (typeof current !== 'string' || current === '') {
    throw new VeilError(VeilErrorCode.Key, `${service} ${operation}: the answer has no ${path.join('.')}`, {
      data: { service, operation },
    });
  }
  return current;
}

/** The error text of Vault (`errors: [...]`), GCP (`error.message`) and AWS (`message`) answers. */
function serviceError(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(record['errors'])) parts.push(...record['errors'].filter((e): e is string => typeof e === 'string'));
  const error = record['error'];
  if (typeof error === 'object' && error !== null) {
    const { status, message } = error as Record<string, unknown>;
    if (typeof status === 'string') parts.push(status);
    if (typeof message === 'string') parts.push(message);
  } else if (typeof error === 'string') {
    parts.push(error);
    if (typeof record['error_description'] === 'string') parts.push(record['error_description']);
  }
  const text = parts.join(': ').replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text.slice(0, 300);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the service';
  }
}

/**
 * The tenant-bound plaintext for services without a native context parameter: a
 * length-prefixed header naming the tenant, then the data key. The service's AEAD
 * authenticates all of it, so a wrapped key copied into another tenant's row is refused.
 */
export function bindTenant(tenant: string, dataKey: Uint8Array): Buffer {
  return Buffer.concat([header(tenant), dataKey]);
}

/** Inverse of `bindTenant`; undefined when the plaintext belongs to another tenant. */
export function unbindTenant(tenant: string, plaintext: Uint8Array): Uint8Array | undefined {
  const expected = header(tenant);
  const bytes = Buffer.from(plaintext);
  if (bytes.length <= expected.length || !bytes.subarray(0, expected.length).equals(expected)) return undefined;
  return new Uint8Array(bytes.subarray(expected.length));
}

function header(tenant: string): Buffer {
  const label = Buffer.from('veil/data-key/v1', 'utf8');
  const name = Buffer.from(tenant, 'utf8');
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(label.length, 0);
  lengths.writeUInt32BE(name.length, 4);
  return Buffer.concat([lengths, label, name]);
}

/** A Key error for a wrapped key that does not open (wrong tenant, tampered, wrong key). */
export function unwrapFailed(service: string, keyId: string): VeilError {
  return new VeilError(VeilErrorCode.Key, `${service}: a wrapped data key could not be unwrapped (wrong tenant, key or tampered)`, {
    data: { keyId },
  });
}
