// Refreshes one table: every `periodMs` while the page is visible, and sooner when something says
// its rows changed (a stats push with another connection count or a refusal, an action of the
// admin). One load at a time; a request for a refresh during a load runs one more after it.

export class Poller {
  /**
   * @param {() => Promise<void>} load fetches and shows the rows; shows its own errors
   * @param {number} periodMs
   */
  constructor(load, periodMs) {
    this.load = load;
    this.periodMs = periodMs;
    /** @type {ReturnType<typeof setTimeout>|null} */
    this.timer = null;
    /** When the timer fires (epoch ms). */
    this.dueAt = 0;
    this.active = false;
    this.running = false;
    /** A refresh was asked for during a load. */
    this.again = false;
  }

  start() {
    this.active = true;
    this.schedule(0);
  }

  stop() {
    this.active = false;
    this.again = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Refreshes within `delayMs` (or right after the load under way).
   * @param {number} [delayMs]
   */
  soon(delayMs = 0) {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer && this.dueAt <= Date.now() + delayMs) return; // already due by then
    this.schedule(delayMs);
  }

  /** @param {number} delayMs */
  schedule(delayMs) {
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => this.run(), delayMs);
  }

  async run() {
    this.timer = null;
    if (!this.active) return;
    if (document.visibilityState === 'hidden') {
      this.schedule(this.periodMs); // a hidden tab asks nothing; becoming visible calls soon()
      return;
    }
    this.running = true;
    try {
      await this.load();
    } finally {
      this.running = false;
    }
    if (!this.active) return;
    const again = this.again;
    this.again = false;
    this.schedule(again ? 0 : this.periodMs);
  }
}
