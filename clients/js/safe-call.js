// Application callbacks run through here: one that throws is reported on the console and does
// not break the client or the other callbacks.

/**
 * Calls `fn(...args)` if it is a function; an exception is logged, not thrown.
 * @param {Function | undefined | null} fn
 * @param {...any} args
 * @returns {any}
 */
export function safeCall(fn, ...args) {
  if (typeof fn !== 'function') return undefined;
  try {
    return fn(...args);
  } catch (e) {
    const c = /** @type {any} */ (globalThis).console;
    if (c) c.error('[gatehouse] a callback threw', e);
    return undefined;
  }
}
