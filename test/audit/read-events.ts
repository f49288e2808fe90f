/** The audit events (not checkpoints) of a data dir's JSONL log, in file order. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readAuditEvents(dataDir: string): Record<string, unknown>[] {
  const dir = join(dataDir, 'audit');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => typeof record['kind'] === 'string');
}
