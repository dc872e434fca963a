// The dashboard's entry: sign-in when the API asks for a token, then one view per location hash.
import { ApiError, get, onUnauthorized, token } from './api.js';
import { clear, h } from './dom.js';
import { overview } from './views/overview.js';
import { routePage } from './views/route.js';
import { explainPage } from './views/explain.js';
import { auditPage } from './views/audit.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
let dispose = () => {};
let signingIn = false;

/**
 * Whether the gateway wants a token is learnt from the API itself: GET /api/routes without one (or with the one
 * kept) answers 401 when admin.token is set, 200 when it is not. No endpoint tells it before.
 */
async function start() {
  try {
    await get('/api/routes');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showSignIn(token.get() ? e.message : null);
    return showFailure(e);
  }
  signedIn();
}

function signedIn() {
  signingIn = false;
  nav.hidden = false;
  signOut.hidden = !token.get();
  show();
}

function showSignIn(error) {
  dispose();
  dispose = () => {};
  signingIn = true;
  nav.hidden = true;
  signOut.hidden = true;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { id: 'sign-in-error', class: 'field-error', role: 'alert' }, error || '');
  const form = h('form', { id: 'sign-in', class: 'card sign-in' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'This gateway asks for its admin token (admin.token). It is kept in this tab only, and sent as a bearer token.'),
    h('label', { for: 'token' }, 'Admin token'), input,
    h('button', { type: 'submit' }, 'Sign in'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    token.set(input.value);
    try {
      await get('/api/routes');
      signedIn();
    } catch (e) {
      token.clear();
      message.textContent = e.message;
      input.select();
    }
  });
  clear(main, form);
  input.focus();
}

function showFailure(e) {
  clear(main, h('p', { class: 'card error', role: 'alert' }, `The admin API failed: ${e.message}`));
}

onUnauthorized((e) => {
  if (!signingIn) {
    token.clear();
    showSignIn(e.message);
  }
});

signOut.addEventListener('click', () => {
  token.clear();
  start();
});

function show() {
  if (signingIn) return;
  dispose();
  const [, view, arg] = (location.hash || '#/').slice(1).split('/').map(decodeURIComponent);
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.view === (view || 'overview'));
  const el = h('div', { class: 'view' });
  clear(main, el);
  const pages = { route: () => routePage(el, arg), explain: () => explainPage(el), audit: () => auditPage(el) };
  dispose = (pages[view] || (() => overview(el)))() || (() => {});
}

window.addEventListener('hashchange', show);
start();
