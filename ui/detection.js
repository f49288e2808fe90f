/* global document */
import { api, badge, clear, dateTime, el, percent, start } from './console.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Horizontal bars of recall and precision per label (an SVG drawn here: no chart library). */
function chart(labels) {
  const rows = Object.entries(labels);
  const rowHeight = 30;
  const left = 130;
  const width = 640;
  const plot = width - left - 60;
  const height = rows.length * rowHeight + 30;
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Recall and precision per label' });
  rows.forEach(([label, figures], index) => {
    const y = index * rowHeight + 6;
    root.append(svg('text', { x: left - 8, y: y + 15, 'text-anchor': 'end' }, label));
    const recall = figures.recall ?? 0;
    const precision = figures.precision ?? 0;
    root.append(svg('rect', { class: 'bar-recall', x: left, y, width: Math.max(1, recall * plot), height: 10 }));
    root.append(svg('text', { x: left + recall * plot + 4, y: y + 9 }, percent(figures.recall)));
    root.append(svg('rect', { class: 'bar-precision', x: left, y: y + 12, width: figures.precision === null ? 0 : Math.max(1, precision * plot), height: 10 }));
    root.append(svg('text', { x: left + (figures.precision === null ? 0 : precision * plot) + 4, y: y + 21 }, figures.precision === null ? 'not annotated' : percent(figures.precision)));
  });
  const axis = rows.length * rowHeight + 12;
  for (const tick of [0, 0.5, 1]) root.append(svg('text', { x: left + tick * plot, y: axis + 12, 'text-anchor': 'middle' }, `${tick * 100}%`));
  return root;
}

function ms(value) {
  return typeof value === 'number' ? `${value.toFixed(1)} ms` : '–';
}

function fileSection(file) {
  const labels = file.labels ?? {};
  const overall = file.overall ?? {};
  const name = String(file.file ?? '').split('/').pop();
  return el(
    'section',
    { class: 'card' },
    el('h3', {}, name, ` (${file.records} records)`),
    el('p', {}, `Overall: recall ${percent(overall.recall)}, precision ${percent(overall.precision)}, span leak rate ${percent(overall.span_leak_rate)}, over-masking ${percent(overall.over_masking_rate)}; latency per record p50 ${ms(file.latency_ms?.p50)}, p95 ${ms(file.latency_ms?.p95)}.`),
    el('div', { class: 'legend' }, el('span', {}, el('span', { class: 'swatch recall' }), 'recall'), el('span', {}, el('span', { class: 'swatch precision' }), 'precision')),
    chart(labels),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { class: 'data' },
        el('caption', { class: 'sr-only' }, `Figures per label for ${name}`),
        el('thead', {}, el('tr', {}, ['Label', 'Gold spans', 'Recall', 'Strict recall', 'Precision', 'Span leak rate'].map((text) => el('th', { scope: 'col' }, text)))),
        el(
          'tbody',
          {},
          Object.entries(labels).map(([label, figures]) =>
            el(
              'tr',
              {},
              el('th', { scope: 'row' }, label),
              el('td', { class: 'num' }, String(figures.gold ?? '–')),
              el('td', { class: 'num' }, percent(figures.recall)),
              el('td', { class: 'num' }, percent(figures.recall_strict)),
              el('td', { class: 'num' }, percent(figures.precision)),
              el('td', { class: 'num' }, percent(figures.span_leak_rate)),
            ),
          ),
        ),
      ),
    ),
  );
}

async function main() {
  await start();
  const data = await api('detection');
  const status = document.getElementById('eval-status');
  const files = document.getElementById('eval-files');
  if (data.evaluation === null || !Array.isArray(data.evaluation.files)) {
    status.textContent = `No figures yet. Run \`veil eval FILE.jsonl\` on this machine: it saves them to ${data.evalPath ?? '<data dir>/eval/latest.json'}.`;
  } else {
    status.textContent = `Measured ${data.evaluation.generated_at === undefined ? '' : dateTime(data.evaluation.generated_at)} by veil eval.`;
    for (const file of data.evaluation.files) files.append(fileSection(file));
  }
  const settings = document.getElementById('detector-settings');
  const tiers = Object.entries(data.settings.tiers).map(([tier, on]) => `${tier} ${on ? 'on' : 'off'}`).join(', ');
  const add = (name, value) => settings.append(el('dt', {}, name), el('dd', {}, value));
  add('Tiers', tiers);
  add('Switched off', data.settings.disabled.length === 0 ? 'none' : data.settings.disabled.join(', '));
  add('Minimum score', String(data.settings.minScore));
  add('Thresholds', Object.keys(data.settings.thresholds).length === 0 ? 'none' : Object.entries(data.settings.thresholds).map(([type, value]) => `${type} ≥ ${value}`).join(', '));
  add('Allow list', `${data.settings.allow.values} values, ${data.settings.allow.patterns} patterns`);
  const body = clear(document.querySelector('#detectors tbody'));
  const settingsOf = detectorSettings(data.settings);
  for (const tier of TIERS) {
    const detectors = data.detectors.filter((detector) => detector.tier === tier);
    const on = data.settings.tiers[tier] === true;
    body.append(
      el(
        'tr',
        { class: 'tier-row' },
        el('th', { scope: 'rowgroup', colspan: 5 }, `Tier ${tier}: ${TIER_NAMES[tier]} `, on ? badge('on', 'ok') : badge('off', 'warn'), detectors.length === 0 ? el('span', { class: 'muted small' }, ' no detector configured') : undefined),
      ),
    );
    for (const detector of detectors) {
      body.append(
        el(
          'tr',
          {},
          el('td', { class: 'mono' }, detector.id),
          el('td', {}, detector.source === 'policy' ? 'policy file' : 'gateway'),
          el('td', { class: 'small' }, detector.types.join(', ')),
          el('td', {}, detector.enabled ? badge('yes', 'ok') : badge('no', 'warn')),
          el('td', { class: 'small' }, settingsOf(detector)),
        ),
      );
    }
  }
}

const TIERS = ['rules', 'ner', 'custom', 'llm'];
const TIER_NAMES = { rules: 'patterns and checksums', ner: 'named entities (built-in and ONNX models)', custom: 'custom entities from the policy', llm: 'LLM detector' };

function orDefault(value, fallback = 'default') {
  return value === null || value === undefined ? fallback : String(value);
}

/** The settings column of a detector, from the policy's own sections (never a key, never a URL path). */
function detectorSettings(settings) {
  const onnx = new Map(settings.onnx.map((model) => [model.id, model]));
  return (detector) => {
    const model = onnx.get(detector.id);
    if (model !== undefined) {
      const labels = Object.entries(model.labels).map(([label, type]) => `${label} → ${type}`).join(', ');
      const thresholds = Object.entries(model.thresholds).map(([type, value]) => `${type} ≥ ${value}`).join(', ');
      return `model folder ${model.folder}; labels ${labels}; min score ${orDefault(model.minScore)}${thresholds === '' ? '' : `; thresholds ${thresholds}`}; max length ${orDefault(model.maxLength)}`;
    }
    if (detector.tier === 'custom' && detector.source === 'policy') {
      return settings.custom
        .map((entity) => `${entity.type} (${entity.kind}${entity.keywords === undefined ? '' : `, ${entity.keywords} keywords`}${entity.validator === undefined ? '' : `, validator ${entity.validator}`}${entity.score === undefined ? '' : `, score ${entity.score}`}${entity.context ? ', context words' : ''})`)
        .join('; ');
    }
    if (detector.tier === 'llm' && settings.llm !== null && settings.llm.id === detector.id) {
      const llm = settings.llm;
      const asks = [...(llm.types ?? ['PERSON', 'ORG', 'LOCATION', 'ADDRESS']), ...llm.customTypes].join(', ');
      return `host ${llm.host}; model ${llm.model}; API key: ${llm.apiKey}; asks for ${asks}; timeout ${llm.timeoutMs === null ? 'default' : `${llm.timeoutMs} ms`}; chunk ${orDefault(llm.chunkSize)}; concurrency ${orDefault(llm.concurrency)}; min score ${orDefault(llm.minScore, 'none')}; JSON mode ${llm.jsonMode ? 'on' : 'off'}`;
    }
    return el('span', { class: 'muted' }, 'built in');
  };
}

main();
