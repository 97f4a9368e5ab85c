// Subscriptions and recovery (docs/protocol.md "History and recovery"). Each channel remembers
// {offset, epoch} of the last publication it delivered; a resubscribe sends it as `since`. The
// `subscribed` reply's publications come first, in order, then the live messages held back while
// the subscribe was pending, then live ones; only offsets above the last delivered one in the
// same epoch are delivered, so nothing is doubled. Messages without an offset pass as they come.

import { safeCall } from './safe-call.js';

/**
 * @typedef {object} MessageMeta
 * @property {string} channel
 * @property {number | undefined} offset
 * @property {string | undefined} epoch
 * @property {string | undefined} publishedAt
 */
/**
 * @typedef {object} Listener
 * @property {(data: any, meta: MessageMeta) => void} onMessage
 * @property {(info: {recovered: boolean, offset: number | null, epoch: string | null, data?: any}) => void} [onSubscribed]
 *   `data`: what the application answered for a `subscribe: proxy` namespace (docs/integrations.md), when it gave some
 * @property {(error: {code: string, message: string}) => void} [onError]
 */

/** One channel of a connection: its listeners (from every handle) and its recovery cursor. */
export class Subscription {
  /** @param {string} channel */
  constructor(channel) {
    this.channel = channel;
    /** @type {Set<Listener>} */
    this.listeners = new Set();
    /** @type {{offset: number, epoch: string} | null} the last publication delivered */
    this.cursor = null;
    /** 'idle' (not sent on this socket), 'pending' (subscribe sent), 'active' */
    this.status = 'idle';
    /** @type {any[]} live messages that arrived while the subscribe was pending */
    this.held = [];
  }

  /** @returns {Record<string, any>} the subscribe message, with `since` when there is a cursor */
  request() {
    const message = { type: 'subscribe', channel: this.channel };
    if (this.cursor) message.since = { offset: this.cursor.offset, epoch: this.cursor.epoch };
    return message;
  }

  /** @param {any} message a live `message` frame */
  onMessage(message) {
    if (this.status === 'pending') this.held.push(message);
    else this.deliver(message);
  }

  /** @param {any} reply the `subscribed` frame */
  onSubscribed(reply) {
    const before = this.cursor;
    for (const publication of reply.publications || []) this.deliver(publication);
    const recovered = Boolean(reply.recovered) && (!before || before.epoch === reply.epoch);
    if (typeof reply.offset === 'number' && reply.epoch != null) {
      const ahead = this.cursor && this.cursor.epoch === reply.epoch && this.cursor.offset > reply.offset;
      if (!ahead) this.cursor = { offset: reply.offset, epoch: reply.epoch };
    }
    const info = { recovered, offset: reply.offset ?? null, epoch: reply.epoch ?? null };
    this.activate(reply.data === undefined ? info : { ...info, data: reply.data });
  }

  /** Active without a reply (the personal channel, subscribed by the server on connect). */
  activate(info) {
    this.status = 'active';
    const held = this.held;
    this.held = [];
    for (const listener of [...this.listeners]) safeCall(listener.onSubscribed, info);
    for (const message of held) this.deliver(message);
  }

  /** @param {any} publication a `message` frame or a publication of `subscribed` */
  deliver(publication) {
    const { offset, epoch } = publication;
    if (typeof offset === 'number') {
      const c = this.cursor;
      if (c && c.epoch === epoch && offset <= c.offset) return; // already delivered
      this.cursor = { offset, epoch };
    }
    const meta = { channel: this.channel, offset, epoch, publishedAt: publication.published_at };
    for (const listener of [...this.listeners]) safeCall(listener.onMessage, publication.data, meta);
  }

  /** The subscription ended by the server: tell every listener. */
  fail(code, message) {
    for (const listener of [...this.listeners]) safeCall(listener.onError, { code, message: message || '' });
  }
}

/** The subscriptions of one connection, by channel. */
export class Subscriptions {
  constructor() {
    /** @type {Map<string, Subscription>} */
    this.byChannel = new Map();
  }

  /**
   * Adds `listener` to `channel`.
   * @param {string} channel
   * @param {Listener} listener
   * @returns {{subscription: Subscription, created: boolean}}
   */
  listen(channel, listener) {
    let subscription = this.byChannel.get(channel);
    const created = !subscription;
    if (!subscription) {
      subscription = new Subscription(channel);
      this.byChannel.set(channel, subscription);
    }
    subscription.listeners.add(listener);
    return { subscription, created };
  }

  /**
   * Removes `listener`; true when `channel` has no listener left (and is forgotten).
   * @param {string} channel
   * @param {Listener} listener
   */
  unlisten(channel, listener) {
    const subscription = this.byChannel.get(channel);
    if (!subscription || !subscription.listeners.delete(listener)) return false;
    if (subscription.listeners.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }

  /**
   * Sends the subscribe of `subscription` on the current socket.
   * @param {Subscription} subscription
   * @param {(message: Record<string, any>, reply: (r: any) => void, fail: (e: any) => void) => void} call
   *   sends `message`; `reply` / `fail` run synchronously with the answer
   * @param {string | null} personalChannel `#<user id>`, which the server subscribed already
   */
  start(subscription, call, personalChannel) {
    if (subscription.channel === personalChannel && !subscription.cursor) {
      subscription.activate({ recovered: false, offset: null, epoch: null });
      return;
    }
    subscription.status = 'pending';
    subscription.held = [];
    call(
      subscription.request(),
      (reply) => {
        if (this.byChannel.get(subscription.channel) === subscription && subscription.status === 'pending') {
          subscription.onSubscribed(reply);
        }
      },
      (error) => {
        if (error.code === 'CONNECTION_LOST' || error.code === 'NOT_CONNECTED') return;
        if (this.byChannel.get(subscription.channel) !== subscription) return;
        this.byChannel.delete(subscription.channel);
        subscription.fail(error.code, error.hint);
      },
    );
  }

  /** Every subscription on a new socket. */
  startAll(call, personalChannel) {
    for (const subscription of this.byChannel.values()) this.start(subscription, call, personalChannel);
  }

  /** The socket went: each subscription waits for the next one. */
  suspendAll() {
    for (const subscription of this.byChannel.values()) {
      subscription.status = 'idle';
      subscription.held = [];
    }
  }

  /** @param {any} message a `message` frame */
  onMessage(message) {
    const subscription = this.byChannel.get(message.channel);
    if (subscription && subscription.status !== 'idle') subscription.onMessage(message);
  }

  /** @param {any} message an `unsubscribed` frame the client did not ask for (it has a code) */
  onUnsubscribed(message) {
    const subscription = this.byChannel.get(message.channel);
    if (!subscription || !message.code) return;
    this.byChannel.delete(message.channel);
    subscription.fail(message.code, message.message);
  }
}
