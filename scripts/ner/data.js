// Loading, splitting and tagging of the NER training corpora. Only files whose licence allows
// training shipped weights are listed; conll03 (research-only) is never read here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashString } from '../../dist/detect/ner/features.js';
import { tokenize } from '../../dist/detect/ner/tokenize.js';
import { ENTITY_LABELS, beginTag } from '../../dist/detect/ner/tags.js';

export const TRAINING_FILES = [
  { file: 'btc_train_dev.jsonl', licence: 'CC BY 4.0', source: 'GateNLP/broad_twitter_corpus' },
  { file: 'wnut17_train_dev.jsonl', licence: 'CC BY 4.0', source: 'leondz/emerging_entities_17' },
  { file: 'presidio_synth_shared.jsonl', licence: 'MIT', source: 'microsoft/presidio-research' },
  { file: 'uner_ewt_train_prerelease.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_English-EWT' },
  { file: 'uner_da_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Danish-DDT' },
  { file: 'uner_hr_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Croatian-SET' },
  { file: 'uner_sr_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Serbian-SET' },
  { file: 'uner_sk_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Slovak-SNK' },
  { file: 'uner_sv_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Swedish-Talbanken' },
  { file: 'uner_pt_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Portuguese-Bosque' },
  { file: 'uner_zh_dev.jsonl', licence: 'CC BY-SA 4.0', source: 'UniversalNER/UNER_Chinese-GSD' },
];

/** Files we only measure on (never trained on). */
export const MEASURE_ONLY = ['uner_ewt_dev.jsonl'];

/** Offsets of the eval format are code points; convert to UTF-16 for JavaScript strings. */
function toUtf16(record) {
  if (!record.has_astral) return record.spans;
  return record.spans.map((s) => ({ ...s, start: s.start16 ?? s.start, end: s.end16 ?? s.end }));
}

/**
 * A stable ~10% hold-out per file (presidio: by template, so the hold-out measures unseen
 * sentence frames as the hidden template-disjoint split does).
 */
export function isHeldOut(record) {
  const key = record.template_id !== undefined ? `template:${record.template_id}` : record.id;
  const mod = record.template_id !== undefined ? 5 : 10;
  return hashString(key) % mod === 0;
}

export function readJsonl(dir, file) {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

export function loadRecords(dir, file) {
  return readJsonl(dir, file).map((r) => ({ id: r.id, source: file.replace(/\.jsonl$/, ''), text: r.text, spans: toUtf16(r), heldOut: isHeldOut(r) }));
}

/** BIO tags for the tokens of a record; labels outside PERSON/LOCATION/ORG are O. */
export function tagRecord(text, spans) {
  const tokens = tokenize(text);
  const tags = new Uint8Array(tokens.length);
  const labelIndex = new Map(ENTITY_LABELS.map((label, i) => [label, i]));
  for (const span of spans) {
    const k = labelIndex.get(span.label);
    if (k === undefined) continue;
    let first = true;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.end <= span.start || t.start >= span.end) continue;
      const overlap = Math.min(t.end, span.end) - Math.max(t.start, span.start);
      if (overlap * 2 < t.end - t.start) continue;
      tags[i] = first ? beginTag(k) : beginTag(k) + 1;
      first = false;
    }
  }
  return { tokens, tags };
}
