/**
 * One error type for everything Veil raises on purpose. Messages never contain raw values,
 * tokens or request bodies: they name fields, files and line numbers instead.
 * @module
 */

export enum VeilErrorCode {
  /** Invalid input from a user or client (bad JSON, wrong field type). `data`: `{ field?, line? }`. */
  BadInput = 'bad_input',
  /** Command-line usage error. */
  Usage = 'usage',
  /** Configuration file invalid. `data`: `{ path?, line?, column? }`. */
  Config = 'config_error',
  /** The vault could not be opened or read. */
  Vault = 'vault_error',
  /** Key material missing, unreadable or wrong. */
  Key = 'key_error',
  /** A masked value was about to leave in an outgoing body. */
  LeakPrevented = 'veil_leak_prevented',
  /** A request was refused by policy. `data`: `{ rule?, types? }`. */
  Blocked = 'veil_blocked',
  /** Upstream unreachable / failed / timed out. `data`: `{ status? }`. */
  Upstream = 'upstream_error',
  UpstreamTimeout = 'upstream_timeout',
  /** Body over the configured limit. */
  TooLarge = 'request_too_large',
  NotFound = 'not_found',
  Unauthorized = 'unauthorized',
  Internal = 'internal_error',
}

export class VeilError extends Error {
  readonly code: VeilErrorCode;
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: VeilErrorCode,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VeilError';
    this.code = code;
    this.data = options.data;
  }

  static isInstance(value: unknown): value is VeilError {
    return value instanceof VeilError;
  }
}
