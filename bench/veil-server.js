// Veil's gateway as `veil serve` runs it: default detectors, request log, audit events and
// metrics (in a temporary data dir), for the benchmark.
// With `--literal-detector`, detection is replaced by a plain search for the benchmark's own
// values (same spans, almost no cost), which shows what the gateway costs apart from detection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../dist/core/logger.js';
import { DetectionEngine } from '../dist/detect/engine.js';
import { Veil } from '../dist/engine.js';
import { resolveConfig } from '../dist/proxy/config.js';
import { Telemetry } from '../dist/observability/telemetry.js';
import { Gateway } from '../dist/proxy/server.js';
import { reportReady } from './ipc.js';
import { LITERALS } from './request.js';

function literalDetector() {
  return {
    id: 'bench.literal',
    tier: 'custom',
    types: [...new Set(LITERALS.map(([type]) => type))],
    detect(text) {
      const spans = [];
      for (const [type, value] of LITERALS) {
        for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
          spans.push({ start: at, end: at + value.length, type, score: 1, detector: 'bench.literal' });
        }
      }
      return spans;
    },
  };
}

const literal = process.argv.includes('--literal-detector');
const veil = literal ? new Veil({ engine: new DetectionEngine({ detectors: [literalDetector()] }) }) : new Veil();
const config = resolveConfig({ flags: { port: 0, upstream: process.argv[2] } });
const telemetry = await Telemetry.open({ dataDir: mkdtempSync(join(tmpdir(), 'veil-bench-')), env: {} });
const gateway = new Gateway({ veil, config, logger: createLogger(), telemetry });
const address = await gateway.listen();
reportReady(address.port);
