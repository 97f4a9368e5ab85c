// The connection test page's view pieces: masking, formatting, the message log and the
// subscription list. Text content only: nothing the server or the user sends is ever parsed
// as HTML (only textContent and created elements), so a channel name or a message cannot
// inject markup.

import { byId } from '../pages/dom.js';
export { byId, setResult, setText } from '../pages/dom.js';

/** Entries the log keeps; the oldest go first. */
export const LOG_LIMIT = 200;

/** Characters of a message's data shown in the log before it is cut. */
const DATA_SHOWN = 500;

/**
 * A secret as it may be shown: its first 4 characters, an ellipsis and its length, never the
 * whole value (SPEC §8: no page or log shows a whole token or CSRF token).
 * @param {string|null|undefined} secret
 * @returns {string}
 */
export function mask(secret) {
  if (!secret) return 'none';
  const head = secret.length > 12 ? secret.slice(0, 4) : '';
  return `${head}… (${secret.length} chars)`;
}

/**
 * @param {Date} date
 * @returns {string} HH:MM:SS.mmm local time
 */
export function clock(date) {
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * The time left until `expiresAt`, as "1h 02m 03s", "4m 05s", "9s" or "expired".
 * @param {Date|null|undefined} expiresAt
 * @param {number} now epoch ms
 * @returns {string}
 */
export function countdown(expiresAt, now) {
  if (!expiresAt) return '—';
  const left = Math.floor((expiresAt.getTime() - now) / 1000);
  if (left <= 0) return 'expired';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/**
 * A value as compact JSON text, cut to a readable length.
 * @param {unknown} data
 * @returns {string}
 */
export function shown(data) {
  let text;
  try {
    text = JSON.stringify(data);
  } catch {
    text = String(data);
  }
  if (text === undefined) text = String(data);
  return text.length > DATA_SHOWN ? `${text.slice(0, DATA_SHOWN)}…` : text;
}

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} [text]
 * @returns {HTMLElement}
 */
function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * @typedef {object} LogEntry
 * @property {'message'|'state'|'refusal'|'info'|'error'} kind
 * @property {string} text
 * @property {string} [channel]
 * @property {number|string} [offset]
 */

/** The message log: newest first, at most {@link LOG_LIMIT} entries. */
export class Log {
  /** @param {HTMLElement} list an <ol> */
  constructor(list) {
    this.list = list;
  }

  /** @param {LogEntry} entry */
  add(entry) {
    const li = element('li', `log-entry log-${entry.kind}`);
    li.dataset.kind = entry.kind;
    li.append(element('time', 'log-time', clock(new Date())));
    li.append(element('span', 'log-kind', entry.kind));
    if (entry.channel !== undefined) {
      li.dataset.channel = entry.channel;
      li.append(element('span', 'log-channel', entry.channel));
    }
    if (entry.offset !== undefined && entry.offset !== null) {
      li.dataset.offset = String(entry.offset);
      li.append(element('span', 'log-offset', `#${entry.offset}`));
    }
    li.append(element('span', 'log-text', entry.text));
    this.list.prepend(li);
    while (this.list.children.length > LOG_LIMIT) {
      this.list.lastElementChild?.remove();
    }
  }

  clear() {
    this.list.replaceChildren();
  }
}

/**
 * One row of the subscription list: `li[data-testid=subscription][data-channel=NAME]` with
 * fields `[data-testid=sub-status|sub-recovered|sub-offset|sub-epoch|sub-received]` and a
 * `button[data-testid=unsubscribe]`.
 */
export class SubscriptionRow {
  /**
   * @param {string} channel
   * @param {() => void} onRemove called by the row's button
   */
  constructor(channel, onRemove) {
    this.li = element('li', 'subscription');
    this.li.dataset.testid = 'subscription';
    this.li.dataset.channel = channel;
    this.li.dataset.status = 'pending';
    /** @type {Record<string, HTMLElement>} */
    this.fields = {};
    const head = element('div', 'sub-head');
    head.append(element('span', 'sub-channel mono', channel));
    this.fields.status = element('span', 'sub-status', 'subscribing…');
    this.fields.status.dataset.testid = 'sub-status';
    head.append(this.fields.status);
    this.button = element('button', 'small', 'Unsubscribe');
    this.button.type = 'button';
    this.button.dataset.testid = 'unsubscribe';
    this.button.addEventListener('click', onRemove);
    head.append(this.button);
    this.li.append(head);
    const facts = element('div', 'sub-facts muted');
    for (const [name, label] of [
      ['recovered', 'recovered'],
      ['offset', 'offset'],
      ['epoch', 'epoch'],
      ['received', 'received'],
    ]) {
      const wrap = element('span', 'sub-fact', `${label} `);
      this.fields[name] = element('span', 'mono', name === 'received' ? '0' : '—');
      this.fields[name].dataset.testid = `sub-${name}`;
      wrap.append(this.fields[name]);
      facts.append(wrap);
    }
    this.li.append(facts);
    this.received = 0;
  }

  /** Waiting for the server's answer (or for a connection). */
  pending() {
    this.li.dataset.status = 'pending';
    this.fields.status.textContent = 'subscribing…';
    this.button.textContent = 'Unsubscribe';
  }

  /** The handle it belonged to was closed: it subscribes again on the next Connect. */
  inactive() {
    this.li.dataset.status = 'inactive';
    this.fields.status.textContent = 'inactive (not connected)';
  }

  /** @param {{recovered: boolean, offset: number, epoch: string}} info */
  subscribed(info) {
    this.li.dataset.status = 'subscribed';
    this.fields.status.textContent = 'subscribed';
    this.fields.recovered.textContent = String(info.recovered);
    this.fields.offset.textContent = info.offset == null ? '—' : String(info.offset);
    this.fields.epoch.textContent = info.epoch == null ? '—' : String(info.epoch);
  }

  /** @param {number|undefined} offset */
  message(offset) {
    this.received += 1;
    this.fields.received.textContent = String(this.received);
    if (offset !== undefined && offset !== null) this.fields.offset.textContent = String(offset);
  }

  /**
   * The server refused or ended the subscription: it stays listed with the code until removed.
   * @param {string} code
   * @param {string} [message]
   */
  refused(code, message) {
    this.li.dataset.status = 'refused';
    this.fields.status.textContent = message ? `${code}: ${message}` : code;
    this.button.textContent = 'Remove';
  }
}

/** @param {Date|string|number|undefined} at */
export function timeOf(at) {
  if (at === undefined || at === null) return '';
  const d = at instanceof Date ? at : new Date(at);
  return Number.isNaN(d.getTime()) ? '' : `at ${d.toLocaleTimeString()}`;
}
/**
 * Shows an identifier in a monospace font, or a dash in the text font when there is none.
 * @param {string} id
 * @param {string|null|undefined} value
 */
export function setId(id, value) {
  const el = byId(id);
  el.textContent = value ?? '—';
  el.dataset.empty = String(value == null);
}
/**
 * Runs `action` on submit without ever submitting the form (the CSP has form-action 'none').
 * @param {string} id
 * @param {() => unknown} action
 */
export function onSubmit(id, action) {
  byId(id).addEventListener('submit', (event) => {
    event.preventDefault();
    action();
  });
}

/** @param {string} id @param {() => unknown} action */
export function onClick(id, action) {
  byId(id).addEventListener('click', action);
}

/** @returns {'token'|'cookie'} */
export function mode() {
  return /** @type {HTMLInputElement} */ (byId('mode-cookie')).checked ? 'cookie' : 'token';
}

/** Shows the form of the chosen credential mode. */
export function showMode() {
  const cookie = mode() === 'cookie';
  byId('token-form').hidden = cookie;
  byId('login-form').hidden = !cookie;
}
