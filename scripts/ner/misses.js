// Prints the gold PERSON / LOCATION / ORG spans the built-in NER misses (no NER span covers half
// of them), with context, and the spurious ones, to look for general weaknesses. Usage:
// node scripts/ner/misses.js FILE.jsonl [--label ORG] [--limit 80] [--model models/ner-en.bin] [--fp] [--no-propagate]
// Analysis only: nothing it prints may be copied into training data.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createNerDetector } from '../../dist/detect/ner/ner-detector.js';
import { readJsonl } from './data.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    label: { type: 'string' },
    limit: { type: 'string', default: '80' },
    model: { type: 'string' },
    fp: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'no-propagate': { type: 'boolean', default: false },
  },
});
const file = resolve(positionals[0]);
const detector = createNerDetector({ cacheSize: 0, propagate: !args['no-propagate'], ...(args.model ? { modelPath: resolve(args.model) } : {}) });
const LABELS = new Set(['PERSON', 'LOCATION', 'ORG']);
const misses = [];
const wrong = [];
const fps = [];
for (const r of readJsonl(resolve(file, '..'), file.split('/').pop())) {
  const spans = (r.has_astral ? r.spans.map((s) => ({ ...s, start: s.start16 ?? s.start, end: s.end16 ?? s.end })) : r.spans);
  const pred = detector.detect(r.text).map((s) => ({ ...s, type: s.type === 'ADDRESS' ? 'LOCATION' : s.type }));
  const ctx = (s, e) => `${r.text.slice(Math.max(0, s - 50), s)}[[${r.text.slice(s, e)}]]${r.text.slice(e, e + 50)}`.replace(/\n/g, '⏎');
  for (const g of spans) {
    if (!LABELS.has(g.label) || (args.label && g.label !== args.label)) continue;
    const cover = pred.filter((p) => 2 * Math.max(0, Math.min(p.end, g.end) - Math.max(p.start, g.start)) >= g.end - g.start);
    if (cover.length === 0) misses.push(`${g.label}\t${ctx(g.start, g.end)}`);
    else if (!cover.some((p) => p.type === g.label)) wrong.push(`${g.label}->${cover[0].type}\t${ctx(g.start, g.end)}`);
  }
  for (const p of pred) {
    if (!LABELS.has(p.type) || (args.label && p.type !== args.label)) continue;
    if (!spans.some((g) => Math.min(p.end, g.end) > Math.max(p.start, g.start))) fps.push(`${p.type}\t${ctx(p.start, p.end)}`);
  }
}
// A deterministic sample, so repeated runs compare the same lines.
let a = Number(args.seed) >>> 0;
const rnd = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
const sample = (list) => list.map((x) => [rnd(), x]).sort((x, y) => x[0] - y[0]).slice(0, Number(args.limit)).map((x) => x[1]);
console.log(`missed ${misses.length}, wrong label ${wrong.length}, spurious ${fps.length}`);
const shown = args.fp ? fps : misses;
for (const line of sample(shown)) console.log(line);
if (!args.fp) {
  console.log('--- wrong label');
  for (const line of sample(wrong).slice(0, 30)) console.log(line);
}
