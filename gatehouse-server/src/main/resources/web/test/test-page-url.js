// Where the /test page may connect: its own server only. The page's Content-Security-Policy
// (connect-src 'self') says the same to the browser; this says it to the developer.

/** @returns {string} the WebSocket URL of this page's server */
export function defaultUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * `value` when it is a WebSocket URL of this page's own server (same host and port, ws for an http
 * page, wss for an https one; any path, for a gateway mounted under a prefix), else null.
 * @param {string} value
 * @returns {string|null}
 */
export function ownServerUrl(value) {
  try {
    const url = new URL(value);
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.protocol === scheme && url.host === location.host ? url.href : null;
  } catch {
    return null;
  }
}
