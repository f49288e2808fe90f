/**
 * The console's pages, rendered on the server as plain HTML: the layout, navigation, headings,
 * forms with their labels, and empty tables with captions. A page holds no data: every figure
 * comes from `/ui/api/*` behind the gateway's auth, fetched by the page's small script with the
 * viewer's credential. So a page is the same for everyone, and one without a valid credential
 * shows nothing but a way to log in.
 * @module
 */
import { AUDIT_EVENT_KINDS, AUDIT_OUTCOMES } from '../audit/event.js';

export type PageId = 'live' | 'playground' | 'audit' | 'policy' | 'detection' | 'login';

interface PageSpec {
  readonly title: string;
  readonly body: string;
}

const NAV: readonly { id: PageId; label: string; oversight?: true }[] = [
  { id: 'live', label: 'Live firewall' },
  { id: 'playground', label: 'Playground' },
  { id: 'audit', label: 'Audit', oversight: true },
  { id: 'policy', label: 'Policy', oversight: true },
  { id: 'detection', label: 'Detection' },
];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const KINDS = AUDIT_EVENT_KINDS.map((kind) => `<option>${kind}</option>`).join('');
const OUTCOMES = AUDIT_OUTCOMES.map((outcome) => `<option>${outcome}</option>`).join('');
const ENTITY_ACTIONS = '<option value="">any</option><option>mask</option><option>redact</option><option>block</option><option>allow</option>';

const PAGES: Readonly<Record<PageId, PageSpec>> = {
  login: {
    title: 'Log in',
    body: `
<section class="narrow" aria-labelledby="login-title">
  <h1 id="login-title">Log in to the Veil console</h1>
  <p>Use a gateway API key from the policy (<code>veil_…</code>), or a bearer token (JWT) issued by the
  OIDC provider the policy trusts. The credential stays in this browser tab (session storage) and is sent
  with each console request; closing the tab forgets it.</p>
  <form id="login-form" class="stack">
    <label for="credential">API key or bearer token</label>
    <input id="credential" name="credential" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit">Log in</button>
  </form>
  <div id="oidc" class="stack" hidden>
    <p>Or sign in with the identity provider this gateway trusts (<span id="oidc-issuer"></span>):</p>
    <button type="button" id="oidc-login" class="secondary">Log in with the identity provider</button>
  </div>
  <p id="login-error" class="error" role="alert"></p>
</section>`,
  },
  live: {
    title: 'Live firewall',
    body: `
<h1>Live firewall</h1>
<p class="lead">Requests on the masked routes as they pass through the gateway: what was found, what the policy did
and how long each stage took. Open a request to compare what the client sent with what the provider saw.</p>
<div class="toolbar">
  <p id="live-status" class="status" role="status" aria-live="polite">Connecting…</p>
  <label class="inline"><input type="checkbox" id="live-pause"> Pause</label>
</div>
<div class="table-wrap">
<table id="live-table" class="data">
  <caption class="sr-only">Recent requests, newest first</caption>
  <thead><tr>
    <th scope="col">Time</th><th scope="col">Tenant</th><th scope="col">Route</th><th scope="col">Provider / model</th>
    <th scope="col">Entities</th><th scope="col">Action</th><th scope="col">Stages (ms)</th><th scope="col">Leak gate</th>
    <th scope="col">Status</th><th scope="col"><span class="sr-only">Open</span></th>
  </tr></thead>
  <tbody></tbody>
</table>
</div>
<p id="live-empty" class="muted">No requests yet. Send one through the gateway (for example with the OpenAI SDK and base URL <code>/v1</code>).</p>
<section id="detail" class="detail" hidden aria-labelledby="detail-title" tabindex="-1">
  <h2 id="detail-title">Request</h2>
  <p id="detail-meta" class="muted"></p>
  <form id="reveal-form" class="inline-form">
    <label for="reveal-reason">Reason for revealing original values</label>
    <input id="reveal-reason" name="reason" type="text" maxlength="500" placeholder="e.g. ticket 4711">
    <button type="submit">Reveal originals</button>
  </form>
  <p id="reveal-message" class="note" role="status" aria-live="polite"></p>
  <div class="panes">
    <div class="pane"><h3>What the client sent</h3><pre id="client-pane" class="code" tabindex="0"></pre></div>
    <div class="pane"><h3>What the provider saw</h3><pre id="provider-pane" class="code" tabindex="0"></pre></div>
  </div>
  <p class="muted small">Tokens are marked with their type. Original values appear only after a reveal that the policy's
  unmask rules allow for your key; they are not stored by the console and disappear when you close this view.</p>
  <button type="button" id="detail-close">Close</button>
</section>`,
  },
  playground: {
    title: 'Playground',
    body: `
<h1>Playground</h1>
<p class="lead">Try the policy on a text or a chat transcript. Nothing is sent to a provider: the demo upstream answers,
and nothing you type is kept or logged.</p>
<form id="play-form" class="grid-form">
  <div class="wide">
    <label for="play-text">Text or chat transcript</label>
    <textarea id="play-text" name="text" rows="6" required>Hi, I'm Maria Garcia, maria.garcia@example.com, card 4111 1111 1111 1111. Call me on +1 415 555 0132.</textarea>
  </div>
  <fieldset class="wide">
    <legend>Input is</legend>
    <label class="inline"><input type="radio" name="mode" value="text" checked> plain text</label>
    <label class="inline"><input type="radio" name="mode" value="transcript"> chat transcript (<code>user: …</code> per line)</label>
  </fieldset>
  <div><label for="play-tenant">Tenant</label><select id="play-tenant" name="tenant"></select></div>
  <div><label for="play-roles">Roles (comma-separated)</label><input id="play-roles" name="roles" type="text"></div>
  <div><label for="play-provider">Provider</label><select id="play-provider" name="provider"><option value="">(none)</option></select></div>
  <details class="wide" id="play-policy-box">
    <summary>Try another policy (YAML)</summary>
    <label for="play-policy">Policy text; empty: the policy in force</label>
    <textarea id="play-policy" name="policy" rows="6" spellcheck="false"></textarea>
  </details>
  <fieldset class="wide" id="play-detectors"><legend>Detectors</legend></fieldset>
  <div class="wide"><button type="submit">Run</button></div>
</form>
<p id="play-error" class="error" role="alert"></p>
<section id="play-result" hidden aria-labelledby="play-result-title">
  <h2 id="play-result-title">Result</h2>
  <p id="play-summary" class="status"></p>
  <div class="panes">
    <div class="pane"><h3>Detected spans</h3><div id="play-highlight" class="code" tabindex="0"></div></div>
    <div class="pane"><h3>Masked (what a provider would see)</h3><div id="play-masked" class="code" tabindex="0"></div></div>
  </div>
  <h3>Spans</h3>
  <div class="table-wrap"><table id="play-spans" class="data"><caption class="sr-only">Detected spans</caption>
    <thead><tr><th scope="col">Type</th><th scope="col">Tier</th><th scope="col">Detector</th><th scope="col">Score</th><th scope="col">Action</th><th scope="col">Rule</th><th scope="col">Token</th></tr></thead><tbody></tbody></table></div>
  <h3>Decision of each rule</h3>
  <div class="table-wrap"><table id="play-rules" class="data"><caption class="sr-only">Rules in order against each span</caption><thead></thead><tbody></tbody></table></div>
  <h3>Demo upstream</h3>
  <div class="panes">
    <div class="pane"><h4>Answer as the provider wrote it</h4><div id="play-provider-answer" class="code"></div></div>
    <div class="pane"><h4>Answer rehydrated for the caller</h4><div id="play-answer" class="code"></div></div>
  </div>
</section>`,
  },
  audit: {
    title: 'Audit',
    body: `
<h1>Audit explorer</h1>
<section aria-labelledby="chain-title" class="card">
  <h2 id="chain-title">Chain status</h2>
  <div id="chain" class="chain" role="status" aria-live="polite"><p class="muted">Not verified yet.</p></div>
  <button type="button" id="verify">Verify the chain</button>
</section>
<section aria-labelledby="events-title">
  <h2 id="events-title">Events</h2>
  <form id="audit-filter" class="grid-form">
    <div><label for="f-from">From</label><input id="f-from" name="from" type="date"></div>
    <div><label for="f-to">To</label><input id="f-to" name="to" type="date"></div>
    <div><label for="f-tenant">Tenant</label><input id="f-tenant" name="tenant" type="text"></div>
    <div><label for="f-kind">Kind</label><select id="f-kind" name="kind"><option value="">any</option>${KINDS}</select></div>
    <div><label for="f-type">Entity type</label><input id="f-type" name="type" type="text" placeholder="EMAIL"></div>
    <div><label for="f-action">Action</label><select id="f-action" name="action">${ENTITY_ACTIONS}</select></div>
    <div><label for="f-outcome">Outcome</label><select id="f-outcome" name="outcome"><option value="">any</option>${OUTCOMES}</select></div>
    <div class="align-end"><button type="submit">Filter</button></div>
  </form>
  <p id="events-status" class="muted" role="status" aria-live="polite"></p>
  <div class="table-wrap"><table id="events" class="data"><caption class="sr-only">Audit events, newest first</caption>
    <thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Tenant</th><th scope="col">Principal</th><th scope="col">Route</th><th scope="col">Entities</th><th scope="col">Leak gate</th><th scope="col">Outcome</th></tr></thead><tbody></tbody></table></div>
</section>
<section aria-labelledby="report-title" class="card">
  <h2 id="report-title">Signed compliance report</h2>
  <form id="report-form" class="grid-form">
    <div><label for="r-from">From</label><input id="r-from" name="from" type="date" required></div>
    <div><label for="r-to">To</label><input id="r-to" name="to" type="date" required></div>
    <div><label for="r-tenant">Tenant (optional)</label><input id="r-tenant" name="tenant" type="text"></div>
    <div class="align-end"><button type="submit">Create report</button></div>
  </form>
  <p id="report-status" role="status" aria-live="polite"></p>
  <ul id="report-files" class="files"></ul>
</section>`,
  },
  policy: {
    title: 'Policy',
    body: `
<h1>Policy in force</h1>
<div id="policy-rejection" class="alert bad" role="alert" hidden></div>
<dl id="policy-summary" class="summary"></dl>
<section aria-labelledby="rules-title">
  <h2 id="rules-title">Rules, in order</h2>
  <p class="muted">The first rule that matches a span decides it. Hits count the spans each rule decided since this version was loaded.</p>
  <div class="table-wrap"><table id="rules" class="data"><caption class="sr-only">Rules with hit counts</caption>
    <thead><tr><th scope="col">#</th><th scope="col">Rule</th><th scope="col">When</th><th scope="col">Action</th><th scope="col">Rehydrate</th><th scope="col" class="num">Hits</th></tr></thead><tbody></tbody></table></div>
</section>
<section aria-labelledby="tenants-title">
  <h2 id="tenants-title">Tenants and keys</h2>
  <div class="table-wrap"><table id="tenants" class="data"><caption class="sr-only">Tenants, their keys and roles</caption>
    <thead><tr><th scope="col">Tenant</th><th scope="col">Keys (roles)</th><th scope="col">Session TTL</th></tr></thead><tbody></tbody></table></div>
</section>
<section aria-labelledby="unmask-title">
  <h2 id="unmask-title">Unmask (Cedar)</h2>
  <p id="unmask-summary"></p>
  <pre id="cedar" class="code" tabindex="0"></pre>
</section>
<section aria-labelledby="warnings-title"><h2 id="warnings-title">Warnings</h2><ul id="warnings"></ul></section>`,
  },
  detection: {
    title: 'Detection',
    body: `
<h1>Detection</h1>
<section aria-labelledby="eval-title">
  <h2 id="eval-title">Latest evaluation</h2>
  <p id="eval-status" class="muted"></p>
  <div id="eval-files"></div>
</section>
<section aria-labelledby="detectors-title">
  <h2 id="detectors-title">Detectors</h2>
  <dl id="detector-settings" class="summary"></dl>
  <div class="table-wrap"><table id="detectors" class="data"><caption class="sr-only">Detectors by tier, where each is defined, whether the policy runs it, and its settings</caption>
    <thead><tr><th scope="col">Detector</th><th scope="col">Defined by</th><th scope="col">Types</th><th scope="col">Runs</th><th scope="col">Settings</th></tr></thead><tbody></tbody></table></div>
</section>`,
  },
};

export function isPageId(value: string): value is PageId {
  return Object.hasOwn(PAGES, value);
}

export interface PageContext {
  /** Auth is off and the caller is on loopback: no login, a banner says so. */
  readonly authDisabled: boolean;
}

export function renderPage(id: PageId, context: PageContext): string {
  const page = PAGES[id];
  const nav = NAV.map(
    (item) =>
      `<li${item.oversight === true ? ' data-oversight' : ''}><a href="/ui/${item.id}"${item.id === id ? ' aria-current="page"' : ''}>${escapeHtml(item.label)}</a></li>`,
  ).join('');
  const banner = context.authDisabled
    ? '<div class="banner" role="note"><strong>Auth is disabled.</strong> This console is open to anyone on this machine because the gateway runs without a policy that requires keys (the default demo, loopback only). Set up keys in veil.yaml before exposing it.</div>'
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Veil console</title>
<link rel="stylesheet" href="/ui/assets/console.css">
<script type="module" src="/ui/assets/${id}.js"></script>
</head>
<body data-page="${id}" data-auth="${context.authDisabled ? 'disabled' : 'required'}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/ui/live">Veil <span>console</span></a>
  ${id === 'login' ? '' : `<nav aria-label="Console"><ul>${nav}</ul></nav>
  <div class="who"><span id="who" aria-live="polite"></span> <button type="button" id="logout" class="link">Log out</button></div>`}
</header>
${banner}
<main id="main" tabindex="-1">${page.body}
</main>
</body>
</html>
`;
}
