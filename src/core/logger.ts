/**
 * Logging that cannot leak. Veil logs ids, counts and timings; request bodies and header values
 * of credentials are never passed to the logger. `redactHeaders` is the one place that turns
 * headers into something loggable.
 * @module
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

const SECRET_HEADERS = new Set([
  'authorization',
  'api-key',
  'x-api-key',
  'x-veil-key',
  'x-veil-provider-key',
  'x-goog-api-key',
  'x-amz-security-token',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '***' : String(value);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Write to stderr (CLI) instead of stdout (server). */
  stderr?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['VEIL_LOG_LEVEL'] ?? 'info';
  return pino(
    {
      level,
      base: { service: 'veil' },
      redact: { paths: ['headers.authorization', 'headers["x-api-key"]', 'headers["api-key"]'], censor: '***' },
    },
    // Synchronous writes: measured cheaper per request than the async buffer (no callback per
    // write), and a crash cannot lose the lines that explain it.
    pino.destination({ fd: options.stderr === true ? 2 : 1, sync: true }),
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
