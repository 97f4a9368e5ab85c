// Liveness of an open socket: a JSON ping every heartbeat_interval_ms; a ping without a reply
// within PING_TIMEOUT_MS means a half-open TCP the browser does not notice, and the connection
// closes the socket (4000) and reconnects.

/** How long a liveness ping may wait for its pong, in ms. */
export const PING_TIMEOUT_MS = 10_000;
/** The ping interval when connection_established has no heartbeat_interval_ms, in ms. */
export const DEFAULT_HEARTBEAT_MS = 25_000;

export class Liveness {
  /**
   * @param {import('./environment.js').Environment} env timers
   * @param {() => Promise<any>} ping sends a JSON ping, resolves on its pong
   * @param {() => void} onTimeout no pong in time
   */
  constructor(env, ping, onTimeout) {
    this.env = env;
    this.ping = ping;
    this.onTimeout = onTimeout;
    this.intervalMs = DEFAULT_HEARTBEAT_MS;
    this.nextPing = null;
    this.deadline = null;
    /** Bumped by stop(), so a pong of an earlier socket is ignored. */
    this.round = 0;
  }

  /** @param {number | undefined} heartbeatIntervalMs from connection_established */
  start(heartbeatIntervalMs) {
    this.stop();
    this.intervalMs = heartbeatIntervalMs > 0 ? heartbeatIntervalMs : DEFAULT_HEARTBEAT_MS;
    this.schedule();
  }

  schedule() {
    const round = this.round;
    this.nextPing = this.env.setTimeout(() => {
      this.nextPing = null;
      this.deadline = this.env.setTimeout(() => {
        this.deadline = null;
        if (round === this.round) this.onTimeout();
      }, PING_TIMEOUT_MS);
      this.ping().then(
        () => {
          if (round !== this.round) return;
          this.env.clearTimeout(this.deadline);
          this.deadline = null;
          this.schedule();
        },
        () => {}, // the socket went: whoever closed it decides what comes next
      );
    }, this.intervalMs);
  }

  stop() {
    this.round++;
    if (this.nextPing !== null) this.env.clearTimeout(this.nextPing);
    if (this.deadline !== null) this.env.clearTimeout(this.deadline);
    this.nextPing = null;
    this.deadline = null;
  }
}
