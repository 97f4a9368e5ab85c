// Exponential backoff with full jitter (docs/protocol.md, client action "retry"): the n-th delay,
// counting from 0, is drawn uniformly from [0, min(cap, base * 2^n)], and is never shorter than
// the server's retry_after_ms.

/** First ceiling of the jitter range, in ms. */
export const BASE_MS = 500;
/** Largest ceiling of the jitter range, in ms. */
export const CAP_MS = 30_000;

export class Backoff {
  /**
   * @param {() => number} random uniform in [0, 1)
   * @param {{baseMs?: number, capMs?: number}} [limits]
   */
  constructor(random, { baseMs = BASE_MS, capMs = CAP_MS } = {}) {
    this.random = random;
    this.baseMs = baseMs;
    this.capMs = capMs;
    /** How many delays were drawn since the last reset. */
    this.attempt = 0;
  }

  /** @param {number} attempt @returns {number} min(cap, base * 2^attempt) */
  ceiling(attempt) {
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(attempt, 30));
  }

  /**
   * The delay before the next attempt, in ms; `retryAfterMs` (0 for none) is its floor.
   * @param {number} [retryAfterMs]
   * @returns {number}
   */
  next(retryAfterMs = 0) {
    const ceiling = this.ceiling(this.attempt);
    if (ceiling < this.capMs) this.attempt++;
    const jitter = Math.floor(this.random() * (ceiling + 1));
    return Math.max(jitter, retryAfterMs || 0);
  }

  /** Back to the first attempt's range. */
  reset() {
    this.attempt = 0;
  }
}
