// Measures the whole detection pipeline on text its model never saw. The shipped model is trained
// on every record of its corpora, so `veil eval` on those files measures memory, not skill. This
// script trains a second model with each file's stable ~10% hold-out left out (data.js,
// isHeldOut), writes those held-out records to a temporary folder, and scores the default engine
// with that model on them, on uner_ewt_dev (never trained on) and on any extra files given.
// Usage: npm run build && node scripts/ner/holdout-eval.js [--eval-dir DIR] [--model FILE] [EXTRA.jsonl ...]
//   --model: reuse a model trained earlier with the hold-out (skips the ~1 minute of training).
// Analysis only: nothing it prints may be copied into training data.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DetectionEngine } from '../../dist/detect/engine.js';
import { builtinDetectors } from '../../dist/detect/registry.js';
import { createNerDetector } from '../../dist/detect/ner/ner-detector.js';
import { Veil } from '../../dist/engine.js';
import { evaluateFile } from '../../dist/eval/evaluate.js';
import { veilMasker } from '../../dist/eval/veil-masker.js';
import { MEASURE_ONLY, TRAINING_FILES, isHeldOut } from './data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'eval-dir': { type: 'string', default: resolve(root, '..', 'shared', 'eval') },
    model: { type: 'string' },
  },
});
const evalDir = resolve(args['eval-dir']);
const work = mkdtempSync(join(tmpdir(), 'veil-holdout-'));

let model = args.model === undefined ? undefined : resolve(args.model);
if (model === undefined) {
  model = join(work, 'ner-holdout.bin');
  process.stderr.write(`training a model without the held-out records into ${model} ...\n`);
  execFileSync(process.execPath, [join(root, 'scripts', 'train-ner.js'), '--eval-dir', evalDir, '--out', model], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const files = [];
for (const { file } of TRAINING_FILES) {
  const lines = readFileSync(join(evalDir, file), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => isHeldOut(JSON.parse(line)));
  writeFileSync(join(work, file), `${kept.join('\n')}\n`);
  files.push(join(work, file));
}
// The manifest says which labels each file annotates, for precision.
copyFileSync(join(evalDir, 'manifest.json'), join(work, 'manifest.json'));
files.push(...MEASURE_ONLY.map((file) => join(evalDir, file)), ...positionals.map((file) => resolve(file)));

const engine = new DetectionEngine({ cache: false, detectors: [...builtinDetectors(), createNerDetector({ cacheSize: 0, modelPath: model })] });
const masker = veilMasker(new Veil({ engine }));
const fixed = (value) => (value === null || value === undefined ? '    -' : value.toFixed(3));
console.log('file (held-out records)               recall precision   PERSON    ORG   LOCATION');
for (const file of files) {
  const report = await evaluateFile(file, masker);
  const label = (name) => fixed(report.labels[name]?.recall);
  const name = file.split('/').pop().replace(/\.jsonl$/, '');
  console.log(`${name.padEnd(38)} ${fixed(report.overall.recall)}    ${fixed(report.overall.precision)}   ${label('PERSON')}  ${label('ORG')}  ${label('LOCATION')}`);
}
