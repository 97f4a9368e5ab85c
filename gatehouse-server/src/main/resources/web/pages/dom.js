// What both pages (the dashboard and the connection test page) do with their elements: find one by
// id, set its text, show an outcome. Text content only: nothing a server or a client sends is ever
// parsed as HTML.

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page: no element #${id}`);
  return found;
}

/**
 * Sets an element's text (never its HTML); an unchanged text is not written again.
 * @param {string} id
 * @param {string} text
 */
export function setText(id, text) {
  const target = byId(id);
  if (target.textContent !== text) target.textContent = text;
}

/**
 * Shows an outcome: its text, and data-outcome ok|error|pending|none for the colour and for tests.
 * @param {string} id
 * @param {'ok'|'error'|'pending'|'none'} outcome
 * @param {string} text
 */
export function setResult(id, outcome, text) {
  const target = byId(id);
  target.dataset.outcome = outcome;
  target.textContent = text;
}
