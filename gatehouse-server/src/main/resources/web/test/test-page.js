// Gatehouse connection test page (GET /test, issue #12): drives the browser client
// (/client/gatehouse.js) against this deployment and shows what it sees. No build step, no
// dependencies; the page's Content-Security-Policy allows no inline script or style, so all
// behaviour is here and all looks are in test-page.css.
//
// Stable hooks for browser tests (ids unless marked data-testid):
//   header       #ws-url (WebSocket URL, editable), #page-status (hidden once this script runs)
//   credentials  #mode-token, #mode-cookie (radios), #token-form, #token, #token-masked,
//                #connect, #disconnect, #login-form, #login-user, #login-password, #login,
//                #logout, #session-connect, #login-result[data-outcome], #csrf-masked
//   status       #state[data-state=none|idle|connecting|connected|reconnecting|stopped|closed],
//                #state-detail, #user (id), #user-name, #user-roles, #connection-id,
//                #instance-id, #expires-at, #countdown, #rtt[data-ms], #ping,
//                #refusal[data-present=true|false], #refusal-code, #refusal-hint, #refusal-at,
//                #recheck, #recheck-result[data-outcome=ok|error|pending|none]
//   subscribe    #channel, #subscribe, #subscribe-result, #subscriptions >
//                li[data-testid=subscription][data-channel=NAME][data-status=pending|subscribed|
//                refused|inactive] with [data-testid=sub-status|sub-recovered|sub-offset|
//                sub-epoch|sub-received] and button[data-testid=unsubscribe]
//   publish      #publish-channel, #publish-data, #publish, #publish-result[data-outcome]
//   log          #log > li[data-kind=message|state|refusal|info|error][data-channel][data-offset]
//                (newest first, at most 200), #log-clear
//
// Query parameters (for links and screenshots): url=WS_URL (this server's only), mode=cookie, channel=NAME (pre-fills
// the subscribe and publish channel), subscribe=a,b (subscribes at once), token=TOKEN (pre-fills
// the token field) and connect=1 (connects at once). A token in the address is for local use
// only: it lands in the browser history and in any proxy's access log. The page removes it from
// the address bar once read.

import { Gatehouse } from '/client/gatehouse.js';
import { csrfCookie } from '../pages/csrf-cookie.js';
import { logIn, logOut } from './test-page-session.js';
import { defaultUrl, ownServerUrl } from './test-page-url.js';
import {
  Log, SubscriptionRow, byId, countdown, mask, mode, onClick, onSubmit, setId, setResult, setText, shown,
  showMode, timeOf,
} from './test-page-view.js';

/** @typedef {{code: string, hint?: string, at?: Date|string|number}} Refusal */

const log = new Log(byId('log'));
const params = new URLSearchParams(location.search);

/** @type {any} the current client handle, or null before the first Connect */
let gh = null;
/** Bumped on each Connect: callbacks of a replaced handle are ignored. */
let generation = 0;
/** @type {Refusal|null} the last refusal reported by callbacks, when the handle has none */
let seenRefusal = null;
/** @type {string} the state detail from the last onStateChange */
let stateDetail = '';
/** @type {string|null} the CSRF token from the last login response */
let loginCsrf = null;
/** @type {Map<string, {row: SubscriptionRow, sub: {unsubscribe(): void}|null}>} */
const subscriptions = new Map();

// ---- connecting -------------------------------------------------------------------------------

/** @returns {string} */
function tokenValue() {
  return /** @type {HTMLInputElement} */ (byId('token')).value.trim();
}

/**
 * Replaces the current handle with a new one in the given credential mode and subscribes the
 * listed channels on it again.
 * @param {'token'|'cookie'} credentials
 */
function connect(credentials) {
  const mine = ++generation;
  if (gh) gh.close();
  seenRefusal = null;
  stateDetail = '';
  setResult('recheck-result', 'none', '');
  setText('rtt', '—');
  setResult('subscribe-result', 'none', '');
  const url = ownServerUrl(/** @type {HTMLInputElement} */ (byId('ws-url')).value.trim() || defaultUrl());
  if (url === null) {
    log.add({ kind: 'error', text: `not connecting: this page connects only to its own server, ${defaultUrl()}` });
    render();
    return;
  }
  /** @type {Record<string, unknown>} */
  const options = {
    url,
    onStateChange: (/** @type {any} */ e) => {
      if (mine === generation) stateChanged(e);
    },
    onAuthError: (/** @type {Refusal} */ e) => {
      if (mine !== generation) return;
      seenRefusal = { ...e, at: new Date() };
      stateDetail = 'authentication failed: log in again or paste a new token, then Recheck';
      log.add({ kind: 'refusal', text: `auth error ${e.code}${e.hint ? ` — ${e.hint}` : ''}` });
      render();
    },
  };
  if (credentials === 'token') {
    options.getToken = async () => tokenValue() || null;
  } else {
    options.csrf = true; // same-site page: the client reads the gh_csrf cookie
  }
  log.add({ kind: 'info', text: `connect (${credentials === 'token' ? 'token' : 'cookie session'}) to ${url}` });
  gh = Gatehouse.connect(options);
  for (const [channel, entry] of subscriptions) {
    if (entry.row.li.dataset.status !== 'refused') subscribeOn(channel, entry);
  }
  render();
}

/**
 * @param {{state: string, previous?: string, code?: string, hint?: string, retryInMs?: number}} e
 */
function stateChanged(e) {
  const parts = [];
  if (e.code) parts.push(e.code);
  if (typeof e.retryInMs === 'number') parts.push(`retry in ${(e.retryInMs / 1000).toFixed(1)} s`);
  stateDetail = parts.join(', ');
  if (e.code) seenRefusal = { code: e.code, hint: e.hint, at: new Date() };
  const text = `${e.previous ?? '—'} → ${e.state}${e.code ? ` (${e.code})` : ''}${
    typeof e.retryInMs === 'number' ? `, retry in ${e.retryInMs} ms` : ''}`;
  log.add({ kind: 'state', text });
  if (e.code) log.add({ kind: 'refusal', text: `${e.code}${e.hint ? ` — ${e.hint}` : ''}` });
  render();
}

// ---- the status panel -------------------------------------------------------------------------

/** Shows the handle's properties; runs on every state change and once a second. */
function render() {
  const state = gh ? String(gh.state ?? 'unknown') : 'none';
  const stateEl = byId('state');
  stateEl.dataset.state = state;
  stateEl.textContent = gh ? state : 'not started';
  setText('state-detail', stateDetail);
  const user = gh?.user ?? null;
  setText('user', user?.id ?? '—');
  setText('user-name', user?.name ?? '—');
  setText('user-roles', user?.roles?.length ? user.roles.join(', ') : '—');
  setId('connection-id', gh?.connectionId);
  setId('instance-id', gh?.instanceId);
  const expires = gh?.expiresAt ? new Date(gh.expiresAt) : null;
  setText('expires-at', expires ? expires.toLocaleString() : '—');
  setText('countdown', countdown(expires, Date.now()));
  /** @type {Refusal|null} */
  const refusal = gh?.lastRefusal ?? seenRefusal;
  const box = byId('refusal');
  box.dataset.present = refusal ? 'true' : 'false';
  setText('refusal-code', refusal ? refusal.code : 'none');
  setText('refusal-hint', refusal?.hint ?? '');
  setText('refusal-at', refusal ? timeOf(refusal.at) : '');
  for (const id of ['disconnect', 'recheck', 'ping']) {
    /** @type {HTMLButtonElement} */ (byId(id)).disabled = !gh || state === 'closed';
  }
}

/**
 * Measures the round trip; the automatic ping only updates #rtt, a click also logs.
 * @param {boolean} manual
 */
async function ping(manual) {
  if (!gh) return;
  try {
    const ms = await gh.ping();
    const rtt = byId('rtt');
    rtt.dataset.ms = String(ms);
    rtt.textContent = `${Math.round(ms)} ms`;
    if (manual) log.add({ kind: 'info', text: `ping ${Math.round(ms)} ms` });
  } catch (err) {
    const e = /** @type {any} */ (err);
    setText('rtt', `failed: ${e?.code ?? e?.message ?? e}`);
    if (manual) log.add({ kind: 'error', text: `ping failed: ${e?.code ?? e?.message ?? e}` });
  }
}

async function recheck() {
  if (!gh) return;
  setResult('recheck-result', 'pending', 'rechecking…');
  log.add({ kind: 'info', text: 'recheck' });
  try {
    const outcome = await gh.recheck();
    if (outcome?.ok) {
      const until = outcome.expiresAt ? `, expires ${new Date(outcome.expiresAt).toLocaleString()}` : '';
      setResult('recheck-result', 'ok', `ok: connected as ${outcome.user?.id ?? '?'}${until}`);
      log.add({ kind: 'info', text: `recheck ok (${outcome.user?.id ?? '?'})` });
    } else {
      const text = `${outcome?.code ?? 'FAILED'}${outcome?.hint ? ` — ${outcome.hint}` : ''}`;
      setResult('recheck-result', 'error', `refused: ${text}`);
      log.add({ kind: 'refusal', text: `recheck refused: ${text}` });
    }
  } catch (err) {
    const e = /** @type {any} */ (err);
    setResult('recheck-result', 'error', `failed: ${e?.code ?? e?.message ?? e}`);
    log.add({ kind: 'error', text: `recheck failed: ${e?.code ?? e?.message ?? e}` });
  }
  render();
}

// ---- subscriptions and publishing -------------------------------------------------------------

/**
 * Subscribes a listed channel on the current handle.
 * @param {string} channel
 * @param {{row: SubscriptionRow, sub: {unsubscribe(): void}|null}} entry
 */
function subscribeOn(channel, entry) {
  entry.row.pending();
  const mine = generation;
  entry.sub = gh.subscribe(
    channel,
    (/** @type {unknown} */ data, /** @type {any} */ meta) => {
      if (mine !== generation) return;
      entry.row.message(meta?.offset);
      log.add({ kind: 'message', channel: meta?.channel ?? channel, offset: meta?.offset, text: shown(data) });
    },
    {
      onSubscribed: (/** @type {any} */ info) => {
        if (mine !== generation) return;
        entry.row.subscribed(info);
        log.add({
          kind: 'info',
          channel,
          text: `subscribed: recovered ${info?.recovered}, offset ${info?.offset ?? '—'}, epoch ${info?.epoch ?? '—'}`,
        });
      },
      onError: (/** @type {any} */ e) => {
        if (mine !== generation) return;
        entry.row.refused(e?.code ?? 'ERROR', e?.message);
        entry.sub = null;
        log.add({ kind: 'refusal', channel, text: `subscription refused: ${e?.code}${e?.message ? ` — ${e.message}` : ''}` });
      },
    },
  );
}

/** @param {string} channel */
function subscribe(channel) {
  if (!channel) {
    setResult('subscribe-result', 'error', 'Enter a channel name.');
    return;
  }
  if (subscriptions.has(channel)) {
    setResult('subscribe-result', 'error', `Already listed: ${channel}`);
    return;
  }
  setResult('subscribe-result', 'none', gh ? '' : 'Listed; it subscribes when you connect.');
  /** @type {{row: SubscriptionRow, sub: {unsubscribe(): void}|null}} */
  const entry = { row: new SubscriptionRow(channel, () => unsubscribe(channel)), sub: null };
  subscriptions.set(channel, entry);
  byId('subscriptions').append(entry.row.li);
  byId('no-subscriptions').hidden = true;
  if (gh && gh.state !== 'closed') subscribeOn(channel, entry);
  else entry.row.inactive();
}

/** @param {string} channel */
function unsubscribe(channel) {
  const entry = subscriptions.get(channel);
  if (!entry) return;
  entry.sub?.unsubscribe();
  entry.row.li.remove();
  subscriptions.delete(channel);
  byId('no-subscriptions').hidden = subscriptions.size > 0;
  log.add({ kind: 'info', channel, text: 'unsubscribed' });
}

async function publish() {
  const channel = /** @type {HTMLInputElement} */ (byId('publish-channel')).value.trim();
  const raw = /** @type {HTMLTextAreaElement} */ (byId('publish-data')).value;
  if (!channel) return setResult('publish-result', 'error', 'Enter a channel name.');
  let data;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return setResult('publish-result', 'error', `Not JSON: ${/** @type {Error} */ (err).message}`);
  }
  if (!gh) return setResult('publish-result', 'error', 'NOT_CONNECTED: connect first');
  setResult('publish-result', 'pending', 'publishing…');
  try {
    const reply = await gh.publish(channel, data);
    setResult('publish-result', 'ok', `published, offset ${reply?.offset ?? '—'}`);
    log.add({ kind: 'info', channel, offset: reply?.offset, text: `published ${shown(data)}` });
  } catch (err) {
    const e = /** @type {any} */ (err);
    const text = `${e?.code ?? 'ERROR'}${e?.hint || e?.message ? `: ${e.hint || e.message}` : ''}`;
    setResult('publish-result', 'error', text);
    log.add({ kind: 'error', channel, text: `publish refused: ${text}` });
  }
}

// ---- cookie session ---------------------------------------------------------------------------

async function login() {
  const username = /** @type {HTMLInputElement} */ (byId('login-user')).value.trim();
  const passwordField = /** @type {HTMLInputElement} */ (byId('login-password'));
  if (!username || !passwordField.value) {
    return setResult('login-result', 'error', 'Enter a username and a password.');
  }
  setResult('login-result', 'pending', 'logging in…');
  try {
    const outcome = await logIn(username, passwordField.value);
    if (!outcome.ok) {
      setResult('login-result', 'error', `refused: ${outcome.text}`);
      log.add({ kind: 'refusal', text: `login refused: ${outcome.text}` });
      return;
    }
    passwordField.value = '';
    loginCsrf = outcome.csrfToken;
    setText('csrf-masked', mask(csrfCookie() ?? loginCsrf));
    const who = outcome.user?.id ?? username;
    const until = outcome.expiresAt ? `, session until ${new Date(outcome.expiresAt).toLocaleString()}` : '';
    setResult('login-result', 'ok', `logged in as ${who}${until}`);
    log.add({ kind: 'info', text: `logged in as ${who}` });
    connect('cookie');
  } catch (err) {
    setResult('login-result', 'error', `failed: ${/** @type {Error} */ (err).message}`);
  }
}

async function logout() {
  setResult('login-result', 'pending', 'logging out…');
  try {
    const outcome = await logOut(csrfCookie() ?? loginCsrf);
    setResult('login-result', outcome.ok ? 'ok' : 'error', outcome.ok ? outcome.text : `logout refused: ${outcome.text}`);
    log.add({ kind: outcome.ok ? 'info' : 'refusal', text: outcome.ok ? outcome.text : `logout refused: ${outcome.text}` });
  } catch (err) {
    setResult('login-result', 'error', `failed: ${/** @type {Error} */ (err).message}`);
  }
  loginCsrf = null;
  setText('csrf-masked', mask(csrfCookie()));
  disconnect();
}

/** Releases the handle; listed channels stay and subscribe again on the next Connect. */
function disconnect() {
  stateDetail = '';
  setResult('recheck-result', 'none', '');
  setText('rtt', '—');
  if (gh) {
    gh.close();
    log.add({ kind: 'info', text: 'disconnected (gh.close())' });
  }
  for (const entry of subscriptions.values()) {
    if (entry.row.li.dataset.status !== 'refused') entry.row.inactive();
    entry.sub = null;
  }
  render();
}

// ---- wiring -----------------------------------------------------------------------------------

function start() {
  const urlField = /** @type {HTMLInputElement} */ (byId('ws-url'));
  // Only this server: a link must not send the cookie's CSRF token or a pasted token elsewhere.
  urlField.value = ownServerUrl(params.get('url') || '') ?? defaultUrl();
  if (params.get('mode') === 'cookie') /** @type {HTMLInputElement} */ (byId('mode-cookie')).checked = true;
  const channel = params.get('channel');
  if (channel) {
    /** @type {HTMLInputElement} */ (byId('channel')).value = channel;
    /** @type {HTMLInputElement} */ (byId('publish-channel')).value = channel;
  }
  const tokenField = /** @type {HTMLInputElement} */ (byId('token'));
  const token = params.get('token');
  if (token) {
    tokenField.value = token;
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  }
  setText('token-masked', mask(tokenValue()));
  setText('csrf-masked', mask(csrfCookie()));

  for (const id of ['mode-token', 'mode-cookie']) byId(id).addEventListener('change', showMode);
  tokenField.addEventListener('input', () => setText('token-masked', mask(tokenValue())));
  onSubmit('token-form', () => connect('token'));
  onClick('disconnect', disconnect);
  onSubmit('login-form', login);
  onClick('logout', logout);
  onClick('session-connect', () => connect('cookie'));
  onClick('recheck', recheck);
  onClick('ping', () => ping(true));
  onSubmit('subscribe-form', () => subscribe(/** @type {HTMLInputElement} */ (byId('channel')).value.trim()));
  onSubmit('publish-form', publish);
  onClick('log-clear', () => log.clear());

  setInterval(render, 1000);
  setInterval(() => {
    if (gh && gh.state === 'connected') ping(false);
  }, 5000);

  showMode();
  for (const name of (params.get('subscribe') ?? '').split(',')) {
    if (name.trim()) subscribe(name.trim());
  }
  if (params.get('connect') === '1') connect(mode());
  byId('page-status').hidden = true;
  render();
}

start();
