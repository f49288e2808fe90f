/* global document, FormData */
import { api, clear, el, fail, formatName, hue, markTokens, start } from './console.js';

const form = document.getElementById('play-form');
const error = document.getElementById('play-error');
const result = document.getElementById('play-result');
const detectorBox = document.getElementById('play-detectors');

function option(value, label, selected) {
  return el('option', { value, selected }, label ?? value);
}

async function setup() {
  const session = await start();
  const info = await api('playground');
  const tenant = document.getElementById('play-tenant');
  for (const id of info.tenants) tenant.append(option(id, id, id === info.principal.tenant));
  const roles = document.getElementById('play-roles');
  roles.value = info.principal.roles.join(', ');
  const provider = document.getElementById('play-provider');
  for (const name of info.providers) provider.append(option(name, name, name === 'openai'));
  if (!info.canPickContext) {
    tenant.disabled = true;
    roles.disabled = true;
    document.getElementById('play-policy-box').hidden = true;
  }
  const byTier = new Map();
  for (const detector of info.detectors) byTier.set(detector.tier, [...(byTier.get(detector.tier) ?? []), detector]);
  for (const [tier, detectors] of byTier) {
    detectorBox.append(
      el('h4', {}, `Tier: ${tier}`),
      el(
        'div',
        { class: 'detectors' },
        detectors.map((detector) =>
          el(
            'label',
            { class: 'inline', title: `${detector.types.join(', ')}${detector.enabled ? '' : ' (switched off by the policy)'}` },
            // A detector the policy itself switches off cannot be switched on here.
            el('input', { type: 'checkbox', name: 'detector', value: detector.id, checked: detector.enabled, disabled: !detector.enabled }),
            detector.id,
            detector.source === 'policy' ? el('span', { class: 'badge plain' }, 'policy') : undefined,
          ),
        ),
      ),
    );
  }
  return session;
}

function spanLabel(span) {
  return `${span.type} · ${span.tier} · ${span.score.toFixed(2)}`;
}

/** The original text with each span marked (the text is the viewer's own input). */
function highlight(target, messages, spans, transcript) {
  clear(target);
  messages.forEach((message, index) => {
    if (transcript) target.append(el('span', { class: 'role' }, `${message.role}:`));
    const mine = spans.filter((span) => span.textIndex === index);
    let last = 0;
    for (const span of mine) {
      if (span.start < last) continue;
      target.append(document.createTextNode(message.text.slice(last, span.start)));
      target.append(
        el(
          'mark',
          { class: `span ${hue(span.type)}`, title: `${span.type}: ${span.detector} (${span.tier}), score ${span.score}, ${span.action} by ${span.rule}` },
          message.text.slice(span.start, span.end),
          el('span', { class: 'tag' }, spanLabel(span)),
        ),
      );
      last = span.end;
    }
    target.append(document.createTextNode(message.text.slice(last)));
  });
}

function masked(target, messages, tokens, transcript) {
  clear(target);
  messages.forEach((message) => {
    if (transcript) target.append(el('span', { class: 'role' }, `${message.role}:`));
    const holder = el('span');
    markTokens(holder, message.masked, tokens, (token, shown) => el('mark', { class: `token ${hue(token.type)}`, title: `${token.type} token (${formatName(token.format)})` }, shown));
    target.append(holder);
  });
}

let previous;

/** What changed since the last run (e.g. after switching a detector off). */
function difference(data) {
  const key = (span) => `${span.textIndex}:${span.start}:${span.end}:${span.type}`;
  const text = (span) => `${span.type} (${span.detector})`;
  if (previous === undefined) return '';
  const before = new Map(previous.spans.map((span) => [key(span), span]));
  const after = new Map(data.spans.map((span) => [key(span), span]));
  const gone = [...before].filter(([id]) => !after.has(id)).map(([, span]) => text(span));
  const added = [...after].filter(([id]) => !before.has(id)).map(([, span]) => text(span));
  if (gone.length === 0 && added.length === 0) return ' · same spans as the previous run';
  return ` · since the previous run: ${gone.length === 0 ? '' : `lost ${gone.join(', ')}`}${gone.length > 0 && added.length > 0 ? '; ' : ''}${added.length === 0 ? '' : `found ${added.join(', ')}`}`;
}

function render(data, transcript) {
  result.hidden = false;
  const maskedCount = data.spans.filter((span) => span.action === 'mask').length;
  document.getElementById('play-summary').textContent =
    `${data.spans.length} span${data.spans.length === 1 ? '' : 's'} found, ${maskedCount} masked · policy ${data.policy.version.slice(0, 12)} (${data.policy.source}) · ` +
    `tenant ${data.context.tenant}, roles ${data.context.roles.join(', ') || 'none'}, provider ${data.context.provider ?? 'none'}` +
    (data.blocked.length > 0 ? ` · BLOCKED: the gateway would refuse this request (${data.blocked.join(', ')})` : '') +
    difference(data);
  previous = data;
  highlight(document.getElementById('play-highlight'), data.messages, data.spans, transcript);
  masked(document.getElementById('play-masked'), data.messages, data.tokens, transcript);
  const spanBody = clear(document.querySelector('#play-spans tbody'));
  for (const span of data.spans) {
    spanBody.append(
      el(
        'tr',
        {},
        el('td', {}, el('span', { class: `badge ${hue(span.type)}` }, span.type)),
        el('td', {}, span.tier),
        el('td', { class: 'mono' }, span.detector),
        el('td', { class: 'num' }, span.score.toFixed(2)),
        el('td', {}, span.action),
        el('td', { class: 'mono' }, span.rule),
        el('td', { class: 'mono' }, span.token ?? '–'),
      ),
    );
  }
  if (data.spans.length === 0) spanBody.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No spans found.')));
  const rulesHead = clear(document.querySelector('#play-rules thead'));
  rulesHead.append(el('tr', {}, el('th', { scope: 'col' }, 'Span'), data.rules.map((rule) => el('th', { scope: 'col', title: `${rule.action}${rule.implicit ? ' (implicit)' : ''}` }, `${rule.id} (${rule.action})`))));
  const rulesBody = clear(document.querySelector('#play-rules tbody'));
  for (const span of data.spans) {
    rulesBody.append(
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, `${span.type} @${span.start}`),
        span.verdicts.map((verdict) => el('td', {}, verdict === 'decides' ? el('span', { class: `badge ${span.action === 'block' ? 'bad' : 'ok'}` }, `decides: ${span.action}`) : el('span', { class: 'muted' }, verdict))),
      ),
    );
  }
  const providerAnswer = document.getElementById('play-provider-answer');
  const answer = document.getElementById('play-answer');
  if (data.answer === null) {
    providerAnswer.textContent = 'Not sent: the policy blocks this request.';
    answer.textContent = '–';
  } else {
    markTokens(providerAnswer, data.answer.providerSaw, data.tokens);
    answer.textContent = data.answer.rehydrated;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const values = new FormData(form);
  const transcript = values.get('mode') === 'transcript';
  const all = [...form.querySelectorAll('input[name="detector"]')];
  const body = {
    text: values.get('text'),
    mode: transcript ? 'transcript' : 'text',
    disabled: all.filter((box) => !box.checked).map((box) => box.value),
  };
  const tenant = document.getElementById('play-tenant');
  if (!tenant.disabled) {
    body.tenant = tenant.value;
    body.roles = String(values.get('roles') ?? '').split(',').map((role) => role.trim()).filter((role) => role !== '');
  }
  const provider = values.get('provider');
  if (provider) body.provider = provider;
  const policy = String(values.get('policy') ?? '').trim();
  if (policy !== '') body.policy = policy;
  try {
    render(await api('playground', { body }), transcript);
  } catch (cause) {
    fail(error, cause);
  }
});

setup().catch((cause) => fail(error, cause));
