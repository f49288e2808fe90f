/**
 * Small response helpers of the console. Every answer carries the same security headers: a
 * Content-Security-Policy that allows only the console's own scripts, styles and API (no inline
 * script, no third party), no framing, no sniffing, no referrer, and no caching of data.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { readRequestBody } from '../proxy/body.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A JSON object body (at most `limit` bytes). */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const raw = await readRequestBody(req, limit);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new VeilError(VeilErrorCode.BadInput, 'Request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VeilError(VeilErrorCode.BadInput, 'Request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function forbidden(message: string): VeilError {
  return new VeilError(VeilErrorCode.Unauthorized, message, { data: { status: 403 } });
}

export function notFound(message: string): VeilError {
  return new VeilError(VeilErrorCode.NotFound, message);
}

export function badInput(message: string): VeilError {
  return new VeilError(VeilErrorCode.BadInput, message);
}

/** `?name=` as a trimmed string, undefined when absent or empty. */
export function param(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `?name=` as a date (ISO or YYYY-MM-DD); a bare `to` date includes that whole day. */
export function dateParam(url: URL, name: string, endOfDay = false): Date | undefined {
  const value = param(url, name);
  if (value === undefined) return undefined;
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(bare && endOfDay ? `${value}T23:59:59.999Z` : value);
  if (Number.isNaN(date.getTime())) throw badInput(`'${name}' is not a date (use 2026-03-01 or an ISO time).`);
  return date;
}
