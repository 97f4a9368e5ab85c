// The session's CSRF token as both pages read it: the script-readable gh_csrf cookie the server
// sets with the session (gh_session itself is HttpOnly).

/** @returns {string|null} the gh_csrf cookie's value, or null without one */
export function csrfCookie() {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'gh_csrf' && value.join('=')) return decodeURIComponent(value.join('='));
  }
  return null;
}
