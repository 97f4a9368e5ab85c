// The two ways a page authenticates: a token from the application (token mode) or the gh_session
// cookie with its CSRF token (cookie mode). Each knows how to get its credential, how to put it
// on an upgrade, how to refresh it, and how to ask GET /api/v1/auth/verify with it.

import { parseRefusalBody } from './close-policy.js';

/**
 * What preparing a credential came to:
 * ready (open a socket), idle (no credential yet), refused (an HTTP refusal or the same token
 * again after TOKEN_EXPIRED) or unavailable (the application or the network failed: retry).
 * @typedef {{kind: 'ready'} | {kind: 'idle', code: string} | {kind: 'refused', refusal: import('./close-policy.js').Refusal} | {kind: 'unavailable', error: any}} Prepared
 */
/** @typedef {{url: string, protocols: string[], firstMessage: Record<string, any> | null}} Upgrade */

const SUBPROTOCOL = 'gatehouse.v1';
const BEARER = 'gatehouse.bearer.';
/** RFC 7230 token characters: what a subprotocol may consist of. */
const TCHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Fetches JSON; `body` is null when the answer is not JSON.
 * @returns {Promise<{ok: boolean, status: number, body: any}>}
 */
export async function fetchJson(fetchFn, url, init) {
  const response = await fetchFn(url, init);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { ok: response.ok, status: response.status, body };
}

/** @param {string} url @param {Record<string, string>} params */
function withParams(url, params) {
  const u = new URL(url);
  for (const [name, value] of Object.entries(params)) u.searchParams.set(name, value);
  return u.toString();
}

/** Token mode: `getToken()` is asked before every connect and when the token is about to expire. */
export class TokenCredential {
  /** @param {() => any} getToken */
  constructor(getToken) {
    this.mode = 'token';
    this.getToken = getToken;
    /** @type {string | null} the token of the current or last socket */
    this.token = null;
  }

  /** @param {{refreshFor?: string | null}} [why] */
  async prepare({ refreshFor = null } = {}) {
    let token;
    try {
      token = await this.getToken();
    } catch (error) {
      return { kind: 'unavailable', error };
    }
    if (!token) return { kind: 'idle', code: 'TOKEN_MISSING' };
    if (refreshFor && token === this.token) {
      // Never reconnect with the credential the server just refused as expired.
      return { kind: 'refused', refusal: { code: refreshFor, retryAfterMs: 0 } };
    }
    this.token = String(token);
    return { kind: 'ready' };
  }

  /** @param {string} url @param {string} instance @returns {Upgrade} */
  upgrade(url, instance) {
    const target = withParams(url, { instance });
    if (TCHARS.test(this.token)) return { url: target, protocols: [SUBPROTOCOL, BEARER + this.token], firstMessage: null };
    return { url: target, protocols: [SUBPROTOCOL], firstMessage: { type: 'auth', token: this.token, instance } };
  }

  /** @param {string} httpUrl @returns {[string, RequestInit]} */
  verifyRequest(httpUrl) {
    return this.apiRequest(`${httpUrl}/api/v1/auth/verify`, 'GET');
  }

  /** A request to the user-facing API with this credential: [url, init] for fetch. */
  apiRequest(url, method) {
    return [url, { method, headers: { Authorization: `Bearer ${this.token}` } }];
  }

  /**
   * `token_expiring`: a new token goes to the server in-band; the same one does nothing (the
   * server then closes with TOKEN_EXPIRED and the table decides).
   * @param {(message: Record<string, any>) => Promise<any>} request
   * @returns {Promise<string | null>} the new expires_at, or null
   */
  async onExpiring(request) {
    const token = await this.getToken();
    if (!token || token === this.token) return null;
    const reply = await request({ type: 'refresh', token: String(token) });
    this.token = String(token);
    return reply.expires_at ?? null;
  }

  /** The application changed getToken (a newer handle). */
  update({ getToken }) {
    if (getToken) this.getToken = getToken;
  }
}

/** Cookie mode: the gh_session cookie goes by itself; the CSRF token goes in the URL. */
export class SessionCredential {
  /**
   * @param {true | (() => any)} csrf true: read the gh_csrf cookie; a function: ask it
   * @param {string} httpUrl
   * @param {import('./environment.js').Environment} env
   */
  constructor(csrf, httpUrl, env) {
    this.mode = 'session';
    this.csrf = csrf;
    this.httpUrl = httpUrl;
    this.env = env;
    /** @type {string | null} the CSRF token of the current or last socket */
    this.token = null;
    /** The CSRF token a refresh issued, and what the source said when it was asked for. */
    this.refreshed = null;
    this.refreshedFrom = null;
  }

  /** The CSRF token the source gives now (the cookie, or the application's function). */
  async fromSource() {
    if (typeof this.csrf === 'function') return (await this.csrf()) || null;
    const cookie = this.env.document ? String(this.env.document.cookie || '') : '';
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === 'gh_csrf') return decodeURIComponent(rest.join('=')) || null;
    }
    return null;
  }

  /**
   * The current CSRF token: a refresh's answer until the source moves on (a new login).
   * @returns {Promise<string | null>}
   */
  async current() {
    const source = await this.fromSource();
    return this.refreshed && source === this.refreshedFrom ? this.refreshed : source;
  }

  /**
   * POST /api/v1/auth/refresh with the current CSRF token (stale or not).
   * @returns {Promise<Prepared & {expiresAt?: string}>}
   */
  async refresh() {
    let source;
    let answer;
    try {
      source = await this.fromSource();
      const csrf = this.refreshed && source === this.refreshedFrom ? this.refreshed : source;
      answer = await fetchJson(this.env.fetch, `${this.httpUrl}/api/v1/auth/refresh`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'X-CSRF-Token': csrf || '' },
      });
    } catch (error) {
      return { kind: 'unavailable', error };
    }
    if (answer.ok && answer.body && answer.body.csrf_token) {
      this.refreshed = answer.body.csrf_token;
      this.refreshedFrom = source;
      return { kind: 'ready', expiresAt: answer.body.expires_at };
    }
    const refusal = parseRefusalBody(answer.body);
    return refusal ? { kind: 'refused', refusal } : { kind: 'unavailable', error: new Error(`HTTP ${answer.status}`) };
  }

  /** @param {{refreshFor?: string | null, force?: boolean}} [why] */
  async prepare({ refreshFor = null, force = false } = {}) {
    if (refreshFor || (force && (await this.current().catch(() => null)))) {
      const refreshed = await this.refresh();
      if (refreshed.kind !== 'ready') return refreshed;
    }
    let csrf;
    try {
      csrf = await this.current();
    } catch (error) {
      return { kind: 'unavailable', error };
    }
    if (!csrf) return { kind: 'idle', code: 'CSRF_TOKEN_MISSING' };
    this.token = csrf;
    return { kind: 'ready' };
  }

  /** @param {string} url @param {string} instance @returns {Upgrade} */
  upgrade(url, instance) {
    return { url: withParams(url, { csrf_token: this.token, instance }), protocols: [SUBPROTOCOL], firstMessage: null };
  }

  /** @param {string} httpUrl @returns {[string, RequestInit]} */
  verifyRequest(httpUrl) {
    return this.apiRequest(`${httpUrl}/api/v1/auth/verify`, 'GET');
  }

  /** A request to the user-facing API with this credential: [url, init] for fetch. */
  apiRequest(url, method) {
    return [url, { method, credentials: 'include', headers: { 'X-CSRF-Token': this.token || '' } }];
  }

  /** `token_expiring` for a session: extend it and keep the new CSRF token. */
  async onExpiring() {
    const refreshed = await this.refresh();
    return refreshed.kind === 'ready' ? refreshed.expiresAt ?? null : null;
  }

  /** The application changed csrf (a newer handle). */
  update({ csrf }) {
    if (csrf !== undefined && csrf !== false) this.csrf = csrf;
  }
}
