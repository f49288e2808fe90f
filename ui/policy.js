/* global document */
import { api, badge, clear, dateTime, el, refuse, start } from './console.js';

function term(list, name, value) {
  list.append(el('dt', {}, name), el('dd', {}, value));
}

function when(rule) {
  const parts = [];
  const w = rule.when;
  if (w.entities !== null) parts.push(`entity ${w.entities.join(', ')}`);
  if (w.providers !== null) parts.push(`provider ${w.providers.join(', ')}`);
  if (w.routes !== null) parts.push(`route ${w.routes.join(', ')}`);
  if (w.tenants !== null) parts.push(`tenant ${w.tenants.join(', ')}`);
  if (w.roles !== null) parts.push(`role ${w.roles.join(', ')}`);
  if (w.minScore > 0) parts.push(`score ≥ ${w.minScore}`);
  return parts.length === 0 ? 'always (catch-all)' : parts.join('; ');
}

const ACTION_KIND = { mask: 'ok', redact: 'warn', block: 'bad', allow: 'plain' };

async function main() {
  const session = await start();
  if (!session.viewer.can.policy) {
    refuse('The policy page needs the admin or auditor role.');
    return;
  }
  const policy = await api('policy');
  const summary = document.getElementById('policy-summary');
  term(summary, 'Version', el('code', {}, policy.version));
  term(summary, 'Source', policy.builtin ? 'built-in default policy' : (policy.source ?? '–'));
  term(summary, 'Loaded', dateTime(policy.loadedAt));
  term(summary, 'Auth', policy.auth.mode === 'disabled' ? `disabled (loopback only, anonymous tenant ${policy.auth.anonymous.tenant})` : `required${policy.auth.jwt === null ? ' (API keys)' : ` (API keys and JWTs from ${policy.auth.jwt.issuer})`}`);
  term(summary, 'Providers', policy.providers.length === 0 ? 'any (no provider_access section)' : policy.providers.map((p) => p.name).join(', '));
  term(summary, 'Routes', policy.routes.length === 0 ? 'none' : policy.routes.map((r) => `${r.id} ${r.path}`).join('; '));

  const rejection = document.getElementById('policy-rejection');
  if (policy.lastRejection !== null) {
    rejection.hidden = false;
    rejection.append(
      el('strong', {}, policy.lastRejection.current ? 'The policy file on disk was rejected; the version below stays in force.' : 'An earlier edit of the policy file was rejected (since fixed).'),
      el('p', {}, `Rejected at ${dateTime(policy.lastRejection.at)}:`),
      el('pre', {}, policy.lastRejection.messages.join('\n')),
    );
  }

  const rules = clear(document.querySelector('#rules tbody'));
  for (const rule of policy.rules) {
    rules.append(
      el(
        'tr',
        {},
        el('td', { class: 'num' }, String(rule.index + 1)),
        el('td', { class: 'mono' }, rule.id, rule.implicit ? el('span', { class: 'muted small' }, ' (added by Veil)') : null),
        el('td', {}, when(rule)),
        el('td', {}, badge(rule.action, ACTION_KIND[rule.action] ?? 'plain'), rule.format === null ? null : el('span', { class: 'small muted' }, ` format ${rule.format}`)),
        el('td', {}, rule.rehydrate ? 'yes' : 'no'),
        el('td', { class: 'num' }, String(rule.hits)),
      ),
    );
  }
  const tenants = clear(document.querySelector('#tenants tbody'));
  for (const tenant of policy.tenants) {
    tenants.append(
      el(
        'tr',
        {},
        el('td', {}, tenant.id, tenant.name === tenant.id ? '' : ` (${tenant.name})`),
        el('td', {}, tenant.keys.length === 0 ? el('span', { class: 'muted' }, 'no keys') : tenant.keys.map((key) => el('div', {}, el('code', {}, key.id), ` (${key.roles.join(', ') || 'no roles'})`))),
        el('td', {}, tenant.sessionTtlSeconds === null ? 'vault default' : `${tenant.sessionTtlSeconds} s`),
      ),
    );
  }
  document.getElementById('unmask-summary').textContent =
    `Reason ${policy.unmask.requireReason ? 'required' : 'optional'}; at most ${policy.unmask.ratePerMinute} attempts per key per minute.` +
    (policy.unmask.cedar.trim() === '' ? ' No Cedar policy: nobody may unmask.' : '');
  document.getElementById('cedar').textContent = policy.unmask.cedar.trim() === '' ? '(none)' : policy.unmask.cedar;
  const warnings = document.getElementById('warnings');
  for (const warning of policy.warnings) warnings.append(el('li', {}, warning));
  if (policy.warnings.length === 0) warnings.append(el('li', { class: 'muted' }, 'none'));
}

main();
