// One connection to Gatehouse, shared by every handle of the page with the same (url, identity).
// It owns the socket (at most one at a time), the state, the timers and the page listeners, and
// acts on every close by the refusal table (close-policy.js).
//
// States: idle (no credential yet), connecting, connected (after connection_established),
// reconnecting (waiting for a timer), stopped (log_in or stop: nothing until recheck()),
// closed (the last handle closed).

import { REFUSAL_CODES } from './refusal-codes.js';
import { Backoff } from './backoff.js';
import { ClosePolicy, hintFor, parseCloseReason, parseRefusalBody } from './close-policy.js';
import { fetchJson } from './credential.js';
import { INSTANCE_ID } from './instance-id.js';
import { Liveness } from './liveness.js';
import { mask } from './mask.js';
import { CLIENT_HINTS, Requests, requestError } from './requests.js';
import { safeCall } from './safe-call.js';
import { Subscriptions } from './subscription.js';
import { unregister } from './registry.js';

/** @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'closed'} State */
/** @typedef {{ok: true, user: any, expiresAt: Date | null} | {ok: false, code: string, hint: string}} RecheckOutcome */

/** The close code the client uses when it gives up on a silent socket. */
export const LIVENESS_CLOSE_CODE = 4000;

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
    /** The refresh_then_retry code the next connect must refresh for, or null. */
    this.refreshFor = null;
    /** Whether auth/verify was asked in this failure streak (reset by connection_established). */
    this.verifiedInStreak = false;
    this.retryTimer = null;
    /** @type {((outcome: RecheckOutcome) => void)[]} */
    this.rechecks = [];
    this.policy = new ClosePolicy(new Backoff(() => env.random()), () => env.now());
    this.requests = new Requests();
    this.subscriptions = new Subscriptions();
    this.liveness = new Liveness(env, () => this.request({ type: 'ping' }), () => this.onSilent());
    this.onPageEvent = (event) => this.pageEvent(event);
  }

  // ---- handles and the page ----

  attach(handle) {
    if (this.handles.size === 0) this.listen(true);
    this.handles.add(handle);
    if (this.state === 'stopped') this.policy.onRestart();
    if (this.state === 'idle' || this.state === 'stopped') this.connect();
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
    if (this.state !== 'reconnecting') return;
    this.log(`${event.type}: reconnecting now`);
    this.connect();
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
    this.cancelRetry();
    const generation = ++this.generation;
    this.preparing = generation;
    this.setState('connecting');
    let prepared;
    try {
      prepared = await this.credential.prepare({ refreshFor: this.refreshFor, force });
    } catch (error) {
      prepared = { kind: 'unavailable', error };
    } finally {
      if (this.preparing === generation) this.preparing = 0;
    }
    if (generation !== this.generation || this.state === 'closed') return;
    if (prepared.kind === 'ready') {
      this.refreshFor = null;
      this.open();
    } else if (prepared.kind === 'idle') {
      const hint = hintFor(prepared.code);
      this.settleRechecks({ ok: false, code: prepared.code, hint });
      this.setState('idle', { code: prepared.code, hint });
    } else if (prepared.kind === 'refused') {
      this.refreshFailed(prepared.refusal);
    } else {
      this.log('no credential:', String(prepared.error && prepared.error.message));
      this.decide(null);
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
      this.decide(null);
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
      default:
        if (!this.requests.settle(message) && message.type === 'error') this.log('error', message.code, message.message || '');
    }
  }

  established(message) {
    this.connectionId = message.connection_id ?? null;
    this.user = message.user ?? null;
    this.expiresAt = message.expires_at ? new Date(message.expires_at) : null;
    this.policy.onConnected();
    this.verifiedInStreak = false;
    this.setState('connected');
    const personal = this.user && this.user.id != null ? `#${this.user.id}` : null;
    this.subscriptions.startAll(this.call, personal);
    this.liveness.start(message.heartbeat_interval_ms);
    this.settleRechecks({ ok: true, user: this.user, expiresAt: this.expiresAt });
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
    const refusal = parseCloseReason(reason);
    this.log('closed', code, reason || '');
    if (!refusal && code === 1006 && !opened && !this.verifiedInStreak) {
      this.verifiedInStreak = true;
      return void this.verify();
    }
    this.decide(refusal);
  }

  /** A ping went unanswered: the TCP connection is dead without the browser knowing. */
  onSilent() {
    this.log('no pong: closing with', LIVENESS_CLOSE_CODE);
    this.dropSocket(LIVENESS_CLOSE_CODE);
    this.decide(null);
  }

  /** A 1006 before open hides the HTTP answer: GET auth/verify tells why. */
  async verify() {
    const generation = this.generation;
    let refusal = null;
    try {
      const [url, init] = this.credential.verifyRequest(this.httpUrl);
      const answer = await fetchJson(this.env.fetch, url, init);
      if (!answer.ok) refusal = parseRefusalBody(answer.body);
    } catch {
      refusal = null; // the server is unreachable: retry
    }
    if (generation !== this.generation || this.state === 'closed' || this.socket) return;
    this.log('auth/verify:', refusal ? refusal.code : 'no refusal');
    this.decide(refusal);
  }

  /** Acts on a close (or a refused check) by the refusal table. */
  decide(refusal) {
    const decision = this.policy.onClose(refusal);
    const { code, hint } = decision;
    if (code) this.lastRefusal = { code, hint, at: new Date(this.env.now()) };
    this.settleRechecks({ ok: false, code: code || 'CONNECTION_LOST', hint: hint || CLIENT_HINTS.CONNECTION_LOST });
    if (decision.action === 'refresh_then_retry') this.refreshFor = code;
    if (decision.action === 'retry' || decision.action === 'refresh_then_retry') {
      this.scheduleRetry(decision.delayMs, code, hint);
    } else {
      this.stop(decision.action, code, hint);
    }
  }

  /** The refresh a refresh_then_retry asked for failed, or gave the same token back. */
  refreshFailed(refusal) {
    const { code, retryAfterMs } = refusal;
    const hint = hintFor(code);
    this.lastRefusal = { code, hint, at: new Date(this.env.now()) };
    this.settleRechecks({ ok: false, code, hint });
    const action = REFUSAL_CODES[code].action;
    if (action === 'retry') this.scheduleRetry(this.policy.backoff.next(retryAfterMs), code, hint);
    else this.stop(action === 'stop' ? 'stop' : 'log_in', code, hint);
  }

  scheduleRetry(delayMs, code, hint) {
    this.cancelRetry();
    this.setState('reconnecting', { code, hint, retryInMs: delayMs });
    this.retryTimer = this.env.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
  }

  cancelRetry() {
    if (this.retryTimer !== null) this.env.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** log_in or stop: no retry until recheck(). Only log_in is an authentication error. */
  stop(action, code, hint) {
    this.refreshFor = null;
    this.setState('stopped', { code, hint });
    if (action === 'log_in') this.emit('onAuthError', { code, hint });
  }

  // ---- the application's requests ----

  /** @returns {Promise<RecheckOutcome>} */
  recheck() {
    if (this.state === 'closed') return Promise.resolve({ ok: false, code: 'NOT_CONNECTED', hint: CLIENT_HINTS.NOT_CONNECTED });
    return new Promise((resolve) => {
      this.rechecks.push(resolve);
      this.policy.onRestart();
      this.refreshFor = null;
      this.verifiedInStreak = false;
      this.cancelRetry();
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
    this.cancelRetry();
    this.dropSocket(1000);
    this.listen(false);
    this.settleRechecks({ ok: false, code: 'NOT_CONNECTED', hint: CLIENT_HINTS.NOT_CONNECTED });
    this.state = 'closed';
    unregister(this.key, this);
  }
}
