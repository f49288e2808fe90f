// `npm run bench`: direct → mock, bare pass-through → mock, and Veil → mock (plus Veil with
// detection replaced by a plain search), in one run, each server in its own process.
// Closed-loop load at C=1 and C=50, JSON and SSE (~40 chunks), with a 2 KB chat request full of
// personal data. Prints a table and writes bench/results/latest.json.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool, request } from 'undici';
import { chatBody } from './request.js';

const here = dirname(fileURLToPath(import.meta.url));
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 5000);
const ROUNDS = 5;
// BENCH_PROFILE=1 writes a V8 CPU profile of the Veil process to bench/results/.
const PROFILE = process.env.BENCH_PROFILE === '1';

function start(script, args = [], env = {}) {
  return new Promise((resolve, reject) => {
    const execArgv = PROFILE && script === 'veil-server.js' && args.length === 1 ? ['--cpu-prof', '--cpu-prof-dir', join(here, 'results')] : [];
    const child = fork(join(here, script), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv, env: { ...process.env, ...env } });
    const cpuWaiters = [];
    child.on('message', (message) => {
      if (message.type === 'ready') resolve({ child, port: message.port, cpu: () => new Promise((done) => { cpuWaiters.push(done); child.send('cpu'); }) });
      if (message.type === 'cpu') cpuWaiters.shift()?.(message.micros);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drive(port, { stream, concurrency, durationMs }) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });
  const body = chatBody(stream);
  const latencies = [];
  const ttfbs = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      try {
        const response = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
          body,
        });
        let first;
        for await (const chunk of response.body) {
          first ??= performance.now();
          void chunk;
        }
        const done = performance.now();
        if (response.statusCode !== 200) errors++;
        latencies.push(done - started);
        ttfbs.push((first ?? done) - started);
      } catch {
        errors++;
      }
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - began;
  await pool.close();
  return { requests: latencies.length, errors, elapsedMs: elapsed, latencies, ttfbs };
}

async function checkVeil(veilPort, mockPort) {
  // One request first: the answer must carry the originals, what the mock saw only tokens.
  const response = await request(`http://127.0.0.1:${veilPort}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody(false) });
  const text = await response.body.text();
  const masked = Number(response.headers['x-veil-masked']);
  const direct = await (await request(`http://127.0.0.1:${mockPort}/v1/chat/completions`, { method: 'POST', body: chatBody(false) })).body.text();
  return { masked, rehydrated: text.includes('maria.garcia@example.com') && !text.includes('<<'), directHasTokens: direct.includes('<<') };
}

const round = (value, digits = 2) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);

function budgetsFor(target, ratios, rows) {
  const ratio = (mode, concurrency) => ratios.find((entry) => entry.target === target && entry.mode === mode && entry.concurrency === concurrency);
  const veilCpu = Math.max(...rows.filter((row) => row.target === target).map((row) => row.cpuMsPerRequest));
  return [
    { target, budget: 'added p50 at C=1, JSON ≤ +0.7 ms', measured: `${ratio('json', 1).addedP50Ms} ms`, met: ratio('json', 1).addedP50Ms <= 0.7 },
    { target, budget: 'SSE TTFB at C=1 ≤ pass-through + 1 ms', measured: `${ratio('sse', 1).addedTtfbP50Ms} ms`, met: ratio('sse', 1).addedTtfbP50Ms <= 1 },
    { target, budget: 'proxy CPU ≤ 1 ms per request', measured: `${veilCpu} ms (worst row)`, met: veilCpu <= 1 },
    {
      target,
      budget: 'throughput at C=50 ≥ 0.6× pass-through',
      measured: `JSON ${ratio('json', 50).throughputRatio}×, SSE ${ratio('sse', 50).throughputRatio}×`,
      met: ratio('json', 50).throughputRatio >= 0.6 && ratio('sse', 50).throughputRatio >= 0.6,
    },
  ];
}

async function main() {
  // Other work on the machine skews every number; the load average is recorded with the results.
  const loadBefore = loadavg()[0];
  const mock = await start('mock-upstream.js');
  const upstreamOrigin = `http://127.0.0.1:${mock.port}`;
  const passthrough = await start('passthrough.js', [upstreamOrigin]);
  const veil = await start('veil-server.js', [`${upstreamOrigin}/v1`]);
  // Every request of the benchmark carries the same text, so the default Veil answers detection
  // from its per-text cache (as it does for a conversation's resent history); the uncached
  // one scans every request as if it were new text.
  const veilUncached = await start('veil-server.js', [`${upstreamOrigin}/v1`], { VEIL_DETECT_CACHE: 'off' });
  const veilLiteral = await start('veil-server.js', [`${upstreamOrigin}/v1`, '--literal-detector']);
  const check = await checkVeil(veil.port, mock.port);
  console.log(`veil check: ${check.masked} values masked per request, answer rehydrated: ${check.rehydrated}`);

  const targets = [
    { name: 'direct', port: mock.port, server: undefined },
    { name: 'passthrough', port: passthrough.port, server: passthrough },
    { name: 'veil', port: veil.port, server: veil },
    { name: 'veil-uncached', port: veilUncached.port, server: veilUncached },
    // Same gateway, detection replaced by a plain search: the gateway's own cost.
    { name: 'veil-no-detect', port: veilLiteral.port, server: veilLiteral },
  ];
  const rows = [];
  for (const concurrency of [1, 50]) {
    for (const stream of [false, true]) {
      for (const target of targets) await drive(target.port, { stream, concurrency, durationMs: WARMUP_MS });
      // Targets take turns in short slices, so a burst of other work on the machine hits all
      // of them alike instead of whichever happened to be running.
      const totals = new Map(targets.map((target) => [target.name, { requests: 0, errors: 0, elapsedMs: 0, latencies: [], ttfbs: [], cpuMicros: 0 }]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of targets) {
          const before = await target.server?.cpu();
          const result = await drive(target.port, { stream, concurrency, durationMs: MEASURE_MS / ROUNDS });
          const after = await target.server?.cpu();
          const total = totals.get(target.name);
          total.requests += result.requests;
          total.errors += result.errors;
          total.elapsedMs += result.elapsedMs;
          total.latencies.push(...result.latencies);
          total.ttfbs.push(...result.ttfbs);
          if (before !== undefined) total.cpuMicros += after - before;
        }
      }
      for (const target of targets) {
        const total = totals.get(target.name);
        total.latencies.sort((a, b) => a - b);
        total.ttfbs.sort((a, b) => a - b);
        const row = {
          target: target.name,
          mode: stream ? 'sse' : 'json',
          concurrency,
          requests: total.requests,
          errors: total.errors,
          rps: round(total.requests / (total.elapsedMs / 1000), 0),
          p50: round(percentile(total.latencies, 50), 3),
          p95: round(percentile(total.latencies, 95), 3),
          p99: round(percentile(total.latencies, 99), 3),
          ttfbP50: stream ? round(percentile(total.ttfbs, 50), 3) : null,
          cpuMsPerRequest: target.server === undefined ? null : round(total.cpuMicros / 1000 / total.requests, 3),
        };
        rows.push(row);
        process.stderr.write(`  ${row.target.padEnd(12)} ${row.mode} C=${concurrency}: ${row.rps} req/s, p50 ${row.p50} ms\n`);
      }
    }
  }
  for (const server of [mock, passthrough, veil, veilUncached, veilLiteral]) server.child.removeAllListeners('exit').send('exit');

  const find = (target, mode, concurrency) => rows.find((row) => row.target === target && row.mode === mode && row.concurrency === concurrency);
  const ratios = [];
  for (const target of ['veil', 'veil-uncached']) for (const concurrency of [1, 50]) {
    for (const mode of ['json', 'sse']) {
      const base = find('passthrough', mode, concurrency);
      const ours = find(target, mode, concurrency);
      ratios.push({
        target,
        mode,
        concurrency,
        addedP50Ms: round(ours.p50 - base.p50, 3),
        addedP99Ms: round(ours.p99 - base.p99, 3),
        addedTtfbP50Ms: mode === 'sse' ? round(ours.ttfbP50 - base.ttfbP50, 3) : null,
        throughputRatio: round(ours.rps / base.rps, 3),
        cpuRatio: round(ours.cpuMsPerRequest / base.cpuMsPerRequest, 2),
      });
    }
  }
  // Veil with detection replaced by a plain search: what the gateway itself adds.
  const gatewayOnly = [1, 50].flatMap((concurrency) =>
    ['json', 'sse'].map((mode) => ({
      mode,
      concurrency,
      addedP50Ms: round(find('veil-no-detect', mode, concurrency).p50 - find('passthrough', mode, concurrency).p50, 3),
      cpuMsPerRequest: find('veil-no-detect', mode, concurrency).cpuMsPerRequest,
      detectionCpuMs: round(find('veil', mode, concurrency).cpuMsPerRequest - find('veil-no-detect', mode, concurrency).cpuMsPerRequest, 3),
    })),
  );
  const budgets = ['veil', 'veil-uncached'].flatMap((target) => budgetsFor(target, ratios, rows));


  console.log('');
  console.log('| target | mode | C | req/s | p50 ms | p95 ms | p99 ms | TTFB p50 ms | proxy CPU ms/req |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    console.log(`| ${row.target} | ${row.mode} | ${row.concurrency} | ${row.rps} | ${row.p50} | ${row.p95} | ${row.p99} | ${row.ttfbP50 ?? '-'} | ${row.cpuMsPerRequest ?? '-'} |`);
  }
  console.log('');
  console.log('| Veil vs pass-through | mode | C | added p50 ms | added p99 ms | added TTFB p50 ms | throughput × | CPU × |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const entry of ratios) {
    console.log(`| ${entry.target} | ${entry.mode} | ${entry.concurrency} | ${entry.addedP50Ms} | ${entry.addedP99Ms} | ${entry.addedTtfbP50Ms ?? '-'} | ${entry.throughputRatio} | ${entry.cpuRatio} |`);
  }
  console.log('');
  console.log('| gateway without detection | C | added p50 ms vs pass-through | CPU ms/req | detection CPU ms/req (veil − this) |');
  console.log('|---|---|---|---|---|');
  for (const entry of gatewayOnly) console.log(`| ${entry.mode} | ${entry.concurrency} | ${entry.addedP50Ms} | ${entry.cpuMsPerRequest} | ${entry.detectionCpuMs} |`);
  const loadAfter = loadavg()[0];
  console.log(`\nload average (1 min) before/after: ${round(loadBefore)} / ${round(loadAfter)} on ${cpus().length} CPUs`);
  console.log('');
  for (const entry of budgets) console.log(`${entry.met ? 'met   ' : 'MISSED'}  ${entry.target}: ${entry.budget}: ${entry.measured}`);

  const out = join(here, 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage: { before: round(loadBefore), after: round(loadAfter) }, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, rounds: ROUNDS, requestBytes: Buffer.byteLength(chatBody(false)), check, rows, ratios, gatewayOnly, budgets }, null, 2)}\n`,
  );
  console.log(`\nwrote ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
