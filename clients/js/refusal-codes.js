// Generated from io.gatehouse.protocol.RefusalCode by RefusalCodeScript: do not edit.
// mvn test -pl gatehouse-protocol -Dgatehouse.write-client-table=true rewrites it.

/** @typedef {'retry' | 'refresh_then_retry' | 'log_in' | 'stop'} ClientAction */
/** @typedef {{close: number, http: number, action: ClientAction, hint: string}} RefusalEntry */

/** Every refusal code of the server, by name (SPEC §3). */
/** @type {Readonly<Record<string, Readonly<RefusalEntry>>>} */
export const REFUSAL_CODES = Object.freeze({
  TOKEN_MISSING: Object.freeze({ close: 4401, http: 401, action: 'log_in', hint: 'No credential found; send Authorization: Bearer <token>, the gatehouse.bearer.<token> subprotocol, ?token=, or an auth message' }),
  TOKEN_INVALID: Object.freeze({ close: 4401, http: 401, action: 'log_in', hint: 'The token is not valid; obtain a new one' }),
  TOKEN_EXPIRED: Object.freeze({ close: 4401, http: 401, action: 'refresh_then_retry', hint: 'The token has expired; refresh it and reconnect' }),
  TOKEN_REVOKED: Object.freeze({ close: 4401, http: 401, action: 'log_in', hint: 'The token was revoked; log in again' }),
  SESSION_EXPIRED: Object.freeze({ close: 4401, http: 401, action: 'log_in', hint: 'The session has expired; log in again' }),
  LOGIN_FAILED: Object.freeze({ close: 4401, http: 401, action: 'log_in', hint: 'Unknown user or wrong password' }),
  CSRF_TOKEN_MISSING: Object.freeze({ close: 4403, http: 403, action: 'refresh_then_retry', hint: 'Cookie sessions need a CSRF token; POST /api/v1/auth/refresh and reconnect with csrf_token' }),
  CSRF_TOKEN_EXPIRED: Object.freeze({ close: 4403, http: 403, action: 'refresh_then_retry', hint: 'The CSRF token is stale; POST /api/v1/auth/refresh and reconnect' }),
  CSRF_VALIDATION_ERROR: Object.freeze({ close: 4403, http: 403, action: 'refresh_then_retry', hint: 'The CSRF token does not match the session; refresh once, log in if it repeats' }),
  PERMISSION_DENIED: Object.freeze({ close: 4403, http: 403, action: 'stop', hint: 'Not allowed for this credential' }),
  ORIGIN_NOT_ALLOWED: Object.freeze({ close: 4403, http: 403, action: 'stop', hint: 'This Origin is not allowed; add it to server.allowed_origins' }),
  NOT_FOUND: Object.freeze({ close: 4404, http: 404, action: 'stop', hint: 'No such resource' }),
  METHOD_NOT_ALLOWED: Object.freeze({ close: 4405, http: 405, action: 'stop', hint: 'This method is not supported on this path' }),
  RATE_LIMITED: Object.freeze({ close: 4429, http: 429, action: 'retry', hint: 'Too many requests; back off' }),
  TOO_MANY_CONNECTIONS: Object.freeze({ close: 4429, http: 429, action: 'retry', hint: 'Too many connections; back off' }),
  TOO_MANY_SUBSCRIPTIONS: Object.freeze({ close: 4429, http: 429, action: 'stop', hint: 'This connection has limits.subscriptions_per_connection subscriptions; unsubscribe from channels it no longer needs' }),
  AUTH_TIMEOUT: Object.freeze({ close: 4408, http: 408, action: 'retry', hint: 'No auth message arrived in time; send {"type":"auth","token":...} first' }),
  HEARTBEAT_TIMEOUT: Object.freeze({ close: 4408, http: 408, action: 'retry', hint: 'No traffic within the heartbeat window; reconnect' }),
  CONNECTION_REPLACED: Object.freeze({ close: 4409, http: 409, action: 'stop', hint: 'A newer connection of the same session took over' }),
  DISCONNECTED: Object.freeze({ close: 4410, http: 410, action: 'stop', hint: 'The server disconnected this connection' }),
  BAD_REQUEST: Object.freeze({ close: 4400, http: 400, action: 'stop', hint: 'The message is not valid; see docs/protocol.md' }),
  UNSUPPORTED_DATA: Object.freeze({ close: 1003, http: 415, action: 'stop', hint: 'Binary frames are not supported; send JSON text frames' }),
  INVALID_PAYLOAD: Object.freeze({ close: 1007, http: 400, action: 'stop', hint: 'Text frames must be valid UTF-8' }),
  MESSAGE_TOO_BIG: Object.freeze({ close: 1009, http: 413, action: 'stop', hint: 'The message is larger than limits.max_message_bytes' }),
  SLOW_CONSUMER: Object.freeze({ close: 4508, http: 508, action: 'retry', hint: 'The client did not read fast enough; reconnect and recover' }),
  BACKEND_UNAVAILABLE: Object.freeze({ close: 4503, http: 503, action: 'retry', hint: 'A backend (the database, the broker or the token service) is unavailable; back off' }),
  SERVER_SHUTTING_DOWN: Object.freeze({ close: 1012, http: 503, action: 'retry', hint: 'The server is restarting; reconnect after the given delay' }),
  INTERNAL_ERROR: Object.freeze({ close: 1011, http: 500, action: 'retry', hint: 'Internal error; back off and retry' }),
});
