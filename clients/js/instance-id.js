// The client instance id (SPEC §7, duplicates): generated once per page load, when this module
// is first imported, and sent as ?instance= on every upgrade. Never stored (sessionStorage is
// copied when a tab is duplicated, which would make two tabs one instance).

/** @returns {string} a random id of 1-64 of A-Z a-z 0-9 _ . : - */
function generate() {
  const c = /** @type {any} */ (globalThis).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** This page's instance id: the same for every connection and reconnect of this page load. */
export const INSTANCE_ID = generate();
