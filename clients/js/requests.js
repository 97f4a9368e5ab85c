// Client requests and their replies: every request gets a unique id, the reply repeats it.
// When the socket goes, every pending request is rejected with CONNECTION_LOST.

/**
 * An Error with the server's (or the client's) refusal code and hint.
 * @param {string} code
 * @param {string} [hint]
 * @returns {Error & {code: string, hint: string}}
 */
export function requestError(code, hint = '') {
  const error = /** @type {Error & {code: string, hint: string}} */ (new Error(hint ? `${code}: ${hint}` : code));
  error.name = 'GatehouseError';
  error.code = code;
  error.hint = hint;
  return error;
}

/** Hints of the client's own codes. */
export const CLIENT_HINTS = Object.freeze({
  CONNECTION_LOST: 'The connection closed before the reply arrived; the request may or may not have been carried out',
  NOT_CONNECTED: 'Not connected; wait for the state connected (onStateChange) and try again',
});

export class Requests {
  constructor() {
    this.nextId = 1;
    /** @type {Map<number, {resolve: (m: any) => void, reject: (e: any) => void}>} */
    this.pending = new Map();
  }

  /**
   * Sends `message` with a new id through `send`; `reply` or `fail` runs synchronously when the
   * answer arrives, before the next frame is read (a subscription must see its `subscribed`
   * before the live messages behind it).
   * @param {Record<string, any>} message without id
   * @param {(frame: Record<string, any>) => void} send
   * @param {(reply: any) => void} reply
   * @param {(error: Error & {code: string, hint: string}) => void} fail
   */
  call(message, send, reply, fail) {
    const id = this.nextId++;
    this.pending.set(id, { resolve: reply, reject: fail });
    send({ ...message, id });
  }

  /**
   * Like call(), as a Promise of the reply (rejected on an `error` reply).
   * @param {Record<string, any>} message without id
   * @param {(frame: Record<string, any>) => void} send
   * @returns {Promise<any>}
   */
  request(message, send) {
    return new Promise((resolve, reject) => this.call(message, send, resolve, reject));
  }

  /**
   * Settles the request `message.id` answers; false when it answers none.
   * @param {any} message a server message
   * @returns {boolean}
   */
  settle(message) {
    const waiter = message && this.pending.get(message.id);
    if (!waiter) return false;
    this.pending.delete(message.id);
    if (message.type === 'error') waiter.reject(requestError(message.code, message.message || ''));
    else waiter.resolve(message);
    return true;
  }

  /** Rejects every pending request with `code` (CONNECTION_LOST when the socket went). */
  rejectAll(code = 'CONNECTION_LOST') {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiters) w.reject(requestError(code, CLIENT_HINTS[code] || ''));
  }
}
