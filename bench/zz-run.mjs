import { fork } from 'node:child_process';
import { Pool } from 'undici';
import { chatBody } from './request.js';
const N = Number(process.env.N ?? 5000);
const mode = process.env.MODE ?? 'json';
const cpuW = [];
function start(script, args = [], env = {}) { return new Promise((res) => { const c = fork(new URL(script, import.meta.url).pathname, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, ...env } }); c.on('message', (m) => { if (m.type === 'ready') res({ c, port: m.port }); if (m.type === 'cpu') cpuW.shift()(m.micros); }); }); }
const mock = await start('mock-upstream.js');
const base = `http://127.0.0.1:${mock.port}/v1`;
const variants = [
  ['passthrough', 'passthrough.js', [`http://127.0.0.1:${mock.port}`], {}],
  ['full', 'zz-exp.js', [base], {}],
  ['literal', 'zz-exp.js', [base, '--literal-detector'], {}],
  ['no-telemetry', 'zz-exp.js', [base], { EXP_NO_TELEMETRY: '1' }],
  ['no-tel-no-console', 'zz-exp.js', [base], { EXP_NO_TELEMETRY: '1', EXP_NO_CONSOLE: '1' }],
  ['no-tel-no-console-silent', 'zz-exp.js', [base], { EXP_NO_TELEMETRY: '1', EXP_NO_CONSOLE: '1', EXP_SILENT: '1' }],
  ['literal-bare', 'zz-exp.js', [base, '--literal-detector'], { EXP_NO_TELEMETRY: '1', EXP_NO_CONSOLE: '1', EXP_SILENT: '1' }],
];
const results = {};
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) for (const [name, script, args, env] of variants) {
  const t = await start(script, args, env);
  const pool = new Pool(`http://127.0.0.1:${t.port}`, { connections: 1 });
  const body = chatBody(mode === 'sse');
  const one = async () => { const r = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: 'Bearer sk' }, body }); await r.body.text(); };
  for (let i = 0; i < 3000; i++) await one();
  const cpu = () => new Promise((r) => { cpuW.push(r); t.c.send('cpu'); });
  const c0 = await cpu();
  for (let i = 0; i < N; i++) await one();
  const c1 = await cpu();
  (results[name] ??= []).push((c1 - c0) / 1000 / N);
  t.c.send('exit'); await new Promise((r) => t.c.on('exit', r)); await pool.close();
}
for (const [name, xs] of Object.entries(results)) console.log(name.padEnd(28), xs.map((x) => x.toFixed(3)).join(' '), ' min', Math.min(...xs).toFixed(3));
mock.c.kill(); process.exit(0);
