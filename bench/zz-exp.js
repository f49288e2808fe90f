// Veil's gateway as `veil serve` runs it: default detectors, request log, audit events and
// metrics (in a temporary data dir), for the benchmark. argv[2] is the mock's OpenAI base URL
// (`http://127.0.0.1:PORT/v1`); the same mock serves Anthropic's `/v1/messages`.
// With `--literal-detector`, detection is replaced by a plain search for the benchmark's own
// values (same spans, almost no cost), which shows what the gateway costs apart from detection.
// With VEIL_VAULT_URL set, sessions (`x-veil-session`) live in that PostgreSQL vault.
// VEIL_BENCH_DIST points at another build (e.g. a copy of dist/ from before a change), so one
// bench run can compare two builds side by side.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportReady } from './ipc.js';
import { LITERALS } from './request.js';

const dist = process.env.VEIL_BENCH_DIST === undefined ? new URL('../dist/', import.meta.url) : pathToFileURL(`${process.env.VEIL_BENCH_DIST}/`);
const load = (path) => import(new URL(path, dist).href);
const [{ createLogger }, { DetectionEngine }, { Veil }, { resolveConfig }, { Telemetry }, { Gateway }] = await Promise.all([
  load('core/logger.js'),
  load('detect/engine.js'),
  load('engine.js'),
  load('proxy/config.js'),
  load('observability/telemetry.js'),
  load('proxy/server.js'),
]);

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

const dataDir = mkdtempSync(join(tmpdir(), 'veil-bench-'));
const vault = process.env.VEIL_VAULT_URL === undefined ? undefined : await (await load('vault/vault.js')).Vault.open({ dataDir, env: process.env });
const literal = process.argv.includes('--literal-detector');
const veil = new Veil({
  ...(literal ? { engine: new DetectionEngine({ detectors: [literalDetector()] }) } : {}),
  ...(vault === undefined ? {} : { vault }),
});
const openaiBase = process.argv[2];
const config = resolveConfig({ flags: { port: 0, upstream: openaiBase, providers: { anthropic: new URL(openaiBase).origin } } });
const telemetry = await Telemetry.open({ dataDir, env: {} });
const gateway = new Gateway({ veil, config, logger: createLogger(process.env.EXP_SILENT ? { level: 'silent' } : {}), ...(process.env.EXP_NO_TELEMETRY ? {} : { telemetry }), ...(process.env.EXP_NO_CONSOLE ? { console: false } : {}) });
const address = await gateway.listen();
reportReady(address.port, async () => {
  await gateway.close(500);
  await telemetry.close();
  await vault?.close();
});
