/* global document, location, URLSearchParams */
import { api, ApiError, setCredential } from './console.js';

const form = document.getElementById('login-form');
const input = document.getElementById('credential');
const error = document.getElementById('login-error');

function next() {
  const target = new URLSearchParams(location.search).get('next') ?? '/ui/live';
  // Only a path inside the console: never an absolute URL from the query string.
  return target.startsWith('/ui/') && !target.startsWith('//') ? target : '/ui/live';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const value = input.value.trim().replace(/^Bearer\s+/i, '');
  if (value === '') return;
  setCredential(value);
  try {
    await api('session');
    location.assign(next());
  } catch (cause) {
    setCredential(null);
    error.textContent = cause instanceof ApiError && cause.status === 401 ? `Not accepted: ${cause.message}` : String(cause.message ?? cause);
    input.focus();
  }
});
input.focus();
