// The dashboard's live side: one WebSocket in cookie-session mode through the browser client
// (/client/gatehouse.js). After each (re)subscribe to gatehouse:stats it asks get_stats, whose
// history fills the charts at once (a page opened now is not empty, and a gap while the socket
// was down is filled); then each stats_update push adds one sample.

import { Gatehouse } from '/client/gatehouse.js';
import { mergeSamples } from './samples.js';

/** @typedef {import('/client/stats.js').StatsSnapshot} StatsSnapshot */
/** @typedef {import('./samples.js').Sample} Sample */

/**
 * @typedef {object} LiveCallbacks
 * @property {(live: Live) => void} onSamples the samples changed (history loaded, or a push)
 * @property {(state: string, detail: string) => void} onState the socket's state, and why
 * @property {(error: {code: string, hint?: string, message?: string}) => void} onRefused the
 *   session was refused (it expired or was revoked), or the stats were (not an admin)
 */

/** How often get_stats is asked again for the other nodes' figures (several nodes on Redis). */
const NODES_REFRESH_MS = 5000;

/** @returns {string} the WebSocket URL of this page's server */
export function ownSocketUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export class Live {
  /** @param {LiveCallbacks} callbacks */
  constructor(callbacks) {
    this.callbacks = callbacks;
    /** @type {any} the client's handle, null when stopped */
    this.gh = null;
    /** @type {Sample[]} oldest first, the newest last */
    this.samples = [];
    /** @type {StatsSnapshot|null} the last get_stats answer (node, version, started_at, interval) */
    this.snapshot = null;
    /** Bumped on stop: answers for a stopped socket are dropped. */
    this.generation = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} the next get_stats for the nodes' figures */
    this.nodesTimer = undefined;
  }

  /** Connects with the session cookie (and its CSRF token from the gh_csrf cookie). */
  start() {
    if (this.gh) return;
    const mine = ++this.generation;
    this.gh = Gatehouse.connect({
      url: ownSocketUrl(),
      csrf: true,
      onStateChange: (/** @type {any} */ change) => {
        if (mine !== this.generation) return;
        const why = [change.code, typeof change.retryInMs === 'number' ? `retry in ${(change.retryInMs / 1000).toFixed(1)} s` : '']
          .filter(Boolean)
          .join(', ');
        this.callbacks.onState(change.state, why);
      },
      onAuthError: (/** @type {any} */ e) => {
        if (mine === this.generation) this.callbacks.onRefused(e);
      },
    });
    this.gh.stats.onUpdate(
      (/** @type {import('/client/stats.js').StatsPush} */ push) => {
        if (mine !== this.generation) return;
        if (this.snapshot && push.node !== this.snapshot.node) {
          this.reload(mine); // another node answers now (a restart behind a balancer): its own history
          return;
        }
        this.samples = mergeSamples(this.samples, [push.now]);
        this.callbacks.onSamples(this);
      },
      {
        onSubscribed: () => this.reload(mine),
        onError: (/** @type {any} */ e) => {
          if (mine === this.generation) this.callbacks.onRefused(e);
        },
      },
    );
    this.callbacks.onState(this.gh.state, '');
  }

  /**
   * get_stats: the node's figures and its history, which replaces the samples held.
   * @param {number} mine
   */
  async reload(mine) {
    try {
      const snapshot = await this.gh.stats.get();
      if (mine !== this.generation) return;
      const sameNode = this.snapshot?.node === snapshot.node;
      this.snapshot = snapshot;
      this.samples = mergeSamples(sameNode ? this.samples : [], snapshot.history ?? [snapshot.now]);
      this.callbacks.onSamples(this);
      if (/** @type {any} */ (snapshot).nodes) {
        // The other nodes' figures come only with get_stats: asked again while the page is open.
        clearTimeout(this.nodesTimer);
        this.nodesTimer = setTimeout(() => this.reload(mine), NODES_REFRESH_MS);
      }
    } catch (error) {
      const e = /** @type {any} */ (error);
      if (mine !== this.generation || e?.code === 'CONNECTION_LOST') return; // the next subscribe asks again
      if (e?.code === 'RATE_LIMITED') {
        setTimeout(() => this.reload(mine), this.intervalMs); // one answer per interval and connection
        return;
      }
      if (e?.code) this.callbacks.onRefused(e);
    }
  }

  /** @returns {Sample|null} the newest sample */
  get latest() {
    return this.samples.length ? this.samples[this.samples.length - 1] : null;
  }

  /** @returns {number} the sample interval in ms (1 s unless the server says otherwise) */
  get intervalMs() {
    return this.snapshot?.interval_ms ?? 1000;
  }

  /** Closes the socket and forgets the samples (a logout, or another user logging in). */
  stop() {
    this.generation++;
    clearTimeout(this.nodesTimer);
    if (this.gh) this.gh.close();
    this.gh = null;
    this.samples = [];
    this.snapshot = null;
  }
}
