// The dashboard's DOM pieces: lookups, text, results, and tables kept in step with data by key.
// Text content only: nothing the server or a client sends (user names, channel names, origins,
// hints) is ever parsed as HTML, so none of it can inject markup.

import { byId } from '../pages/dom.js';
export { byId, setResult, setText } from '../pages/dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An error as the page shows it: its code and hint ("PERMISSION_DENIED — Not allowed ...").
 * @param {any} error an ApiError, a client GatehouseError, or anything thrown
 * @returns {string}
 */
export function describeError(error) {
  if (error && typeof error.code === 'string') return error.hint ? `${error.code} — ${error.hint}` : error.code;
  return String(error?.message ?? error);
}

/**
 * A new element with a class, text and attributes.
 * @param {string} tag
 * @param {{className?: string, text?: string, attrs?: Record<string, string>}} [options]
 * @param {Node[]} [children]
 * @returns {HTMLElement}
 */
export function el(tag, { className, text, attrs } = {}, children = []) {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text !== undefined) created.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) created.setAttribute(name, value);
  created.append(...children);
  return created;
}

/**
 * A new SVG element with attributes.
 * @param {string} tag
 * @param {Record<string, string|number>} [attrs]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}) {
  const created = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [name, value] of Object.entries(attrs)) created.setAttribute(name, String(value));
  return created;
}

/**
 * Runs `fn` on a click of #id.
 * @param {string} id
 * @param {() => void} fn
 */
export function onClick(id, fn) {
  byId(id).addEventListener('click', () => fn());
}

/**
 * Runs `fn` on a submit of the form #id, never letting the browser submit it (the page's CSP
 * has form-action 'none').
 * @param {string} id
 * @param {() => void} fn
 */
export function onSubmit(id, fn) {
  byId(id).addEventListener('submit', (event) => {
    event.preventDefault();
    fn();
  });
}

/**
 * @template T
 * @typedef {object} Column
 * @property {string} name the column's data-col (and the CSS hook)
 * @property {(item: T) => string} [text] a text cell, rewritten when it changes
 * @property {(item: T) => Node} [build] a cell built once, when the row appears (controls keep
 *   their state across refreshes: a chosen close code is not reset every few seconds)
 * @property {(cell: HTMLElement, item: T) => void} [update] runs on every refresh of a built cell
 */

/**
 * Makes `tbody` show `items` in order, one row per key: rows of keys no longer listed go, new
 * ones are built, existing ones get their text cells rewritten.
 * @template T
 * @param {HTMLElement} tbody
 * @param {T[]} items
 * @param {(item: T) => string} keyOf
 * @param {Column<T>[]} columns
 * @param {(row: HTMLElement, item: T) => void} [decorate] sets the row's data-* hooks
 */
export function syncRows(tbody, items, keyOf, columns, decorate) {
  /** @type {Map<string, HTMLElement>} */
  const existing = new Map();
  for (const row of /** @type {HTMLElement[]} */ ([...tbody.children])) existing.set(row.dataset.key ?? '', row);
  /** @type {HTMLElement[]} */
  const rows = [];
  for (const item of items) {
    const key = keyOf(item);
    let row = existing.get(key);
    existing.delete(key);
    if (!row) {
      row = el('tr', { attrs: { 'data-key': key } });
      for (const column of columns) {
        const cell = el('td', { attrs: { 'data-col': column.name } });
        if (column.build) cell.append(column.build(item));
        row.append(cell);
      }
    }
    columns.forEach((column, i) => {
      const cell = /** @type {HTMLElement} */ (row.children[i]);
      if (column.text) {
        const text = column.text(item);
        if (cell.textContent !== text) cell.textContent = text;
      }
      if (column.update) column.update(cell, item);
    });
    if (decorate) decorate(row, item);
    rows.push(row);
  }
  for (const gone of existing.values()) gone.remove();
  rows.forEach((row, i) => {
    if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] ?? null);
  });
}
