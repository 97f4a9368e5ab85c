// What a connection does after its socket ends or a connect fails: classify the close by the
// refusal table (close-policy.js) and retry after a backoff, refresh the credential and retry
// once, or stop. A 1006 before open hides the HTTP answer of a refused upgrade, so the first of a
// failure streak asks GET /api/v1/auth/verify why.

import { REFUSAL_CODES } from './refusal-codes.js';
import { Backoff } from './backoff.js';
import { ClosePolicy, hintFor, parseCloseReason, parseRefusalBody } from './close-policy.js';
import { fetchJson } from './credential.js';
import { CLIENT_HINTS } from './requests.js';

/** The after-close half of a Connection: the retry timer, the refresh to do, the verify streak. */
export class Reconnector {
  /** @param {import('./connection.js').Connection} connection the one this acts for */
  constructor(connection) {
    this.connection = connection;
    this.policy = new ClosePolicy(new Backoff(() => connection.env.random()), () => connection.env.now());
    /** The refresh_then_retry code the next connect must refresh for, or null. */
    this.refreshFor = null;
    /** Whether auth/verify was asked in this failure streak (reset by connection_established). */
    this.verifiedInStreak = false;
    this.retryTimer = null;
    /** When the retry timer fires (epoch ms). */
    this.retryAt = 0;
    /** now + the server's retry_after_ms when the retry was scheduled: no page event connects before it. */
    this.notBefore = 0;
  }

  /** connection_established: a refresh may be tried again, a new streak may verify again. */
  onConnected() {
    this.policy.onConnected();
    this.verifiedInStreak = false;
  }

  /** The application starts over (recheck()). */
  restart() {
    this.policy.onRestart();
    this.refreshFor = null;
    this.verifiedInStreak = false;
    this.cancel();
  }

  /**
   * @param {number} code the close code
   * @param {string} reason the close reason
   * @param {boolean} opened whether the socket had fired open
   */
  afterClose(code, reason, opened) {
    const refusal = parseCloseReason(reason);
    if (!refusal && code === 1006 && !opened && !this.verifiedInStreak) {
      this.verifiedInStreak = true;
      return void this.verify();
    }
    this.decide(refusal);
  }

  /** Asks auth/verify with the credential the upgrade carried, then decides by its answer. */
  async verify() {
    const c = this.connection;
    const generation = c.generation;
    let refusal = null;
    try {
      const [url, init] = c.credential.verifyRequest(c.httpUrl);
      const answer = await fetchJson(c.env.fetch, url, init);
      if (!answer.ok) refusal = parseRefusalBody(answer.body);
    } catch {
      refusal = null; // the server is unreachable: retry
    }
    if (generation !== c.generation || c.state === 'closed' || c.socket) return;
    c.log('auth/verify:', refusal ? refusal.code : 'no refusal');
    this.decide(refusal);
  }

  /** Acts on a close, a refused check or a failed connect (refusal null) by the table. */
  decide(refusal) {
    const decision = this.policy.onClose(refusal);
    const { code, hint } = decision;
    this.refused(code, hint);
    if (decision.action === 'refresh_then_retry') this.refreshFor = code;
    if (decision.action === 'retry' || decision.action === 'refresh_then_retry') {
      this.schedule(decision.delayMs, code, hint, refusal ? refusal.retryAfterMs : 0);
    } else {
      this.stop(decision.action, code, hint);
    }
  }

  /** The refresh a refresh_then_retry needed failed, or gave the same token back. */
  refreshFailed({ code, retryAfterMs }) {
    const hint = hintFor(code);
    this.refused(code, hint);
    const action = REFUSAL_CODES[code].action;
    if (action === 'retry') this.schedule(this.policy.backoff.next(retryAfterMs), code, hint, retryAfterMs);
    else this.stop(action === 'stop' ? 'stop' : 'log_in', code, hint);
  }

  /** Records the refusal (if any) and answers a waiting recheck(). */
  refused(code, hint) {
    const c = this.connection;
    if (code) c.lastRefusal = { code, hint, at: new Date(c.env.now()) };
    c.settleRechecks({ ok: false, code: code || 'CONNECTION_LOST', hint: hint || CLIENT_HINTS.CONNECTION_LOST });
  }

  /** Reconnects after `delayMs`; `retryAfterMs` (the server's hint, 0 for none) also bounds hurry(). */
  schedule(delayMs, code, hint, retryAfterMs = 0) {
    const c = this.connection;
    this.cancel();
    this.notBefore = c.env.now() + retryAfterMs;
    c.setState('reconnecting', { code, hint, retryInMs: delayMs });
    this.arm(delayMs);
  }

  arm(delayMs) {
    const c = this.connection;
    this.cancel();
    this.retryAt = c.env.now() + delayMs;
    this.retryTimer = c.env.setTimeout(() => {
      this.retryTimer = null;
      c.connect();
    }, delayMs);
  }

  /**
   * The tab became visible or the browser went online while reconnecting: connect now, unless
   * the server's retry_after_ms has not passed yet; then at notBefore (never later than the timer).
   */
  hurry(why) {
    const c = this.connection;
    const now = c.env.now();
    if (now >= this.notBefore) {
      c.log(`${why}: reconnecting now`);
      return void c.connect();
    }
    if (this.retryTimer !== null && this.retryAt <= this.notBefore) return;
    c.log(`${why}: reconnecting once retry_after_ms has passed, in ${this.notBefore - now} ms`);
    this.arm(this.notBefore - now);
  }

  cancel() {
    if (this.retryTimer !== null) this.connection.env.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** log_in or stop: no retry until recheck(). Only log_in is an authentication error. */
  stop(action, code, hint) {
    const c = this.connection;
    this.refreshFor = null;
    c.setState('stopped', { code, hint });
    if (action === 'log_in') c.emit('onAuthError', { code, hint });
  }
}
