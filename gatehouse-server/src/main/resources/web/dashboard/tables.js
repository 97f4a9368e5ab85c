// The dashboard's tables: live connections (with Disconnect and Revoke), refusals from the access
// log, channels, tasks (with Cancel) and dead webhook events (with Retry). Each function brings
// its <tbody> in step with the rows the HTTP API answered (view.js syncRows), writing text only.
//
// Row hooks for browser tests: tr[data-testid=connection][data-connection-id][data-user] with
// select[data-testid=disconnect-code], button[data-testid=disconnect], button[data-testid=revoke];
// tr[data-testid=refusal][data-code][data-time] with td[data-col=code], td[data-col=hint];
// tr[data-testid=channel][data-channel]; tr[data-testid=task][data-task-id] with
// button[data-testid=cancel-task] (hidden unless the task is running);
// tr[data-testid=dead-event][data-event-id] with button[data-testid=retry].

import { REFUSAL_CODES } from '/client/refusal-codes.js';
import { formatCount, formatTime, shortList, since } from './format.js';
import { el, syncRows } from './view.js';

/** The close code a Disconnect uses unless another is chosen. */
export const DEFAULT_DISCONNECT_CODE = 'DISCONNECTED';

/**
 * @typedef {{connection_id: string, user_id: string, name?: string, client_ip?: string, origin?: string|null,
 *   method?: string, connected_at?: string, subscriptions?: string[], channels?: string[], token_prefix?: string|null}} ConnectionRow
 * @typedef {{time: string, client_ip?: string, origin?: string|null, user_agent?: string|null, user_id?: string|null,
 *   method?: string|null, outcome: string, code?: string, hint?: string}} AccessRow
 * @typedef {{channel: string, subscribers: number, presence?: number|null, offset?: number|null, epoch?: string|null}} ChannelRow
 * @typedef {{id: string, owner: string, kind: string, title: string, status: string, done: number,
 *   total: number|null, message?: string|null, updated_at?: string}} TaskRow
 * @typedef {{id: string, type: string, created_at: string, attempts: number, last_error?: string|null}} DeadEvent
 */

/**
 * A refusal code's documented hint (the client's table, written by the server from RefusalCode).
 * @param {string} code
 * @returns {string}
 */
export function hintOf(code) {
  return REFUSAL_CODES[code]?.hint ?? '';
}

/**
 * A <select> of every refusal code, DISCONNECTED first, each with its close code and hint.
 * @returns {HTMLSelectElement}
 */
export function closeCodeSelect() {
  const select = /** @type {HTMLSelectElement} */ (el('select', { attrs: { 'data-testid': 'disconnect-code', 'aria-label': 'Close with code' } }));
  const names = Object.keys(REFUSAL_CODES).filter((c) => c !== DEFAULT_DISCONNECT_CODE).sort();
  for (const code of [DEFAULT_DISCONNECT_CODE, ...names]) {
    const entry = REFUSAL_CODES[code];
    const option = el('option', { text: `${code} (${entry.close})`, attrs: { value: code, title: entry.hint } });
    select.append(option);
  }
  select.value = DEFAULT_DISCONNECT_CODE;
  return select;
}

/**
 * @param {HTMLElement} tbody
 * @param {ConnectionRow[]} rows
 * @param {number} now epoch ms, for "connected for"
 * @param {{disconnect: (row: ConnectionRow, code: string) => void, revoke: (row: ConnectionRow) => void}} actions
 */
export function renderConnections(tbody, rows, now, actions) {
  syncRows(
    tbody,
    rows,
    (r) => r.connection_id,
    [
      { name: 'user', build: (r) => el('span', {}, [el('strong', { text: r.name || r.user_id }), el('small', { className: 'muted block', text: r.user_id })]) },
      { name: 'ip', text: (r) => r.client_ip ?? '—' },
      { name: 'origin', text: (r) => r.origin || '—' },
      { name: 'method', text: (r) => r.method ?? '—' },
      { name: 'for', text: (r) => since(r.connected_at, now) },
      { name: 'subscriptions', text: (r) => shortList(r.subscriptions ?? r.channels ?? []) },
      {
        name: 'actions',
        build: (r) => {
          const select = closeCodeSelect();
          const disconnect = el('button', { text: 'Disconnect', attrs: { type: 'button', 'data-testid': 'disconnect', class: 'small danger' } });
          disconnect.addEventListener('click', () => actions.disconnect(r, select.value));
          const children = [select, disconnect];
          if (r.token_prefix) {
            const revoke = el('button', {
              text: 'Revoke token',
              attrs: { type: 'button', 'data-testid': 'revoke', class: 'small', title: `Revoke ${r.token_prefix}… of ${r.user_id}` },
            });
            revoke.addEventListener('click', () => actions.revoke(r));
            children.push(revoke);
          }
          return el('span', { className: 'row-actions' }, children);
        },
      },
    ],
    (tr, r) => {
      tr.dataset.testid = 'connection';
      tr.dataset.connectionId = r.connection_id;
      tr.dataset.user = r.user_id;
      const full = (r.subscriptions ?? r.channels ?? []).join(', ');
      /** @type {HTMLElement} */ (tr.children[5]).title = full;
    },
  );
}

/**
 * @param {AccessRow} r
 * @returns {string} the refusal code of a refused row
 */
function codeOf(r) {
  return r.code ?? r.outcome;
}

/**
 * @param {HTMLElement} tbody
 * @param {AccessRow[]} rows refused rows, newest first
 */
export function renderRefusals(tbody, rows) {
  // Rows have no id: time, connection and outcome together tell them apart; the index keeps
  // two identical attempts in one millisecond apart.
  const keyed = rows.map((r, i) => ({ r, key: `${r.time}|${r.client_ip}|${codeOf(r)}|${r.user_id}|${r.origin}|${i}` }));
  syncRows(
    tbody,
    keyed,
    (k) => k.key,
    [
      { name: 'time', text: (k) => formatTime(k.r.time) },
      { name: 'code', build: (k) => el('span', { className: 'code-badge', text: codeOf(k.r) }) },
      { name: 'hint', text: (k) => k.r.hint || hintOf(codeOf(k.r)) },
      { name: 'user', text: (k) => k.r.user_id ?? '—' },
      { name: 'ip', text: (k) => k.r.client_ip ?? '—' },
      { name: 'origin', text: (k) => k.r.origin || '—' },
      { name: 'method', text: (k) => k.r.method ?? '—' },
    ],
    (tr, k) => {
      tr.dataset.testid = 'refusal';
      tr.dataset.code = codeOf(k.r);
      tr.dataset.time = k.r.time;
      /** @type {HTMLElement} */ (tr.children[6]).title = k.r.user_agent ?? '';
    },
  );
}

/**
 * @param {HTMLElement} tbody
 * @param {ChannelRow[]} rows
 */
export function renderChannels(tbody, rows) {
  syncRows(
    tbody,
    rows,
    (r) => r.channel,
    [
      { name: 'channel', text: (r) => r.channel },
      { name: 'subscribers', text: (r) => formatCount(r.subscribers) },
      { name: 'presence', text: (r) => (r.presence === null || r.presence === undefined ? '—' : formatCount(r.presence)) },
      { name: 'offset', text: (r) => (r.offset === null || r.offset === undefined ? '—' : formatCount(r.offset)) },
      { name: 'epoch', text: (r) => r.epoch ?? '—' },
    ],
    (tr, r) => {
      tr.dataset.testid = 'channel';
      tr.dataset.channel = r.channel;
    },
  );
}

/**
 * @param {TaskRow} t
 * @returns {string} "40 / 100 (40 %)", or the count done without a total
 */
function progressOf(t) {
  if (t.total === null || t.total === undefined) return formatCount(t.done);
  const share = t.total > 0 ? ` (${Math.floor((t.done / t.total) * 100)} %)` : '';
  return `${formatCount(t.done)} / ${formatCount(t.total)}${share}`;
}

/** Statuses a cancel can still change (not cancel_requested: it was asked already). */
const CANCELLABLE = new Set(['running']);

/**
 * @param {HTMLElement} tbody
 * @param {TaskRow[]} rows newest first
 * @param {number} now epoch ms
 * @param {(task: TaskRow) => Promise<void>} cancel
 */
export function renderTasks(tbody, rows, now, cancel) {
  syncRows(
    tbody,
    rows,
    (t) => t.id,
    [
      { name: 'title', build: (t) => el('span', {}, [el('strong', { text: t.title }), el('small', { className: 'muted block', text: t.kind })]) },
      { name: 'owner', text: (t) => t.owner },
      { name: 'status', build: () => el('span', { className: 'status-badge' }), update: (cell, t) => {
        const badge = /** @type {HTMLElement} */ (cell.firstChild);
        badge.textContent = t.status;
        badge.dataset.status = t.status;
      } },
      { name: 'progress', text: (t) => progressOf(t) },
      { name: 'message', text: (t) => t.message ?? '' },
      { name: 'updated', text: (t) => (t.updated_at ? `${since(t.updated_at, now)} ago` : '—') },
      {
        name: 'actions',
        build: (t) => {
          const button = el('button', { text: 'Cancel', attrs: { type: 'button', class: 'small danger', 'data-testid': 'cancel-task' } });
          button.addEventListener('click', () => {
            button.disabled = true; // one request at a time: a double click is one cancel
            Promise.resolve(cancel(t)).finally(() => {
              button.disabled = false;
            });
          });
          return button;
        },
        update: (cell, t) => {
          /** @type {HTMLElement} */ (cell.firstChild).hidden = !CANCELLABLE.has(t.status);
        },
      },
    ],
    (tr, t) => {
      tr.dataset.testid = 'task';
      tr.dataset.taskId = t.id;
    },
  );
}

/**
 * @param {HTMLElement} tbody
 * @param {DeadEvent[]} rows
 * @param {(event: DeadEvent) => void} retry
 */
export function renderDead(tbody, rows, retry) {
  syncRows(
    tbody,
    rows,
    (e) => e.id,
    [
      { name: 'type', text: (e) => e.type },
      { name: 'created', text: (e) => formatTime(e.created_at) },
      { name: 'attempts', text: (e) => formatCount(e.attempts) },
      { name: 'error', text: (e) => e.last_error ?? '' },
      {
        name: 'actions',
        build: (e) => {
          const button = el('button', { text: 'Retry', attrs: { type: 'button', class: 'small', 'data-testid': 'retry' } });
          button.addEventListener('click', () => retry(e));
          return button;
        },
      },
    ],
    (tr, e) => {
      tr.dataset.testid = 'dead-event';
      tr.dataset.eventId = e.id;
    },
  );
}
