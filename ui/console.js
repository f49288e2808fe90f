/* global document, window, sessionStorage, fetch, location, URL, Blob, TextDecoder */
// Shared by every console page: the credential, API calls, the header, and small DOM helpers.
// Text is always inserted as text nodes (never innerHTML), so nothing from the API is markup.

const STORAGE_KEY = 'veil.console.credential';

export function credential() {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function setCredential(value) {
  if (value === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, value);
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

function headers(extra = {}) {
  const out = { 'x-veil-console': '1', ...extra };
  const key = credential();
  if (key !== null) out['x-veil-key'] = key;
  return out;
}

function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/ui/login?next=${encodeURIComponent(next)}`);
}

/** GET (or POST with `body`) on /ui/api/PATH; resolves with the parsed JSON. */
export async function api(path, { method, body } = {}) {
  const response = await fetch(`/ui/api/${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && document.body.dataset.page !== 'login') {
    setCredential(null);
    toLogin();
  }
  if (!response.ok) throw new ApiError(response.status, data?.error?.message ?? data?.message ?? response.statusText, data);
  return data;
}

/** Downloads /ui/api/PATH as a file named `name` (the credential goes in a header, so no plain link). */
export async function download(path, name) {
  const response = await fetch(`/ui/api/${path}`, { headers: headers(), cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, `download failed (${response.status})`);
  const blob = await response.blob();
  const url = URL.createObjectURL(new Blob([blob], { type: blob.type }));
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Server-sent events over fetch (EventSource cannot send the credential header). */
export async function stream(path, onEvent, signal) {
  const response = await fetch(`/ui/api/${path}`, { headers: headers({ accept: 'text/event-stream' }), signal, cache: 'no-store' });
  if (response.status === 401) {
    setCredential(null);
    toLogin();
    return;
  }
  if (!response.ok || response.body === null) throw new ApiError(response.status, 'the live stream was refused');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}

/** Builds an element: `el('td', { class: 'num' }, 'text', child)`. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild !== null) node.firstChild.remove();
  return node;
}

/** A stable colour class per entity type (eight tints). */
export function hue(type) {
  const base = String(type).split('_')[0];
  let hash = 0;
  for (const char of base) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hue-${hash % 8}`;
}

export function badge(text, kind = 'plain', title) {
  return el('span', { class: `badge ${kind}`, title }, text);
}

export function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour12: false });
}

export function dateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 10)} ${date.toLocaleTimeString([], { hour12: false })}`;
}

export function percent(value) {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '–';
}

/** Badges "EMAIL 2" per type, with the actions in the title. */
export function entityBadges(entities) {
  const types = Object.entries(entities ?? {});
  if (types.length === 0) return [el('span', { class: 'muted' }, 'none')];
  return types.map(([type, counts]) => {
    const total = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
    const actions = Object.entries(counts).map(([action, count]) => `${action} ${count}`).join(', ');
    return el('span', { class: `badge ${hue(type)}`, title: `${type}: ${actions}` }, `${type} ${total}`);
  });
}

const FORMAT_NAMES = {
  placeholder: 'placeholder',
  opaque: 'opaque',
  'opaque-siv': 'opaque (SIV)',
  fpe: 'format-preserving',
  hash: 'keyed hash',
  redact: 'redaction',
  other: 'token',
};

/** How a token's format reads in a tooltip. */
export function formatName(format) {
  return FORMAT_NAMES[format] ?? String(format);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern for exactly these token strings, longest first. A token that starts or ends with a
 * digit (fpe) does not match inside a longer number.
 */
function tokenPattern(tokens) {
  const texts = [...new Set(tokens.map((token) => token.text))].filter((text) => text !== '').sort((a, b) => b.length - a.length);
  if (texts.length === 0) return undefined;
  const parts = texts.map((text) => `${/^\d/.test(text) ? '(?<!\\d)' : ''}${escapeRegExp(text)}${/\d$/.test(text) ? '(?!\\d)' : ''}`);
  return new RegExp(parts.join('|'), 'g');
}

/**
 * Renders `text` into `target` with each of `tokens` ({text, type, format, id}: the tokens the
 * gateway issued, whatever their format) marked with its type. `replace(token, shown)` may return
 * a node to show instead (e.g. a revealed value).
 */
export function markTokens(target, text, tokens, replace) {
  clear(target);
  const pattern = tokenPattern(tokens);
  if (pattern === undefined) {
    target.append(document.createTextNode(text));
    return target;
  }
  const byText = new Map(tokens.map((token) => [token.text, token]));
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const token = byText.get(match[0]);
    target.append(document.createTextNode(text.slice(last, match.index)));
    const custom = replace === undefined ? undefined : replace(token, match[0]);
    target.append(custom ?? el('mark', { class: `token ${hue(token.type)}`, title: `${token.type} token (${formatName(token.format)})` }, match[0], el('span', { class: 'tag' }, token.type)));
    last = match.index + match[0].length;
  }
  target.append(document.createTextNode(text.slice(last)));
  return target;
}

/** Shared start of every page but login: credential check, who am I, role-based navigation. */
export async function start() {
  const auth = document.body.dataset.auth;
  if (auth === 'required' && credential() === null) {
    toLogin();
    return new Promise(() => undefined);
  }
  const logout = document.getElementById('logout');
  logout?.addEventListener('click', () => {
    setCredential(null);
    location.assign('/ui/login');
  });
  const session = await api('session');
  const viewer = session.viewer;
  const who = document.getElementById('who');
  if (who !== null) {
    who.textContent = viewer.authDisabled
      ? 'anonymous (auth disabled)'
      : `${viewer.keyId} · tenant ${viewer.tenant} · ${viewer.roles.length === 0 ? 'no roles' : `roles ${viewer.roles.join(', ')}`}`;
  }
  if (viewer.authDisabled && logout !== null) logout.hidden = true;
  if (!viewer.can.audit) for (const item of document.querySelectorAll('[data-oversight]')) item.hidden = true;
  return session;
}

/** Shows why a page is not available to this viewer, in place of its content. */
export function refuse(message) {
  const main = document.getElementById('main');
  clear(main).append(el('h1', {}, document.title.split(' · ')[0]), el('p', { class: 'alert bad', role: 'alert' }, message));
}

export function fail(target, error) {
  target.textContent = error instanceof Error ? error.message : String(error);
}
