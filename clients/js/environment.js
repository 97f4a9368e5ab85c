// What the client takes from the page: timers, randomness, the clock, WebSocket, fetch,
// document, window and console. Each is looked up when used, not when this module loads, so
// the module imports in Node (no WebSocket, document or window there) and tests inject fakes.

/**
 * @typedef {object} Environment
 * @property {typeof WebSocket} [WebSocket]
 * @property {typeof fetch} [fetch]
 * @property {(fn: () => void, ms: number) => any} [setTimeout]
 * @property {(id: any) => void} [clearTimeout]
 * @property {() => number} [random] uniform in [0, 1)
 * @property {() => number} [now] epoch milliseconds
 * @property {EventTarget & {visibilityState?: string, cookie?: string}} [document]
 * @property {EventTarget & {location?: {href: string}}} [window]
 * @property {{debug: (...args: any[]) => void}} [console]
 */

/**
 * The environment with every missing member taken from globalThis at call time.
 * @param {Environment} [overrides]
 * @returns {Required<Environment>}
 */
export function resolveEnvironment(overrides = {}) {
  const g = /** @type {any} */ (globalThis);
  return {
    get WebSocket() { return overrides.WebSocket ?? g.WebSocket; },
    get fetch() { return overrides.fetch ?? ((...args) => g.fetch(...args)); },
    get setTimeout() { return overrides.setTimeout ?? ((fn, ms) => g.setTimeout(fn, ms)); },
    get clearTimeout() { return overrides.clearTimeout ?? ((id) => g.clearTimeout(id)); },
    get random() { return overrides.random ?? Math.random; },
    get now() { return overrides.now ?? Date.now; },
    get document() { return overrides.document ?? g.document; },
    get window() { return overrides.window ?? g.window; },
    get console() { return overrides.console ?? g.console; },
  };
}
