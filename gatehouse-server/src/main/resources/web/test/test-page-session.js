// The connection test page's cookie session: POST /api/v1/auth/login and /auth/logout on this
// page's own server (same origin, so the browser sends and keeps gh_session by itself). The
// session and CSRF tokens are never shown whole (the page masks them).

/**
 * @typedef {{ok: true, user: {id: string, name?: string, roles?: string[]}|null, csrfToken: string|null, expiresAt: string|null}
 *   | {ok: false, text: string}} LoginOutcome
 */

/**
 * A refusal body `{code, hint}` as one line, or the HTTP status when the body has none.
 * @param {Response} response
 * @returns {Promise<string>}
 */
async function refusalOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // no JSON body: the status says it
  }
  const { code, hint } = /** @type {{code?: string, hint?: string}} */ (body);
  return `${code ?? `HTTP ${response.status}`}${hint ? ` — ${hint}` : ''}`;
}

/**
 * Logs in; the server sets gh_session (HttpOnly) and gh_csrf and returns the CSRF token.
 * @param {string} username
 * @param {string} password
 * @returns {Promise<LoginOutcome>}
 */
export async function logIn(username, password) {
  const response = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) return { ok: false, text: await refusalOf(response) };
  const body = await response.json();
  return { ok: true, user: body.user ?? null, csrfToken: body.csrf_token ?? null, expiresAt: body.expires_at ?? null };
}

/**
 * Logs out (the server revokes the session and closes its live connections).
 * @param {string|null} csrf the session's CSRF token, sent as X-CSRF-Token
 * @returns {Promise<{ok: boolean, text: string}>}
 */
export async function logOut(csrf) {
  const response = await fetch('/api/v1/auth/logout', {
    method: 'POST',
    headers: csrf ? { 'X-CSRF-Token': csrf } : {},
  });
  return response.ok ? { ok: true, text: 'logged out' } : { ok: false, text: await refusalOf(response) };
}
