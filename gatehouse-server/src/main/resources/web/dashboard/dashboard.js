// The Gatehouse dashboard (GET /, issue #14): who is connected, who was refused and why, and
// whether the node is healthy, live. An admin logs in with the cookie session; the page then
// keeps one WebSocket (live.js: get_stats and gatehouse:stats pushes for the figures and charts)
// and polls the admin HTTP API for its tables (panels.js). No build step, no dependencies; the
// page's Content-Security-Policy allows no inline script or style, so all behaviour is in these
// modules and all looks are in dashboard.css.
//
// Stable hooks for browser tests (ids unless marked data-testid):
//   views        #view-login, #view-denied, #view-dashboard (the others [hidden]), #page-status
//   login        #login-form, #login-user, #login-password, #login, #login-result[data-outcome]
//   admin only   #denied-title ("Admin only"), #denied-user, #denied-logout, #denied-result
//   header       #who, #logout, #live-state[data-state=idle|connecting|connected|reconnecting|
//                stopped|closed], #node, #version, #uptime, #action-result[data-outcome]
//   figures      #fig-connections, #fig-upgrades-accepted, #fig-upgrades-refused, #fig-messages-in,
//                #fig-messages-out, #fig-deliveries, #fig-slow-consumers, #fig-slow-consumers-window,
//                #fig-access-log-queue, #fig-webhook-queue, #fig-heap, #fig-heap-of, #fig-cpu (each
//                but the -window and -of lines has [data-value], the raw number)
//   nodes        #nodes-panel (hidden on one node), #nodes > tr[data-testid=node][data-node]
//                ([data-self] on this node; its second cell has [data-value], the connections),
//                #nodes-total > tr[data-testid=nodes-total]
//   charts       svg#chart-connections, svg#chart-upgrades, svg#chart-deliveries [data-samples]
//                [data-last], #legend-upgrades > li[data-code]
//   tables       (each #NAME-result[data-outcome] gets [data-loaded-at] once its table loaded)
//                #connections, #connections-count, #connections-empty, #connections-result;
//                #refusal-filters, #filter-code, #filter-user, #filter-ip, #filter-since,
//                #filter-apply, #refusals, #refusals-empty, #refusals-result; #channels,
//                #channels-count, #channels-empty, #channels-result; #tasks, #tasks-empty,
//                #tasks-result; #webhook-queue, #dead-count, #dead, #dead-empty, #dead-result
//                (rows and their buttons: see tables.js)
//   broadcast    #broadcast-form, #broadcast-channels, #broadcast-data,
//                #broadcast-json[data-valid=true|false], #broadcast, #broadcast-result[data-outcome]

import { currentUser, isAdmin, logIn, logOut } from './api.js';
import { drawLine, drawUpgrades } from './chart-view.js';
import { formatBytes, formatCount, formatCpu, formatDuration, formatHeapOf, formatRate } from './format.js';
import { Live } from './live.js';
import { renderNodes } from './nodes.js';
import { Panels } from './panels.js';
import { refusedRate } from './samples.js';
import { byId, describeError, onClick, onSubmit, setResult, setText } from './view.js';

/** @typedef {import('./api.js').User} User */
/** @typedef {import('./samples.js').Sample} Sample */

const VIEWS = ['view-login', 'view-denied', 'view-dashboard'];

const live = new Live({
  onSamples: () => samplesChanged(),
  onState: (state, detail) => {
    const badge = byId('live-state');
    badge.dataset.state = state;
    badge.textContent = detail ? `${state} (${detail})` : state;
  },
  onRefused: (error) => refused(error),
});

const panels = new Panels({
  onUnauthorized: () => void recheckSession(),
  ownConnectionId: () => live.gh?.connectionId ?? null,
});

/** The connection count of the last sample, to refresh the connections table when it moves. */
let lastConnections = -1;
/**
 * How long after a sample with refusals the refusal table is reloaded on every sample: the access
 * log writes its rows in batches, so the first reload may come before the row is there.
 */
const REFUSALS_FOLLOW_MS = 3000;
/** Until when (epoch ms) the refusal table follows the samples. */
let refusalsFollowedUntil = 0;
/** A chart redraw is queued for the next frame (pushes and resizes coalesce). */
let drawQueued = false;

// ---- views ----------------------------------------------------------------------------------

/** @param {string} id one of VIEWS */
function show(id) {
  for (const view of VIEWS) byId(view).hidden = view !== id;
  byId('page-status').hidden = true;
}

/** @param {string} [message] why the login form is shown (a refusal, a logout) */
function showLogin(message = '') {
  stopDashboard();
  show('view-login');
  setResult('login-result', message ? 'error' : 'none', message);
  /** @type {HTMLInputElement} */ (byId('login-user')).focus();
}

/** @param {User} user */
function enter(user) {
  if (!isAdmin(user)) {
    stopDashboard();
    setText('denied-user', user.name && user.name !== user.id ? `${user.name} (${user.id})` : user.id);
    setResult('denied-result', 'none', '');
    show('view-denied');
    return;
  }
  setText('who', user.name || user.id);
  show('view-dashboard');
  startDashboard();
}

// ---- the session ----------------------------------------------------------------------------

async function login() {
  const username = /** @type {HTMLInputElement} */ (byId('login-user')).value.trim();
  const password = /** @type {HTMLInputElement} */ (byId('login-password'));
  if (!username || !password.value) return setResult('login-result', 'error', 'Enter a username and a password.');
  setResult('login-result', 'pending', 'logging in…');
  try {
    const user = await logIn(username, password.value);
    password.value = '';
    setResult('login-result', 'none', '');
    enter(user);
  } catch (error) {
    setResult('login-result', 'error', describeError(error));
  }
}

/** @param {string} resultId where a failed logout is reported */
async function logout(resultId) {
  stopDashboard(); // first: the server closes the session's sockets, which is no refusal to show
  try {
    await logOut();
    showLogin();
    setResult('login-result', 'ok', 'Logged out.');
  } catch (error) {
    // The session is gone either way when it had expired; otherwise say why it is not.
    const user = await currentUser().catch(() => null);
    if (user) {
      setResult(resultId, 'error', `Log out failed: ${describeError(error)}`);
      if (isAdmin(user)) startDashboard();
    } else {
      showLogin();
    }
  }
}

/** An API call answered 401, or the socket was refused: is the session still there? */
async function recheckSession() {
  const user = await currentUser().catch(() => null);
  if (!user) showLogin('Your session has ended (expired, revoked or logged out elsewhere); log in again.');
  else if (!isAdmin(user)) enter(user);
}

/** @param {{code: string, hint?: string, message?: string}} error */
function refused(error) {
  if (error.code === 'PERMISSION_DENIED') {
    setResult('action-result', 'error', `Live figures refused: ${error.code} — ${error.hint || error.message || ''}`);
    return;
  }
  void recheckSession();
}

// ---- live figures and charts ----------------------------------------------------------------

function startDashboard() {
  lastConnections = -1;
  live.start();
  panels.start();
}

function stopDashboard() {
  live.stop();
  panels.stop();
}

/**
 * Writes a figure and its raw value (data-value, for tests).
 * @param {string} id
 * @param {number|null|undefined} value
 * @param {string} text
 */
function figure(id, value, text) {
  const target = byId(id);
  target.dataset.value = value === null || value === undefined ? '' : String(value);
  if (target.textContent !== text) target.textContent = text;
}

function samplesChanged() {
  const now = live.latest;
  const snapshot = live.snapshot;
  if (snapshot) {
    setText('node', snapshot.node ?? '—');
    setText('version', snapshot.version ?? '—');
  }
  renderNodes(snapshot);
  if (now) {
    setText('uptime', formatDuration(now.uptime_ms));
    figure('fig-connections', now.connections, formatCount(now.connections));
    figure('fig-upgrades-accepted', now.upgrades_accepted, formatRate(now.upgrades_accepted));
    figure('fig-upgrades-refused', refusedRate(now), formatRate(refusedRate(now)));
    figure('fig-messages-in', now.messages_in, formatRate(now.messages_in));
    figure('fig-messages-out', now.messages_out, formatRate(now.messages_out));
    figure('fig-deliveries', now.deliveries, formatRate(now.deliveries));
    figure('fig-slow-consumers', now.slow_consumers, formatCount(now.slow_consumers));
    const windowSlow = live.samples.reduce((sum, s) => sum + (Number(s.slow_consumers) || 0), 0);
    setText('fig-slow-consumers-window', `${formatCount(windowSlow)} in 15 min`);
    figure('fig-access-log-queue', now.access_log_queue, formatCount(now.access_log_queue));
    figure('fig-webhook-queue', now.webhook_queue, formatCount(now.webhook_queue));
    setText('webhook-queue', formatCount(now.webhook_queue));
    figure('fig-heap', now.heap_used_bytes, formatBytes(now.heap_used_bytes));
    setText('fig-heap-of', formatHeapOf(now.heap_used_bytes, now.heap_max_bytes));
    figure('fig-cpu', now.cpu_process, formatCpu(now.cpu_process));
    // The tables follow what the figures say changed, rather than polling faster.
    if (now.connections !== lastConnections) {
      if (lastConnections >= 0) {
        panels.pollers.connections.soon();
        panels.pollers.channels.soon();
      }
      lastConnections = now.connections;
    }
    if (refusedRate(now) > 0) refusalsFollowedUntil = Date.now() + REFUSALS_FOLLOW_MS;
    if (Date.now() < refusalsFollowedUntil) panels.pollers.refusals.soon();
  }
  queueDraw();
}

function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    draw();
  });
}

function draw() {
  if (byId('view-dashboard').hidden) return;
  const samples = live.samples;
  const latest = live.latest;
  const frame = { end: latest ? Date.parse(latest.at) : Date.now(), intervalMs: live.intervalMs };
  const chart = (/** @type {string} */ id) => /** @type {SVGSVGElement} */ (/** @type {unknown} */ (byId(id)));
  drawLine(chart('chart-connections'), samples, (s) => s.connections, frame);
  drawUpgrades(chart('chart-upgrades'), byId('legend-upgrades'), samples, frame);
  drawLine(chart('chart-deliveries'), samples, (s) => s.deliveries, { ...frame, rate: true });
}

// ---- wiring ---------------------------------------------------------------------------------

async function start() {
  onSubmit('login-form', login);
  onClick('logout', () => logout('action-result'));
  onClick('denied-logout', () => logout('denied-result'));
  panels.wire();
  window.addEventListener('resize', queueDraw);
  setInterval(() => {
    if (!byId('view-dashboard').hidden) panels.renderConnections(); // "connected for" moves
  }, 1000);
  try {
    const user = await currentUser();
    if (user) enter(user);
    else showLogin();
  } catch (error) {
    showLogin(describeError(error));
  }
}

void start();
