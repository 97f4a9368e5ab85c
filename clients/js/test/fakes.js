// Deterministic fakes for the client's environment: a WebSocket that records what the client
// sends and lets the test open, deliver and close; timers on a fake clock; fetch; document and
// window event targets. `setup()` wires them into an environment for Gatehouse.connect.

import { Gatehouse } from '../gatehouse.js';

/** Lets every pending promise callback run (several rounds, for chains of awaits). */
export async function flush(rounds = 10) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.time = start;
    this.nextId = 1;
    /** @type {Map<number, {at: number, fn: () => void, ms: number}>} */
    this.timers = new Map();
    this.now = () => this.time;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.time + Math.max(0, ms || 0), fn, ms });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** Runs the timers due within `ms`, in order, letting promises settle after each. */
  async advance(ms) {
    const target = this.time + ms;
    await flush();
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) if (t.at <= target && (!next || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await flush();
    }
    this.time = target;
  }

  /** @returns {number[]} the delays (ms) of the timers now pending */
  pending() {
    return [...this.timers.values()].map((t) => t.ms);
  }
}

export class FakeWebSocket {
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    /** @type {any[]} the frames the client sent, parsed */
    this.sent = [];
    /** @type {number[]} the codes the client closed with */
    this.closedWith = [];
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
  }

  send(text) {
    if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
    this.sent.push(JSON.parse(text));
  }

  close(code) {
    this.closedWith.push(code);
    this.readyState = 3;
  }

  /** @returns {URLSearchParams} */
  get params() {
    return new URL(this.url).searchParams;
  }

  // ---- the test plays the server ----

  open() {
    this.readyState = 1;
    if (this.onopen) this.onopen({});
  }

  receive(message) {
    if (this.onmessage) this.onmessage({ data: JSON.stringify(message) });
  }

  serverClose(code, reason = '') {
    this.readyState = 3;
    if (this.onclose) this.onclose({ code, reason, wasClean: code !== 1006 });
  }

  /** Opens and sends connection_established. */
  establish(extra = {}) {
    if (this.readyState === 0) this.open();
    this.receive({
      type: 'connection_established',
      connection_id: 'conn-1',
      user: { id: 'alice', name: 'Alice', roles: [] },
      expires_at: '2030-01-01T00:00:00Z',
      heartbeat_interval_ms: 25_000,
      server_time: 0,
      ...extra,
    });
  }

  /** The last frame sent of `type`. */
  last(type) {
    return [...this.sent].reverse().find((f) => f.type === type);
  }

  /** Every frame sent of `type`. */
  all(type) {
    return this.sent.filter((f) => f.type === type);
  }
}

export class FakeFetch {
  constructor() {
    /** @type {{url: string, init: any}[]} */
    this.calls = [];
    /** Answers a call: {status, body}, or throws (a network failure). */
    this.respond = () => ({ status: 200, body: {} });
    this.fn = async (url, init = {}) => {
      this.calls.push({ url, init });
      const { status, body } = await this.respond(url, init);
      return { ok: status >= 200 && status < 300, status, json: async () => body };
    };
  }

  /** Calls whose URL ends with `path`. */
  to(path) {
    return this.calls.filter((c) => c.url.endsWith(path));
  }
}

/** An EventTarget that counts its listeners. */
export class FakeEventTarget extends EventTarget {
  constructor() {
    super();
    this.listeners = 0;
  }

  addEventListener(type, fn, opts) {
    this.listeners++;
    super.addEventListener(type, fn, opts);
  }

  removeEventListener(type, fn, opts) {
    this.listeners--;
    super.removeEventListener(type, fn, opts);
  }
}

let pages = 0;

/** A fresh fake page: its own URL (so the registry never mixes tests), clock, sockets, fetch. */
export function setup({ random = () => 0.5 } = {}) {
  const clock = new FakeClock();
  /** @type {FakeWebSocket[]} */
  const sockets = [];
  class PageWebSocket extends FakeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  const fetch = new FakeFetch();
  const document = new FakeEventTarget();
  document.visibilityState = 'visible';
  document.cookie = '';
  const window = new FakeEventTarget();
  const debugLines = [];
  const env = {
    WebSocket: PageWebSocket,
    fetch: fetch.fn,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: () => random(),
    now: clock.now,
    document,
    window,
    console: { debug: (...args) => debugLines.push(args.join(' ')) },
  };
  const url = `ws://page${++pages}.test:8080/ws`;
  return {
    clock,
    sockets,
    fetch,
    document,
    window,
    env,
    url,
    debugLines,
    /** Gatehouse.connect on this page. */
    connect: (options = {}) => Gatehouse.connect({ url, ...options }, env),
    /** Sockets not closed by either side. */
    live: () => sockets.filter((s) => s.readyState !== 3),
    /** The newest socket. */
    get socket() {
      return sockets[sockets.length - 1];
    },
  };
}

/** A getToken that answers the given tokens in turn (the last one for ever) and counts calls. */
export function tokens(...values) {
  const fn = async () => {
    fn.calls++;
    return values[Math.min(fn.calls - 1, values.length - 1)];
  };
  fn.calls = 0;
  return fn;
}

/** Records onStateChange and onAuthError calls. */
export function recorder() {
  const states = [];
  const authErrors = [];
  return {
    states,
    authErrors,
    onStateChange: (change) => states.push(change),
    onAuthError: (error) => authErrors.push(error),
  };
}
