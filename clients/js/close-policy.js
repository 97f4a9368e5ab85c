// What the client does after a close, by the refusal table (refusal-codes.js, generated from the
// server's RefusalCode; docs/protocol.md "Client actions"). Pure apart from its clock and its
// backoff: it decides, the connection acts.

import { REFUSAL_CODES } from './refusal-codes.js';
import { Backoff } from './backoff.js';

/** How long a connection must have lasted, in ms, for the backoff to start over when it ends. */
export const STABLE_AFTER_MS = 5_000;

/** @typedef {import('./refusal-codes.js').ClientAction} ClientAction */
/** @typedef {{code: string, retryAfterMs: number}} Refusal */
/**
 * @typedef {object} Decision
 * @property {ClientAction} action
 * @property {number} delayMs how long to wait before reconnecting (retry, refresh_then_retry)
 * @property {string | null} code the refusal code, or null for a close without one
 * @property {string | null} hint the table's hint for `code`
 */

const REASON = /^([A-Z][A-Z0-9_]*)(?: retry_after_ms=(\d+))?$/;

/**
 * Reads a close reason (`CODE` or `CODE retry_after_ms=N`). Anything else, or a code the table
 * does not know, is not a Gatehouse refusal: null.
 * @param {string | null | undefined} reason
 * @returns {Refusal | null}
 */
export function parseCloseReason(reason) {
  const m = REASON.exec(reason || '');
  if (!m || !Object.prototype.hasOwnProperty.call(REFUSAL_CODES, m[1])) return null;
  return { code: m[1], retryAfterMs: m[2] ? Number(m[2]) : 0 };
}

/**
 * Reads an HTTP refusal body `{code, hint?, retry_after_ms?}` (auth/verify, auth/refresh).
 * @param {any} body
 * @returns {Refusal | null}
 */
export function parseRefusalBody(body) {
  if (!body || typeof body.code !== 'string') return null;
  if (!Object.prototype.hasOwnProperty.call(REFUSAL_CODES, body.code)) return null;
  const after = Number(body.retry_after_ms);
  return { code: body.code, retryAfterMs: Number.isFinite(after) && after > 0 ? after : 0 };
}

/** @param {string | null} code @returns {string | null} the table's hint */
export function hintFor(code) {
  return code && REFUSAL_CODES[code] ? REFUSAL_CODES[code].hint : null;
}

/**
 * The table's action for `code`, except CONNECTION_REPLACED on a socket that never got
 * connection_established: with duplicate_session_policy `reject` the server refuses this new
 * connection while it still holds the page's old (half-open) one, which it will time out, so
 * that is a retry. On an established socket it means a newer connection took over: stop.
 * @param {string} code @param {boolean} established @returns {ClientAction}
 */
export function actionFor(code, established) {
  if (code === 'CONNECTION_REPLACED' && !established) return 'retry';
  return REFUSAL_CODES[code].action;
}

/** Decides retry, refresh_then_retry, log_in or stop after each close; owns the backoff's reset rule. */
export class ClosePolicy {
  /**
   * @param {Backoff} backoff
   * @param {() => number} now epoch ms
   */
  constructor(backoff, now) {
    this.backoff = backoff;
    this.now = now;
    /**
     * Whether a refresh_then_retry close (of any code) came since the last connection_established:
     * the next one, whatever its code, is log_in ("refresh once, then log in").
     */
    this.refreshed = false;
    /** When the current socket got connection_established, or null (none yet, or it closed). */
    this.connectedAt = null;
  }

  /**
   * Decides after a close, a failed connect or a refused HTTP check.
   * @param {Refusal | null} refusal null for a close without a refusal code (1006, 1001, ...)
   * @returns {Decision}
   */
  onClose(refusal) {
    const established = this.connectedAt !== null;
    if (established && this.now() - this.connectedAt >= STABLE_AFTER_MS) {
      this.backoff.reset();
    }
    this.connectedAt = null;
    const code = refusal ? refusal.code : null;
    const retryAfterMs = refusal ? refusal.retryAfterMs : 0;
    const action = code ? actionFor(code, established) : 'retry';
    const hint = hintFor(code);
    if (action === 'retry') {
      return { action, delayMs: this.backoff.next(retryAfterMs), code, hint };
    }
    if (action === 'refresh_then_retry') {
      if (this.refreshed) return { action: 'log_in', delayMs: 0, code, hint };
      this.refreshed = true;
      return { action, delayMs: retryAfterMs, code, hint };
    }
    return { action, delayMs: 0, code, hint };
  }

  /** `connection_established` arrived: a refresh may be tried again; the stability clock starts. */
  onConnected() {
    this.refreshed = false;
    this.connectedAt = this.now();
  }

  /** The application asked to start over (recheck): fresh backoff, a refresh may be tried again. */
  onRestart() {
    this.backoff.reset();
    this.refreshed = false;
    this.connectedAt = null;
  }
}
