// Masking for debug output: a token or CSRF value is never printed whole, only its first four
// characters then '…', enough to tell two apart in a log.

const KEEP = 4;

/** @param {string} secret @returns {string} */
export function maskValue(secret) {
  const s = String(secret);
  return s.length <= KEEP ? '…' : s.slice(0, KEEP) + '…';
}

// JWTs (three base64url parts), opaque ght_ tokens, the bearer subprotocol, and the values of
// token=, csrf_token= and "token":/"csrf_token": in URLs, bodies and frames.
const PATTERNS = [
  /(gatehouse\.bearer\.)([^\s,'"]+)/g,
  /([?&](?:token|csrf_token)=)([^&#\s'"]+)/g,
  /("(?:token|csrf_token)"\s*:\s*")([^"]*)/g,
  /((?:X-CSRF-Token|Authorization:\s*Bearer)[:\s]+)([^\s,'"]+)/gi,
];
const BARE = [
  /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g,
  /\bght_[A-Za-z0-9_-]+/g,
];

/**
 * `text` with every token and CSRF value in it cut to its first four characters and '…'.
 * Arrays (a subprotocol list) are masked element by element and joined with ', '.
 * @param {string | string[] | null | undefined} text
 * @returns {string}
 */
export function mask(text) {
  if (text == null) return '';
  if (Array.isArray(text)) return text.map((t) => mask(t)).join(', ');
  let out = String(text);
  for (const p of PATTERNS) out = out.replace(p, (_, head, value) => head + maskValue(value));
  for (const p of BARE) out = out.replace(p, (value) => maskValue(value));
  return out;
}
