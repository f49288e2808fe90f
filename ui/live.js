/* global document, setTimeout */
import { api, badge, clear, el, entityBadges, fail, formatName, hue, markTokens, start, stream, time } from './console.js';

const MAX_ROWS = 200;
const body = document.querySelector('#live-table tbody');
const status = document.getElementById('live-status');
const empty = document.getElementById('live-empty');
const pause = document.getElementById('live-pause');
const detail = document.getElementById('detail');
const revealForm = document.getElementById('reveal-form');
const revealMessage = document.getElementById('reveal-message');
const clientPane = document.getElementById('client-pane');
const providerPane = document.getElementById('provider-pane');
const held = [];
let current;

const OUTCOME = {
  forwarded: ['forwarded', 'ok'],
  blocked: ['blocked', 'bad'],
  leak_gate: ['stopped by leak gate', 'bad'],
  error: ['error', 'warn'],
};

function actionsOf(row) {
  const totals = {};
  for (const counts of Object.values(row.entities)) for (const [action, count] of Object.entries(counts)) totals[action] = (totals[action] ?? 0) + count;
  return Object.entries(totals).map(([action, count]) => `${action} ${count}`).join(', ');
}

function stages(row) {
  const s = row.stages;
  return `gateway ${s.gateway} · detect ${s.detect} · provider ${s.upstream ?? '–'} · total ${s.total}`;
}

function rowElement(row, fresh) {
  const [label, kind] = OUTCOME[row.outcome] ?? [row.outcome, 'plain'];
  const leak = row.leakGate === 'pass' ? badge('pass', 'ok') : row.leakGate === 'tripped' ? badge('tripped', 'bad') : el('span', { class: 'muted' }, '–');
  const open = el('button', { type: 'button', class: 'secondary', 'aria-label': `Open request of ${time(row.time)} (${row.route})`, onclick: () => openDetail(row.id) }, 'Open');
  return el(
    'tr',
    { 'data-id': row.id, class: fresh ? 'fresh' : undefined },
    el('td', { class: 'mono' }, time(row.time)),
    el('td', {}, row.tenant),
    el('td', { class: 'mono' }, row.route),
    el('td', {}, row.provider, row.model === null ? '' : ` / ${row.model}`),
    el('td', {}, entityBadges(row.entities)),
    el('td', {}, badge(label, kind), el('div', { class: 'small muted' }, actionsOf(row))),
    el('td', { class: 'small' }, stages(row)),
    el('td', {}, leak),
    el('td', { class: 'num' }, String(row.status)),
    el('td', {}, open),
  );
}

function add(row, fresh) {
  empty.hidden = true;
  body.prepend(rowElement(row, fresh));
  while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
}

/** A token in the client pane while its value is not shown; one-way tokens say they never can be. */
function hiddenToken(token, shown) {
  const why = token.id === null ? `one-way (${formatName(token.format)}): the original is not stored` : 'original value not shown';
  return el('mark', { class: `token ${hue(token.type)} hidden-value${token.id === null ? ' one-way' : ''}`, title: `${token.type}: ${why}` }, shown, el('span', { class: 'tag' }, token.type));
}

async function openDetail(id) {
  for (const selected of body.querySelectorAll('tr.selected')) selected.classList.remove('selected');
  body.querySelector(`tr[data-id="${id}"]`)?.classList.add('selected');
  revealMessage.textContent = '';
  let data;
  try {
    data = await api(`requests/${id}`);
  } catch (error) {
    detail.hidden = false;
    fail(revealMessage, error);
    return;
  }
  current = data;
  const row = data.row;
  document.getElementById('detail-title').textContent = `Request ${time(row.time)} · ${row.route}`;
  document.getElementById('detail-meta').textContent =
    `tenant ${row.tenant} · key ${row.keyId} · ${row.provider}${row.model === null ? '' : ` / ${row.model}`} · status ${row.status} · ${stages(row)} ms`;
  if (data.providerSaw === null) {
    const why = { not_forwarded: 'the request never reached the provider', too_large: 'the body was too large to keep', evicted: 'its body has rolled out of the buffer' }[row.bodyNote] ?? 'the body is not kept';
    clientPane.textContent = `Not available: ${why}.`;
    providerPane.textContent = `Not available: ${why}.`;
  } else {
    markTokens(providerPane, data.providerSaw, data.tokens);
    markTokens(clientPane, data.providerSaw, data.tokens, hiddenToken);
  }
  const button = revealForm.querySelector('button');
  button.disabled = !data.revealable;
  if (!data.revealable && data.providerSaw !== null) {
    revealMessage.textContent = !row.hasSession
      ? 'Original values cannot be shown: this request had no x-veil-session, so its tokens lived only for the request itself.'
      : row.tenant !== (await viewerTenant())
        ? "Original values cannot be shown: tokens are resolved only in the viewer's own tenant."
        : 'Original values cannot be shown for this request.';
  }
  detail.hidden = false;
  detail.focus();
}

let tenant;
async function viewerTenant() {
  tenant ??= (await api('session')).viewer.tenant;
  return tenant;
}

revealForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (current === undefined) return;
  const reason = document.getElementById('reveal-reason').value;
  revealMessage.textContent = 'Asking the policy…';
  try {
    const result = await api(`requests/${current.row.id}/reveal`, { body: { reason } });
    show(result);
  } catch (error) {
    if (error.body?.tokens !== undefined) show(error.body);
    fail(revealMessage, error);
  }
});

function show(result) {
  // The unmask service answers by token id: placeholder key, opaque token, or an fpe token's digits.
  const byId = new Map(result.tokens.map((token) => [String(token.token), token]));
  markTokens(clientPane, current.providerSaw, current.tokens, (token, shown) => {
    const decision = token.id === null ? undefined : byId.get(token.id);
    if (decision?.allowed === true && typeof decision.value === 'string') {
      return el('mark', { class: `token ${hue(token.type)} value`, title: `${token.type} (${shown}, ${formatName(token.format)}), revealed` }, decision.value, el('span', { class: 'tag' }, token.type));
    }
    return hiddenToken(token, shown);
  });
  const allowed = result.tokens.filter((token) => token.allowed).length;
  const oneWay = current.tokens.filter((token) => token.id === null).length;
  const unrevealable = oneWay === 0 ? '' : ` ${oneWay} one-way token${oneWay === 1 ? '' : 's'} (hash or redaction) can never be revealed.`;
  revealMessage.textContent = (result.message ?? `${allowed} of ${result.tokens.length} values revealed by the policy's unmask rules (this reveal is in the audit log).`) + unrevealable;
}

function closeDetail() {
  detail.hidden = true;
  clear(clientPane);
  clear(providerPane);
  current = undefined;
  body.querySelector('tr.selected button')?.focus();
}

document.getElementById('detail-close').addEventListener('click', closeDetail);
detail.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeDetail();
});

pause.addEventListener('change', () => {
  if (!pause.checked) for (const row of held.splice(0)) add(row, true);
  status.textContent = pause.checked ? 'Paused: new requests are held' : 'Live: streaming';
});

/** The rows the gateway holds now (also after a reconnect, so none passed unseen). */
async function load() {
  const { rows } = await api('requests');
  clear(body);
  empty.hidden = rows.length > 0;
  for (const row of rows.slice().reverse()) add(row, false);
}

async function main() {
  await start();
  try {
    await load();
  } catch (error) {
    fail(status, error);
    return;
  }
  for (let first = true; ; first = false) {
    if (!first) await load().catch(() => undefined);
    status.textContent = pause.checked ? 'Paused: new requests are held' : 'Live: streaming';
    try {
      await stream('requests/stream', (event, row) => {
        if (event !== 'row') return;
        if (pause.checked) held.push(row);
        else add(row, true);
      });
    } catch (error) {
      fail(status, error);
    }
    status.textContent = 'Disconnected; reconnecting…';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

main();
