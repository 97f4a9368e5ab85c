// One connection per page per (url, identity): Gatehouse.connect twice returns two handles over
// the connection this registry holds. A connection leaves it when its last handle closes.

/** @type {Map<string, any>} */
const connections = new Map();

/** @param {string} url @param {string} identity @returns {string} */
export function registryKey(url, identity) {
  return `${identity}\u0000${url}`;
}

/** @param {string} key @returns {any} the live connection under `key`, or undefined */
export function lookup(key) {
  return connections.get(key);
}

/** @param {string} key @param {any} connection */
export function register(key, connection) {
  connections.set(key, connection);
}

/** Forgets `connection` if it is still the one under `key`. */
export function unregister(key, connection) {
  if (connections.get(key) === connection) connections.delete(key);
}

/** @returns {number} how many connections this page holds (for tests and debugging) */
export function size() {
  return connections.size;
}
