// One connection to Gatehouse, shared by every handle of the page with the same (url, identity).
// It owns the socket (at most one at a time), the state, the timers and the page listeners, and
// acts on every close by the refusal table (close-policy.js).
//
// States: idle (no credential yet), connecting, connected (after connection_established),
// reconnecting (waiting for a timer), stopped (log_in or stop: nothing until recheck()),
// closed (the last handle closed).

import { hintFor } from './close-policy.js';
import { INSTANCE_ID } from './instance-id.js';
import { Liveness } from './liveness.js';
import { mask } from './mask.js';
import { Reconnector } from './reconnect.js';
import { CLIENT_HINTS, Requests, requestError } from './requests.js';
import { safeCall } from './safe-call.js';
import { Stats } from './stats.js';
import { Subscriptions } from './subscription.js';
import { Tasks } from './tasks.js';
import { unregister } from './registry.js';

/** @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'closed'} State */
/** @typedef {{ok: true, user: any, expiresAt: Date | null} | {ok: false, code: string, hint: string}} RecheckOutcome */

/** The close code the client uses when it gives up on a silent socket. */
export const LIVENESS_CLOSE_CODE = 4000;

/** The page's connection for one (url, identity): one socket at a time, its state and timers. */
export class Connection {
  /**
   * @param {{url: string, httpUrl: string, key: string, credential: any, env: any}} parts
   */
  constructor({ url, httpUrl, key, credential, env }) {
    this.url = url;
    this.httpUrl = httpUrl;
    this.key = key;
    this.credential = credential;
    this.env = env;
    /** @type {Set<any>} the handles (Gatehouse objects) sharing this connection */
    this.handles = new Set();
    /** @type {State} */
    this.state = 'idle';
    this.user = null;
    this.tasks = new Tasks();
    this.stats = new Stats();
    /** @type {Date | null} */
    this.expiresAt = null;
    /** @type {{code: string, hint: string, at: Date} | null} */
    this.lastRefusal = null;
    this.connectionId = null;
    this.socket = null;
    /** Whether the current socket fired open (a 1006 before that may be a refused upgrade). */
    this.socketOpened = false;
    /** Bumped whenever what is under way is abandoned (recheck, close): late results are dropped. */
    this.generation = 0;
    /** The generation whose credential is being prepared, or 0. */
    this.preparing = 0;
    /** @type {((outcome: RecheckOutcome) => void)[]} */
    this.rechecks = [];
    this.reconnector = new Reconnector(this);
    this.requests = new Requests();
    this.subscriptions = new Subscriptions();
    this.liveness = new Liveness(env, () => this.request({ type: 'ping' }), () => this.onSilent());
    this.onPageEvent = (event) => this.pageEvent(event);
  }

  // ---- handles and the page ----

  attach(handle) {
    if (this.handles.size === 0) this.listen(true);
    this.handles.add(handle);
    // idle: there may be a credential now. stopped stays stopped: only recheck() restarts it.
    if (this.state === 'idle') this.connect();
  }

  detach(handle) {
    this.handles.delete(handle);
    if (this.handles.size === 0) this.shutdown();
  }

  listen(on) {
    const { document, window } = this.env;
    const method = on ? 'addEventListener' : 'removeEventListener';
    if (document && document[method]) document[method]('visibilitychange', this.onPageEvent);
    if (window && window[method]) window[method]('online', this.onPageEvent);
  }

  pageEvent(event) {
    if (event.type === 'visibilitychange' && this.env.document?.visibilityState !== 'visible') return;
    if (this.state === 'reconnecting') this.reconnector.hurry(event.type);
  }

  emit(name, payload) {
    for (const handle of [...this.handles]) safeCall(handle.options[name], payload);
  }

  setState(state, { code = null, hint = null, retryInMs = undefined } = {}) {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this.log(`state ${previous} -> ${state}`, code || '', retryInMs !== undefined ? `retry in ${retryInMs} ms` : '');
    const change = { state, previous, code, hint };
    if (retryInMs !== undefined) change.retryInMs = retryInMs;
    this.emit('onStateChange', change);
  }

  log(...parts) {
    if (![...this.handles].some((h) => h.options.debug)) return;
    const c = this.env.console;
    if (c) c.debug('[gatehouse]', ...parts.filter((p) => p !== '').map((p) => (typeof p === 'string' || Array.isArray(p) ? mask(p) : p)));
  }

  // ---- connecting ----

  /** Prepares the credential and opens a socket; a no-op while one is open or being prepared. */
  async connect({ force = false } = {}) {
    if (this.state === 'closed' || this.socket || this.preparing) return;
    this.reconnector.cancel();
    const generation = ++this.generation;
    this.preparing = generation;
    this.setState('connecting');
    let prepared;
    try {
      prepared = await this.credential.prepare({ refreshFor: this.reconnector.refreshFor, force });
    } catch (error) {
      prepared = { kind: 'unavailable', error };
    } finally {
      if (this.preparing === generation) this.preparing = 0;
    }
    if (generation !== this.generation || this.state === 'closed') return;
    if (prepared.kind === 'ready') {
      this.reconnector.refreshFor = null;
      this.open();
    } else if (prepared.kind === 'idle') {
      const hint = hintFor(prepared.code);
      this.settleRechecks({ ok: false, code: prepared.code, hint });
      this.setState('idle', { code: prepared.code, hint });
    } else if (prepared.kind === 'refused') {
      this.reconnector.refreshFailed(prepared.refusal);
    } else {
      this.log('no credential:', String(prepared.error && prepared.error.message));
      this.reconnector.decide(null);
    }
  }

  open() {
    const { url, protocols, firstMessage } = this.credential.upgrade(this.url, INSTANCE_ID);
    this.log('open', url, protocols);
    let socket;
    try {
      socket = new this.env.WebSocket(url, protocols);
    } catch (error) {
      this.log('WebSocket constructor failed:', String(error && error.message));
      this.reconnector.decide(null);
      return;
    }
    this.socket = socket;
    this.socketOpened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.socketOpened = true;
      if (firstMessage) this.send(firstMessage);
    };
    socket.onmessage = (event) => this.socket === socket && this.onFrame(event.data);
    socket.onclose = (event) => this.socket === socket && this.onClosed(event.code, event.reason);
    socket.onerror = () => this.log('socket error');
  }

  send(frame) {
    this.log('send', frame.type);
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends a request on the open socket; the reply (or error) callback runs synchronously. */
  call = (message, reply, fail) => {
    if (this.state !== 'connected' || !this.socket) return fail(requestError('NOT_CONNECTED', CLIENT_HINTS.NOT_CONNECTED));
    this.requests.call(message, (frame) => this.send(frame), reply, fail);
  };

  /** @param {Record<string, any>} message @returns {Promise<any>} the reply */
  request(message) {
    if (this.state !== 'connected' || !this.socket) {
      return Promise.reject(requestError('NOT_CONNECTED', CLIENT_HINTS.NOT_CONNECTED));
    }
    return this.requests.request(message, (frame) => this.send(frame));
  }

  // ---- frames ----

  onFrame(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      this.log('ignored a frame that is not JSON');
      return;
    }
    this.log('received', message.type);
    switch (message.type) {
      case 'connection_established':
        return this.established(message);
      case 'message':
        return this.subscriptions.onMessage(message);
      case 'unsubscribed':
        if (!this.requests.settle(message)) this.subscriptions.onUnsubscribed(message);
        return;
      case 'token_expiring':
        return void this.onExpiring();
      case 'task_progress': // a change, the catch-up after connecting, or the answer to cancel_task
        this.requests.settle(message);
        return this.tasks.onProgress(message.task);
      case 'stats_update': // the answer to get_stats (it has the request's id), or a gatehouse:stats push
        if (!this.requests.settle(message)) this.stats.onUpdate(message.data);
        return;
      default:
        if (!this.requests.settle(message) && message.type === 'error') this.log('error', message.code, message.message || '');
    }
  }

  established(message) {
    this.connectionId = message.connection_id ?? null;
    this.user = message.user ?? null;
    this.expiresAt = message.expires_at ? new Date(message.expires_at) : null;
    this.reconnector.onConnected();
    this.setState('connected');
    const personal = this.user && this.user.id != null ? `#${this.user.id}` : null;
    this.subscriptions.startAll(this.call, personal);
    this.liveness.start(message.heartbeat_interval_ms);
    this.settleRechecks({ ok: true, user: this.user, expiresAt: this.expiresAt });
    void this.tasks.recheckUnfinished((path) => this.apiGet(path));
  }

  /** GET of the user-facing API (`path` from /api/v1) with the current credential: {status, body}. */
  async apiGet(path) {
    const url = `${this.httpUrl}${path}`;
    const response = await this.env.fetch(...this.credential.apiRequest(url, 'GET'));
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  async onExpiring() {
    const generation = this.generation;
    try {
      const expiresAt = await this.credential.onExpiring((m) => this.request(m));
      if (expiresAt && generation === this.generation) this.expiresAt = new Date(expiresAt);
    } catch (error) {
      this.log('refresh failed:', String(error && error.code ? error.code : error));
    }
  }

  // ---- closes ----

  /** Forgets the socket (closing it with `code` if given) and what belonged to it. */
  dropSocket(code) {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (code !== undefined) {
      try {
        socket.close(code);
      } catch {
        // already closing
      }
    }
    this.liveness.stop();
    this.connectionId = null;
    this.subscriptions.suspendAll();
    this.requests.rejectAll('CONNECTION_LOST');
  }

  onClosed(code, reason) {
    const opened = this.socketOpened;
    this.dropSocket();
    this.log('closed', code, reason || '');
    this.reconnector.afterClose(code, reason, opened);
  }

  /** A ping went unanswered: the TCP connection is dead without the browser knowing. */
  onSilent() {
    this.log('no pong: closing with', LIVENESS_CLOSE_CODE);
    this.dropSocket(LIVENESS_CLOSE_CODE);
    this.reconnector.decide(null);
  }

  // ---- the application's requests ----

  /** @returns {Promise<RecheckOutcome>} */
  recheck() {
    if (this.state === 'closed') return Promise.resolve({ ok: false, code: 'NOT_CONNECTED', hint: CLIENT_HINTS.NOT_CONNECTED });
    return new Promise((resolve) => {
      this.rechecks.push(resolve);
      this.reconnector.restart();
      this.generation++;
      this.preparing = 0;
      this.dropSocket(1000);
      this.connect({ force: true });
    });
  }

  settleRechecks(outcome) {
    const waiting = this.rechecks;
    this.rechecks = [];
    for (const resolve of waiting) resolve(outcome);
  }

  /** The last handle closed: close the socket, clear every timer and listener. */
  shutdown() {
    this.generation++;
    this.preparing = 0;
    this.reconnector.cancel();
    this.dropSocket(1000);
    this.listen(false);
    this.settleRechecks({ ok: false, code: 'NOT_CONNECTED', hint: CLIENT_HINTS.NOT_CONNECTED });
    this.state = 'closed';
    unregister(this.key, this);
  }
}
