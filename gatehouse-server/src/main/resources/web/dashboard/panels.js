// The dashboard's panels below the charts: what each table loads from the HTTP API (as the admin's
// cookie session, api.js), how often, and the admin's actions on them (disconnect, revoke, cancel,
// retry, broadcast). Every failure is shown with its code and hint, next to the table or the action.

import { REFUSAL_CODES } from '/client/refusal-codes.js';
import { api } from './api.js';
import { formatCount } from './format.js';
import { Poller } from './poller.js';
import { renderChannels, renderConnections, renderDead, renderRefusals, renderTasks } from './tables.js';
import { byId, describeError, el, onSubmit, setResult, setText } from './view.js';

/** Rows shown at most per table (the API answers more; the count says how many). */
const SHOWN = 200;
/** Refusals shown (the newest). */
const REFUSALS_SHOWN = 50;

/**
 * @typedef {object} PanelHooks
 * @property {(error: any) => void} onUnauthorized a 401: the session may be over
 * @property {() => string|null} ownConnectionId the dashboard socket's connection id
 */

export class Panels {
  /** @param {PanelHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {import('./tables.js').ConnectionRow[]} the last listing, for the 1 s "connected for" tick */
    this.connections = [];
    this.pollers = {
      connections: new Poller(() => this.loadConnections(), 5000),
      refusals: new Poller(() => this.loadRefusals(), 5000),
      channels: new Poller(() => this.loadChannels(), 5000),
      tasks: new Poller(() => this.loadTasks(), 10000),
      dead: new Poller(() => this.loadDead(), 10000),
    };
  }

  /** Wires the forms (once per page). */
  wire() {
    const codes = /** @type {HTMLSelectElement} */ (byId('filter-code'));
    for (const code of Object.keys(REFUSAL_CODES).sort()) codes.append(el('option', { text: code, attrs: { value: code } }));
    onSubmit('refusal-filters', () => this.pollers.refusals.soon());
    for (const id of ['filter-code', 'filter-since']) byId(id).addEventListener('change', () => this.pollers.refusals.soon());
    onSubmit('broadcast-form', () => this.broadcast());
    byId('broadcast-data').addEventListener('input', () => this.checkJson());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') for (const p of Object.values(this.pollers)) p.soon();
    });
  }

  start() {
    for (const p of Object.values(this.pollers)) p.start();
  }

  stop() {
    for (const p of Object.values(this.pollers)) p.stop();
  }

  /**
   * Runs a load; its failure goes to the panel's result line (a 401 also to onUnauthorized), its
   * success stamps the line's data-loaded-at.
   * @param {string} resultId
   * @param {() => Promise<void>} load
   */
  async guarded(resultId, load) {
    try {
      await load();
      setResult(resultId, 'none', '');
      byId(resultId).dataset.loadedAt = String(Date.now()); // for tests: the table is in step
    } catch (error) {
      setResult(resultId, 'error', describeError(error));
      if (/** @type {any} */ (error)?.status === 401) this.hooks.onUnauthorized(error);
    }
  }

  loadConnections() {
    return this.guarded('connections-result', async () => {
      const body = await api('GET', '/api/v1/connections');
      const rows = [...(body.connections ?? [])].sort((a, b) => String(b.connected_at).localeCompare(String(a.connected_at)));
      this.connections = rows.slice(0, SHOWN);
      setText('connections-count', rows.length > SHOWN ? `(${SHOWN} of ${formatCount(rows.length)})` : `(${formatCount(rows.length)})`);
      byId('connections-empty').hidden = rows.length > 0;
      this.renderConnections();
    });
  }

  /** Rewrites the connections table from the last listing ("connected for" moves each second). */
  renderConnections() {
    const tbody = byId('connections');
    renderConnections(tbody, this.connections, Date.now(), {
      disconnect: (row, code) => this.disconnect(row, code),
      revoke: (row) => this.revoke(row),
    });
    const own = this.hooks.ownConnectionId();
    for (const tr of /** @type {HTMLElement[]} */ ([...tbody.children])) {
      tr.dataset.self = String(own !== null && tr.dataset.connectionId === own);
    }
  }

  loadRefusals() {
    return this.guarded('refusals-result', async () => {
      const code = /** @type {HTMLSelectElement} */ (byId('filter-code')).value;
      const user = /** @type {HTMLInputElement} */ (byId('filter-user')).value.trim();
      const ip = /** @type {HTMLInputElement} */ (byId('filter-ip')).value.trim();
      const window = /** @type {HTMLSelectElement} */ (byId('filter-since')).value;
      const query = new URLSearchParams({ refused: 'true', limit: String(REFUSALS_SHOWN) });
      if (code) query.set('code', code);
      if (user) query.set('user', user);
      if (ip) query.set('ip', ip);
      if (window) query.set('since', new Date(Date.now() - Number(window)).toISOString());
      const body = await api('GET', `/api/v1/access-log?${query}`);
      const refused = body.entries ?? [];
      renderRefusals(byId('refusals'), refused);
      byId('refusals-empty').hidden = refused.length > 0;
    });
  }

  loadChannels() {
    return this.guarded('channels-result', async () => {
      const body = await api('GET', '/api/v1/channels');
      const rows = [...(body.channels ?? [])].sort((a, b) => b.subscribers - a.subscribers || (a.channel < b.channel ? -1 : 1));
      renderChannels(byId('channels'), rows.slice(0, SHOWN));
      setText('channels-count', rows.length > SHOWN ? `(${SHOWN} of ${formatCount(rows.length)})` : `(${formatCount(rows.length)})`);
      byId('channels-empty').hidden = rows.length > 0;
    });
  }

  loadTasks() {
    return this.guarded('tasks-result', async () => {
      const body = await api('GET', '/api/v1/tasks?all=true&limit=20'); // all=true: every owner's, for an admin session
      const rows = body.tasks ?? [];
      renderTasks(byId('tasks'), rows, Date.now(), (t) => this.cancelTask(t));
      byId('tasks-empty').hidden = rows.length > 0;
    });
  }

  loadDead() {
    return this.guarded('dead-result', async () => {
      const body = await api('GET', '/api/v1/hooks/dead');
      const events = body.events ?? [];
      renderDead(byId('dead'), events.slice(0, SHOWN), (e) => this.retry(e));
      setText('dead-count', formatCount(events.length));
      byId('dead-empty').hidden = events.length > 0;
    });
  }

  // ---- actions ----

  /**
   * Runs an admin action and reports it in #action-result; then refreshes what it changed.
   * @param {string} doing
   * @param {() => Promise<string>} action resolves with what to report
   * @param {Poller[]} changes
   */
  async act(doing, action, changes) {
    setResult('action-result', 'pending', `${doing}…`);
    try {
      setResult('action-result', 'ok', await action());
    } catch (error) {
      setResult('action-result', 'error', `${doing} failed: ${describeError(error)}`);
      if (/** @type {any} */ (error)?.status === 401) this.hooks.onUnauthorized(error);
    }
    for (const p of changes) p.soon(250); // the server closes a socket a moment after answering
  }

  /**
   * @param {import('./tables.js').ConnectionRow} row
   * @param {string} code
   */
  disconnect(row, code) {
    const who = row.name || row.user_id;
    return this.act(
      `Disconnecting ${who}`,
      async () => {
        await api('POST', `/api/v1/connections/${encodeURIComponent(row.connection_id)}/disconnect`, { code });
        return `Disconnected ${who} (${row.connection_id}) with ${code}`;
      },
      [this.pollers.connections, this.pollers.channels],
    );
  }

  /** @param {import('./tables.js').ConnectionRow} row */
  revoke(row) {
    const prefix = /** @type {string} */ (row.token_prefix);
    return this.act(
      `Revoking ${prefix} of ${row.user_id}`,
      async () => {
        await api('DELETE', `/api/v1/users/${encodeURIComponent(row.user_id)}/tokens/${encodeURIComponent(prefix)}`);
        return `Revoked ${prefix} of ${row.user_id}; its connections close`;
      },
      [this.pollers.connections, this.pollers.channels],
    );
  }

  /** @param {import('./tables.js').TaskRow} task */
  cancelTask(task) {
    return this.act(
      `Cancelling task ${task.id} of ${task.owner}`,
      async () => {
        const answer = await api('POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/cancel`);
        return answer.status === 'cancel_requested'
          ? `Task ${task.id} of ${task.owner} is cancel_requested; its worker stops at its next step`
          : `Task ${task.id} of ${task.owner} was ${answer.status} already; nothing to cancel`;
      },
      [this.pollers.tasks],
    );
  }

  /** @param {import('./tables.js').DeadEvent} event */
  retry(event) {
    return this.act(
      `Retrying webhook event ${event.id}`,
      async () => {
        await api('POST', `/api/v1/hooks/dead/${encodeURIComponent(event.id)}/retry`);
        return `Webhook event ${event.id} (${event.type}) is queued again`;
      },
      [this.pollers.dead],
    );
  }

  /**
   * Whether the broadcast data is JSON, shown next to its label as the admin types.
   * @returns {{ok: true, data: unknown}|{ok: false, message: string}}
   */
  checkJson() {
    const state = byId('broadcast-json');
    const field = byId('broadcast-data');
    try {
      const data = JSON.parse(/** @type {HTMLTextAreaElement} */ (field).value);
      state.dataset.valid = 'true';
      state.textContent = 'valid JSON';
      field.removeAttribute('aria-invalid');
      return { ok: true, data };
    } catch (error) {
      const message = /** @type {Error} */ (error).message;
      state.dataset.valid = 'false';
      state.textContent = `not JSON: ${message}`;
      field.setAttribute('aria-invalid', 'true');
      return { ok: false, message };
    }
  }

  async broadcast() {
    const channels = /** @type {HTMLInputElement} */ (byId('broadcast-channels')).value.split(/\s+/).filter(Boolean);
    if (channels.length === 0) return setResult('broadcast-result', 'error', 'Enter a channel.');
    const json = this.checkJson();
    if (!json.ok) return setResult('broadcast-result', 'error', `Not sent: the data is not JSON (${json.message})`);
    setResult('broadcast-result', 'pending', 'publishing…');
    try {
      const answer = await api('POST', '/api/v1/broadcast', { channels, data: json.data });
      const done = (answer.publications ?? []).map((/** @type {any} */ p) => `${p.channel} (offset ${p.offset ?? '—'})`);
      setResult('broadcast-result', 'ok', `Published to ${done.join(', ')}`);
    } catch (error) {
      const e = /** @type {any} */ (error);
      const refused = (e?.body?.publications ?? []).filter((/** @type {any} */ p) => p.code).map((/** @type {any} */ p) => `${p.channel}: ${p.code}`);
      setResult('broadcast-result', 'error', `${describeError(e)}${refused.length ? ` (${refused.join(', ')})` : ''}`);
      if (e?.status === 401) this.hooks.onUnauthorized(e);
    }
    this.pollers.channels.soon(250);
  }
}
