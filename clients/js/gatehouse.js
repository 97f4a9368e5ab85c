// The browser client's entry point: `Gatehouse.connect(options)` returns a handle over the page's
// one connection for (url, identity). See docs/browser-client.md.

import { Connection } from './connection.js';
import { SessionCredential, TokenCredential } from './credential.js';
import { resolveEnvironment } from './environment.js';
import { INSTANCE_ID } from './instance-id.js';
import { lookup, register, registryKey } from './registry.js';
import { CLIENT_HINTS, requestError } from './requests.js';
import { StatsHandle } from './stats.js';
import { TasksHandle } from './tasks.js';

/**
 * @typedef {object} GatehouseOptions
 * @property {string} url the WebSocket URL, ws(s)://host/ws
 * @property {() => (string | null | undefined | Promise<string | null | undefined>)} [getToken]
 *   token mode; a null, undefined or '' token means "no credential yet": stay idle
 * @property {true | (() => string | Promise<string>)} [csrf] cookie-session mode (when getToken
 *   is absent; the default then is true): true reads the gh_csrf cookie, a function gives the token
 * @property {(error: {code: string, hint: string}) => void} [onAuthError]
 * @property {(change: {state: string, previous: string, code: string | null, hint: string | null, retryInMs?: number}) => void} [onStateChange]
 * @property {boolean} [debug] console.debug states, closes and frame types, secrets masked
 * @property {string} [identity] tells two identities of one page apart (default 'token' or 'session')
 * @property {string} [httpUrl] base of the HTTP API (default: from url, ws->http, '/ws' dropped)
 */
/** @typedef {{unsubscribe: () => void}} SubscriptionHandle */
/** @typedef {{recovered: boolean, offset: number | null, epoch: string | null}} SubscribedInfo */

/**
 * The HTTP base of a WebSocket URL: ws->http, wss->https, a final '/ws' dropped.
 * @param {string} url
 * @returns {string}
 */
export function deriveHttpUrl(url) {
  const u = new URL(url.replace(/^ws(s?):/i, 'http$1:'));
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/ws\/?$/, '').replace(/\/$/, '')}`;
}

/** A handle on the page's connection; `Gatehouse.connect(options)` makes one. */
export class Gatehouse {
  /**
   * Connects, or joins the page's connection for the same url and identity.
   * @param {GatehouseOptions} options
   * @param {import('./environment.js').Environment} [environment] for tests: timers, WebSocket, fetch, ...
   * @returns {Gatehouse}
   */
  static connect(options, environment) {
    if (!options || typeof options.url !== 'string') throw new TypeError('Gatehouse.connect needs {url: "ws(s)://host/ws"}');
    const mode = typeof options.getToken === 'function' ? 'token' : 'session';
    const identity = options.identity ?? mode;
    const key = registryKey(options.url, identity);
    let connection = lookup(key);
    if (connection) {
      connection.credential.update(options); // the newest getToken / csrf wins
    } else {
      const env = resolveEnvironment(environment);
      const httpUrl = (options.httpUrl ?? deriveHttpUrl(options.url)).replace(/\/$/, '');
      const credential = mode === 'token'
        ? new TokenCredential(options.getToken)
        : new SessionCredential(options.csrf ?? true, httpUrl, env);
      connection = new Connection({ url: options.url, httpUrl, key, credential, env });
      register(key, connection);
    }
    const handle = new Gatehouse(connection, options);
    connection.attach(handle);
    return handle;
  }

  /** @private use Gatehouse.connect */
  constructor(connection, options) {
    this.connection = connection;
    /** @type {GatehouseOptions} */
    this.options = options;
    /** @type {Set<{channel: string, listener: any}>} this handle's subscriptions */
    this.mine = new Set();
    this.closed = false;
    /** `gh.tasks`: the user's long-running tasks (onProgress, list, cancel). */
    this.tasks = new TasksHandle(connection, (message) => this.request(message), requestError);
    /** `gh.stats`: the server's live figures, for an admin (get, onUpdate). */
    this.stats = new StatsHandle(
      connection,
      (message) => this.request(message),
      (channel, onMessage, callbacks) => this.subscribe(channel, onMessage, callbacks),
    );
  }

  /**
   * Subscribes to `channel` (again after every reconnect, recovering what was missed).
   * @param {string} channel
   * @param {(data: any, meta: import('./subscription.js').MessageMeta) => void} onMessage
   * @param {{onSubscribed?: (info: SubscribedInfo) => void, onError?: (error: {code: string, message: string}) => void}} [callbacks]
   * @returns {SubscriptionHandle}
   */
  subscribe(channel, onMessage, { onSubscribed, onError } = {}) {
    if (this.closed) throw requestError('NOT_CONNECTED', 'This handle was closed');
    const listener = { onMessage, onSubscribed, onError };
    const entry = { channel, listener };
    this.mine.add(entry);
    const c = this.connection;
    const { subscription, created } = c.subscriptions.listen(channel, listener);
    const personal = c.user && c.user.id != null ? `#${c.user.id}` : null;
    if (created && c.state === 'connected') {
      c.subscriptions.start(subscription, c.call, personal);
    } else if (!created && subscription.status === 'active' && typeof onSubscribed === 'function') {
      const cursor = subscription.cursor;
      onSubscribed({ recovered: false, offset: cursor ? cursor.offset : null, epoch: cursor ? cursor.epoch : null });
    }
    const unsubscribe = () => this.release(entry);
    return { unsubscribe };
  }

  /**
   * @param {string} channel
   * @param {any} data
   * @returns {Promise<{offset: number, epoch: string}>}
   */
  publish(channel, data) {
    return this.request({ type: 'publish', channel, data }).then((r) => ({ offset: r.offset, epoch: r.epoch }));
  }

  /** @param {string} channel @returns {Promise<any[]>} the presence clients */
  presence(channel) {
    return this.request({ type: 'presence', channel }).then((r) => r.clients || []);
  }

  /**
   * @param {string} channel
   * @param {{since?: {offset: number, epoch: string}, limit?: number}} [range]
   * @returns {Promise<{publications: any[], offset: number, epoch: string}>}
   */
  history(channel, { since, limit } = {}) {
    const message = { type: 'history', channel };
    if (since !== undefined) message.since = since;
    if (limit !== undefined) message.limit = limit;
    return this.request(message).then((r) => ({ publications: r.publications || [], offset: r.offset, epoch: r.epoch }));
  }

  /** @returns {Promise<number>} the round trip of a JSON ping, in ms */
  ping() {
    const now = this.connection.env.now;
    const start = now();
    return this.request({ type: 'ping' }).then(() => now() - start);
  }

  /**
   * Refreshes the credential (cookie mode: POST auth/refresh; token mode: getToken()) and
   * reconnects now; restarts a stopped client too.
   * @returns {Promise<import('./connection.js').RecheckOutcome>}
   */
  recheck() {
    if (this.closed) return Promise.resolve({ ok: false, code: 'NOT_CONNECTED', hint: 'This handle was closed' });
    return this.connection.recheck();
  }

  /** Releases this handle; the last one closes the socket and clears every timer and listener. */
  close() {
    if (this.closed) return;
    for (const entry of [...this.mine]) this.release(entry);
    this.tasks.close();
    this.stats.close();
    this.closed = true;
    this.connection.detach(this);
  }

  /** @private Drops one subscription of this handle; the channel's last one unsubscribes. */
  release(entry) {
    if (!this.mine.delete(entry)) return;
    const c = this.connection;
    const last = c.subscriptions.unlisten(entry.channel, entry.listener);
    const personal = c.user && c.user.id != null ? `#${c.user.id}` : null;
    if (last && c.state === 'connected' && entry.channel !== personal) {
      c.request({ type: 'unsubscribe', channel: entry.channel }).catch(() => {});
    }
  }

  /** @private */
  request(message) {
    if (this.closed) return Promise.reject(requestError('NOT_CONNECTED', CLIENT_HINTS.NOT_CONNECTED));
    return this.connection.request(message);
  }

  /** @returns {import('./connection.js').State} */
  get state() { return this.closed ? 'closed' : this.connection.state; }
  /** @returns {{id: string, name: string, roles: string[]} | null} */
  get user() { return this.closed ? null : this.connection.user; }
  /** @returns {Date | null} */
  get expiresAt() { return this.closed ? null : this.connection.expiresAt; }
  /** @returns {{code: string, hint: string, at: Date} | null} */
  get lastRefusal() { return this.connection.lastRefusal; }
  /** @returns {string | null} */
  get connectionId() { return this.closed ? null : this.connection.connectionId; }
  /** @returns {string} this page's instance id, sent as ?instance= on every upgrade */
  get instanceId() { return INSTANCE_ID; }
}
