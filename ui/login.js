/* global document, location, URLSearchParams, sessionStorage, crypto, TextEncoder, btoa, history, URL */
import { api, ApiError, setCredential } from './console.js';

const form = document.getElementById('login-form');
const input = document.getElementById('credential');
const error = document.getElementById('login-error');
const PENDING = 'veil.console.oidc';

function next(target) {
  // Only a path inside the console: never an absolute URL from the query string.
  return typeof target === 'string' && target.startsWith('/ui/') && !target.startsWith('//') ? target : '/ui/live';
}

async function enter(credential, target) {
  setCredential(credential);
  try {
    await api('session');
    location.assign(next(target));
  } catch (cause) {
    setCredential(null);
    error.textContent = cause instanceof ApiError && cause.status === 401 ? `Not accepted: ${cause.message}` : String(cause.message ?? cause);
    input.focus();
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  error.textContent = '';
  const value = input.value.trim().replace(/^Bearer\s+/i, '');
  if (value !== '') enter(value, new URLSearchParams(location.search).get('next'));
});

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function redirectUri() {
  return `${location.origin}/ui/login`;
}

/** Authorization code flow with PKCE: off to the provider, back here with a code. */
async function startOidc(options) {
  if (crypto.subtle === undefined) {
    error.textContent = 'Logging in with the identity provider needs a secure page (https, or localhost).';
    return;
  }
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, next: new URLSearchParams(location.search).get('next') }));
  const url = new URL(options.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: redirectUri(),
    scope: options.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

async function finishOidc(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/ui/login');
  if (params.get('error') !== null) {
    error.textContent = `The identity provider did not log you in (${params.get('error')}).`;
    return;
  }
  if (pending === null || pending.state !== params.get('state')) {
    error.textContent = 'This login answer does not match a login started here; please try again.';
    return;
  }
  try {
    const { token } = await api('oidc/token', { body: { code: params.get('code'), codeVerifier: pending.verifier, redirectUri: redirectUri() } });
    await enter(token, pending.next);
  } catch (cause) {
    error.textContent = `Not accepted: ${cause.message}`;
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) await finishOidc(params);
  const { oidc } = await api('login-options');
  if (oidc === null) return;
  document.getElementById('oidc-issuer').textContent = oidc.issuer;
  document.getElementById('oidc').hidden = false;
  const button = document.getElementById('oidc-login');
  if (oidc.error !== undefined) {
    button.disabled = true;
    error.textContent = oidc.error;
    return;
  }
  button.addEventListener('click', () => startOidc(oidc));
}

input.focus();
main().catch((cause) => {
  error.textContent = String(cause.message ?? cause);
});
