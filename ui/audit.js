/* global document, FormData, URLSearchParams */
import { api, badge, clear, dateTime, download, el, entityBadges, fail, refuse, start } from './console.js';

const chain = document.getElementById('chain');
const eventsBody = document.querySelector('#events tbody');
const eventsStatus = document.getElementById('events-status');
const filter = document.getElementById('audit-filter');
const reportForm = document.getElementById('report-form');
const reportStatus = document.getElementById('report-status');
const reportFiles = document.getElementById('report-files');

function short(hash) {
  return typeof hash === 'string' ? `${hash.slice(0, 16)}…` : '–';
}

async function verify() {
  clear(chain).append(el('p', { class: 'muted' }, 'Verifying…'));
  chain.className = 'chain';
  let result;
  try {
    result = await api('audit/verify');
  } catch (error) {
    fail(chain, error);
    return;
  }
  clear(chain);
  chain.className = `chain ${result.ok ? 'ok' : 'bad'}`;
  const headline = result.ok
    ? result.event_count === 0
      ? 'Verified: no events yet'
      : `Verified: the chain is intact up to event ${result.last_seq}`
    : `Broken: ${result.first_bad_event?.problem ?? 'problem'} at event ${result.first_bad_event?.seq ?? '?'}`;
  const roots = result.checkpoints.merkle_roots;
  chain.append(
    el('p', { class: 'headline' }, result.ok ? '✔ ' : '✖ ', headline),
    el('p', {}, result.message),
    el(
      'ul',
      {},
      el('li', {}, `Events checked: ${result.event_count}${result.first_seq === null ? '' : ` (seq ${result.first_seq}..${result.last_seq})`}`),
      el('li', {}, `Signed checkpoints verified: ${result.checkpoints.verified} of ${result.checkpoints.count}; signed by ${result.checkpoints.signers.join(', ') || '–'} (trusted key ${result.signer})`),
      el('li', {}, `Last event hash: `, el('code', {}, short(result.last_hash))),
      result.first_bad_event === null ? null : el('li', {}, `First bad record: ${result.first_bad_event.location}: ${result.first_bad_event.detail}`),
    ),
  );
  if (roots.length > 0) {
    chain.append(
      el('h3', {}, 'Merkle roots of the signed checkpoints'),
      el('ul', {}, roots.slice(-10).map((root) => el('li', {}, `checkpoint ${root.seq}: events ${root.from_seq}..${root.to_seq} → `, el('code', { title: root.merkle_root }, short(root.merkle_root))))),
    );
  }
}

function principalOf(event) {
  if (event.principal === null || event.principal === undefined) return '–';
  return `${event.principal.key_id ?? '–'}${event.principal.role === null ? '' : ` (${event.principal.role})`}`;
}

async function loadEvents() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(filter)) if (String(value).trim() !== '') params.set(name, String(value).trim());
  eventsStatus.textContent = 'Loading…';
  let data;
  try {
    data = await api(`audit/events?${params}`);
  } catch (error) {
    fail(eventsStatus, error);
    return;
  }
  clear(eventsBody);
  for (const event of data.events) {
    const outcome = event.outcome === 'ok' ? 'ok' : event.outcome === 'error' ? 'warn' : 'bad';
    eventsBody.append(
      el(
        'tr',
        {},
        el('td', { class: 'num' }, String(event.seq)),
        el('td', { class: 'mono' }, dateTime(event.time)),
        el('td', {}, event.kind),
        el('td', {}, event.tenant),
        el('td', {}, principalOf(event)),
        el('td', { class: 'mono' }, event.route ?? '–'),
        el('td', {}, entityBadges(event.entities)),
        el('td', {}, event.leak_gate ?? '–'),
        el('td', {}, badge(event.outcome, outcome)),
      ),
    );
  }
  eventsStatus.textContent = `${data.matched} matching event${data.matched === 1 ? '' : 's'}${data.matched > data.events.length ? `, newest ${data.events.length} shown` : ''}.`;
}

reportForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(reportForm));
  if (values.tenant === '') delete values.tenant;
  reportStatus.textContent = 'Building and signing the report…';
  clear(reportFiles);
  try {
    const report = await api('audit/report', { body: values });
    reportStatus.textContent =
      `Report for ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)}: requests ${report.summary.requests}, ` +
      `blocked ${report.summary.blocked_requests}; audit chain ${report.chain.ok ? 'INTACT' : 'BROKEN'}; signed by ${report.signer}.`;
    for (const file of report.files) {
      reportFiles.append(
        el('li', {}, el('button', { type: 'button', class: 'secondary', title: `sha256 ${file.sha256}`, onclick: () => download(`audit/report/${report.id}/${file.name}`, file.name).catch((error) => fail(reportStatus, error)) }, `Download ${file.name} (${Math.ceil(file.bytes / 1024)} KB)`)),
      );
    }
  } catch (error) {
    fail(reportStatus, error);
  }
});

filter.addEventListener('submit', (event) => {
  event.preventDefault();
  loadEvents();
});
document.getElementById('verify').addEventListener('click', verify);

async function main() {
  const session = await start();
  if (!session.viewer.can.audit) {
    refuse('The audit explorer needs the admin or auditor role.');
    return;
  }
  if (!session.auditing) {
    refuse('Auditing is off in this gateway.');
    return;
  }
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  document.getElementById('r-from').value = weekAgo;
  document.getElementById('r-to').value = today;
  await Promise.all([verify(), loadEvents()]);
}

main();
