// The dashboard's HTTP calls: the cookie session (POST /api/v1/auth/login, logout, refresh, GET
// auth/verify) and the admin endpoints, all on this page's own server. The browser sends the
// gh_session cookie by itself; every call adds the session's CSRF token (the gh_csrf cookie) as
// X-CSRF-Token, which the server wants on every cookie-authenticated API request. A stale CSRF
// token (older than auth.session.csrf_max_age) is refreshed once and the call made again; calls
// that meet it together share one refresh.

import { csrfCookie } from '../pages/csrf-cookie.js';

/** @typedef {{id: string, name?: string, roles?: string[]}} User */

/** A refusal of the server (its code and hint) or of the network, as the page shows it. */
export class ApiError extends Error {
  /**
   * @param {string} code a refusal code, or NETWORK_ERROR
   * @param {string} hint
   * @param {number} status the HTTP status, 0 without an answer
   * @param {any} [body] the answer's JSON body, when it has more (a broadcast's publications)
   */
  constructor(code, hint, status, body = null) {
    super(hint ? `${code}: ${hint}` : code);
    this.name = 'ApiError';
    this.code = code;
    this.hint = hint;
    this.status = status;
    this.body = body;
  }
}

/** Refusals of the CSRF token a call sent that a newer token may cure. */
const CURED_BY_A_NEWER_TOKEN = new Set(['CSRF_TOKEN_EXPIRED', 'CSRF_VALIDATION_ERROR']);

/** @type {Promise<void>|null} the refresh under way: calls that find the token stale share it */
let refreshing = null;

/**
 * One request to this server; resolves with the JSON body, rejects with an ApiError.
 * @param {string} method
 * @param {string} path from the server's root, e.g. /api/v1/connections
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  const sent = csrfCookie();
  try {
    return await send(method, path, body, sent);
  } catch (error) {
    if (!(error instanceof ApiError) || !CURED_BY_A_NEWER_TOKEN.has(error.code)) throw error;
    // Calls made together meet a stale token together: the first refreshes it, the others ask
    // again with the new one. A second refresh would replace the token the first one's retry
    // carries; and a call the server checks after a refresh finds its token replaced
    // (CSRF_VALIDATION_ERROR), which is no forgery when the cookie holds a newer one.
    await refreshing;
    if (csrfCookie() === sent) {
      if (error.code !== 'CSRF_TOKEN_EXPIRED') throw error;
      refreshing ??= refreshCsrf().finally(() => {
        refreshing = null;
      });
      await refreshing;
    }
    return send(method, path, body);
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {string|null} [csrf] the session's CSRF token for X-CSRF-Token (the cookie's now)
 * @returns {Promise<any>}
 */
async function send(method, path, body, csrf = csrfCookie()) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('NETWORK_ERROR', 'The server did not answer; is it running?', 0);
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    // no JSON body: the status says it
  }
  if (!response.ok) {
    const code = parsed?.code ?? `HTTP_${response.status}`;
    throw new ApiError(code, parsed?.hint ?? parsed?.error ?? '', response.status, parsed);
  }
  return parsed;
}

/** A fresh CSRF token for the session (the server sets the new gh_csrf cookie). */
async function refreshCsrf() {
  const sent = csrfCookie();
  try {
    await send('POST', '/api/v1/auth/refresh', undefined, sent);
  } catch (error) {
    // Another refresh (the live socket's, another tab's) replaced the token first: the cookie holds
    // the new one, which is what this refresh was for.
    if (error instanceof ApiError && CURED_BY_A_NEWER_TOKEN.has(error.code) && csrfCookie() !== sent) return;
    throw error;
  }
}

/**
 * Logs in (the server sets gh_session and gh_csrf).
 * @param {string} username
 * @param {string} password
 * @returns {Promise<User>}
 */
export async function logIn(username, password) {
  const answer = await send('POST', '/api/v1/auth/login', { username, password });
  return answer.user;
}

/** Logs out: the server revokes the session, closes its sockets and clears the cookies. */
export async function logOut() {
  await api('POST', '/api/v1/auth/logout');
}

/**
 * Who the session is, or null without a usable one (no cookie, expired, revoked, logged out).
 * @returns {Promise<User|null>}
 */
export async function currentUser() {
  if (!csrfCookie()) return null;
  try {
    const answer = await api('GET', '/api/v1/auth/verify');
    return answer.user ?? null;
  } catch (error) {
    if (error instanceof ApiError && error.status >= 400 && error.status < 500) return null;
    throw error;
  }
}

/**
 * @param {User|null|undefined} user
 * @returns {boolean} whether the user has the admin role
 */
export function isAdmin(user) {
  return Array.isArray(user?.roles) && user.roles.includes('admin');
}
