// The server's live figures, for connections of a user with the admin role (docs/protocol.md,
// "Stats"): `get_stats` answers the node's figures with its last 15 minutes of one-second samples,
// and every subscriber of the admin-only channel gatehouse:stats receives `stats_update`
// {data: {node, now}} each `dashboard.stats_interval`. Stats hands each push to the page's
// listeners; StatsHandle is one handle's view (`gh.stats`).

import { safeCall } from './safe-call.js';

/** The admin-only channel whose subscribers receive a `stats_update` every interval. */
export const STATS_CHANNEL = 'gatehouse:stats';

/**
 * @typedef {object} StatsSample one interval of one node (rates are per second over the interval)
 * @property {string} at ISO-8601 end of the interval
 * @property {number} connections open at `at`
 * @property {number} upgrades_accepted
 * @property {Record<string, number>} upgrades_refused by refusal code, non-zero rates only
 * @property {number} messages_in client frames
 * @property {number} messages_out frames sent
 * @property {number} deliveries publications delivered to connections
 * @property {number} slow_consumers connections closed as slow consumers in the interval
 * @property {number} access_log_queue
 * @property {number} webhook_queue
 * @property {number} heap_used_bytes
 * @property {number} heap_max_bytes
 * @property {number} cpu_process cores the process used, 0..N
 * @property {number} uptime_ms
 */
/**
 * @typedef {object} StatsSnapshot the answer to `get_stats`
 * @property {string} node
 * @property {string} version
 * @property {string} started_at
 * @property {number} uptime_ms
 * @property {number} interval_ms
 * @property {StatsSample} now
 * @property {StatsSample[]} history oldest first, `now` last
 */
/** @typedef {{node: string, now: StatsSample}} StatsPush */

/** The listeners of one connection's `stats_update` pushes. */
export class Stats {
  constructor() {
    /** @type {Set<(push: StatsPush) => void>} */
    this.listeners = new Set();
  }

  /** A push arrived (a `stats_update` that answers no request). @param {StatsPush} data */
  onUpdate(data) {
    if (!data || typeof data !== 'object') return;
    for (const listener of [...this.listeners]) safeCall(listener, data);
  }

  /**
   * @param {(push: StatsPush) => void} listener
   * @returns {() => void} stops listening
   */
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** `gh.stats`: one handle's view of the server's figures (its listeners end with `gh.close()`). */
export class StatsHandle {
  /**
   * @param {any} connection the page's connection
   * @param {(message: Record<string, any>) => Promise<any>} request the handle's request function
   * @param {(channel: string, onMessage: () => void, callbacks: any) => {unsubscribe: () => void}} subscribe
   *   the handle's subscribe
   */
  constructor(connection, request, subscribe) {
    this.connection = connection;
    this.request = request;
    this.subscribe = subscribe;
    /** @type {Set<() => void>} */
    this.stops = new Set();
  }

  /**
   * The node's figures now, with the samples it keeps (`get_stats`); rejects with
   * PERMISSION_DENIED for a user without the admin role, NOT_CONNECTED before `connected`.
   * @returns {Promise<StatsSnapshot>}
   */
  get() {
    return this.request({ type: 'get_stats' }).then((reply) => reply.data);
  }

  /**
   * Subscribes to gatehouse:stats (again after every reconnect) and calls `listener` with every
   * push. `onSubscribed` runs after each (re)subscribe: the moment to call `get()` for the samples
   * missed while the socket was down. `onError` gets the refusal (PERMISSION_DENIED) and the
   * subscription is over.
   * @param {(push: StatsPush) => void} listener
   * @param {{onSubscribed?: () => void, onError?: (error: {code: string, message: string}) => void}} [callbacks]
   * @returns {() => void} stops listening and unsubscribes
   */
  onUpdate(listener, { onSubscribed, onError } = {}) {
    const stopListening = this.connection.stats.listen(listener);
    const subscription = this.subscribe(STATS_CHANNEL, () => {}, { onSubscribed, onError });
    const stop = () => {
      stopListening();
      subscription.unsubscribe();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    return stop;
  }

  /** The handle closed: its listeners stop. */
  close() {
    for (const stop of [...this.stops]) stop();
  }
}
