// The long-running tasks of the connection's user (docs/protocol.md, "Tasks"): the server pushes
// every change as task_progress (and, right after connection_established, the current state of
// each unfinished task), so a page shows the right progress bar after a reload or a reconnect.
// Tasks keeps the newest state per task and hands each change to the page's listeners.

import { safeCall } from './safe-call.js';

/** A task's statuses after which nothing changes any more. */
export const FINISHED = Object.freeze(['cancelled', 'completed', 'failed']);

/** How many tasks are remembered for late listeners (the oldest are forgotten first). */
export const REMEMBERED = 500;

/** How many of the user's newest tasks the recheck after a reconnect lists in one call. */
export const RECHECK_PAGE = 100;

/** How many remembered unfinished tasks not in that list are then asked for one by one. */
export const RECHECKED_ONE_BY_ONE = 20;

/**
 * @typedef {object} Task
 * @property {string} id
 * @property {string} owner
 * @property {string} kind
 * @property {string} title
 * @property {'running' | 'cancel_requested' | 'cancelled' | 'completed' | 'failed'} status
 * @property {number} done
 * @property {number | null} total
 * @property {string | null} message
 * @property {any} [result]
 * @property {string} updated_at
 */

/** The newest state of each task of this connection's user, and who listens to them. */
export class Tasks {
  constructor() {
    /** @type {Map<string, Task>} */
    this.latest = new Map();
    /** @type {Set<(task: Task) => void>} */
    this.listeners = new Set();
  }

  /** A task_progress arrived: remember it and tell every listener. @param {Task} task */
  onProgress(task) {
    if (!task || typeof task.id !== 'string') return;
    this.latest.delete(task.id); // re-inserted: the map's order is the order of the last change
    this.latest.set(task.id, task);
    if (this.latest.size > REMEMBERED) this.latest.delete(this.latest.keys().next().value);
    for (const listener of [...this.listeners]) safeCall(listener, task);
  }

  /**
   * After a reconnect: the catch-up names only tasks still unfinished, so a remembered task that
   * finished while the socket was down would keep its old state. One list call first
   * (`GET /api/v1/tasks?limit=100`, the user's newest tasks): each remembered unfinished task it
   * shows finished has its final state handed on. Only remembered unfinished tasks not in that
   * page are then asked one by one (`GET /api/v1/tasks/{id}`), at most RECHECKED_ONE_BY_ONE of
   * them, least recently changed or asked first: a finished one is handed on, one that is gone
   * (pruned, 404) is forgotten, the rest wait for the next reconnect. Failures are left for the
   * next reconnect (a failed list call asks nothing more).
   * @param {(path: string) => Promise<{status: number, body: any}>} get a GET of the user-facing API
   */
  async recheckUnfinished(get) {
    const unfinished = [...this.latest.values()].filter((t) => !FINISHED.includes(t.status));
    if (unfinished.length === 0) return;
    const listed = new Set();
    try {
      const answer = await get(`/api/v1/tasks?limit=${RECHECK_PAGE}`);
      if (answer.status !== 200 || !Array.isArray(answer.body?.tasks)) return;
      for (const task of answer.body.tasks) {
        if (!task || typeof task.id !== 'string') continue;
        listed.add(task.id);
        if (FINISHED.includes(task.status) && this.isUnfinished(task.id)) this.onProgress(task);
      }
    } catch {
      return; // the network or the server: the next reconnect asks again
    }
    const rest = unfinished.filter((t) => !listed.has(t.id)).slice(0, RECHECKED_ONE_BY_ONE);
    for (const task of rest) {
      try {
        const answer = await get(`/api/v1/tasks/${encodeURIComponent(task.id)}`);
        if (answer.status === 404) this.latest.delete(task.id);
        else if (answer.status === 200 && FINISHED.includes(answer.body?.status)) this.onProgress(answer.body);
        else if (this.isUnfinished(task.id)) this.requeue(task.id);
      } catch {
        // the network or the server: the next reconnect asks again
      }
    }
  }

  /** @param {string} id @returns {boolean} remembered and not finished */
  isUnfinished(id) {
    const task = this.latest.get(id);
    return task !== undefined && !FINISHED.includes(task.status);
  }

  /** Moves a task behind the others unheard (the next recheck asks the others first). @param {string} id */
  requeue(id) {
    const task = this.latest.get(id);
    this.latest.delete(id);
    this.latest.set(id, task);
  }

  /**
   * Listens to every change; first hands over the unfinished tasks already known, so a component
   * mounted after the catch-up still shows them.
   * @param {(task: Task) => void} listener
   * @returns {() => void} stops listening
   */
  listen(listener) {
    this.listeners.add(listener);
    for (const task of this.latest.values()) {
      if (!FINISHED.includes(task.status)) safeCall(listener, task);
    }
    return () => this.listeners.delete(listener);
  }
}

/**
 * `gh.tasks`: one handle's view of the tasks (its listeners end with `gh.close()`).
 */
export class TasksHandle {
  /**
   * @param {any} connection the page's connection
   * @param {(message: Record<string, any>) => Promise<any>} request the handle's request function
   * @param {(code: string, hint: string) => Error} requestError
   */
  constructor(connection, request, requestError) {
    this.connection = connection;
    this.request = request;
    this.requestError = requestError;
    /** @type {Set<() => void>} */
    this.stops = new Set();
  }

  /**
   * Calls `listener(task)` on every change of a task of this user, starting with the unfinished
   * tasks already known (the server sends them right after each connect).
   * @param {(task: Task) => void} listener
   * @returns {() => void} stops listening
   */
  onProgress(listener) {
    const stopListening = this.connection.tasks.listen(listener);
    const stop = () => {
      stopListening();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    return stop;
  }

  /**
   * The user's tasks, newest first (`GET /api/v1/tasks` with this connection's credential).
   * @param {{status?: string, kind?: string, limit?: number, cursor?: string}} [query]
   * @returns {Promise<{tasks: Task[], next_cursor?: string | null}>}
   */
  async list(query = {}) {
    const credential = this.connection.credential;
    if (!credential.token) throw this.requestError('NOT_CONNECTED', 'No credential yet: connect first');
    const url = new URL(`${this.connection.httpUrl}/api/v1/tasks`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const response = await this.connection.env.fetch(...credential.apiRequest(url.toString(), 'GET'));
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw this.requestError(body?.code ?? 'INTERNAL_ERROR', body?.hint ?? `HTTP ${response.status}`);
    }
    return body;
  }

  /**
   * Asks the server to cancel the task (`cancel_task`); resolves with the task, now
   * `cancel_requested`; rejects with NOT_FOUND for a task that is not this user's.
   * @param {string} id
   * @returns {Promise<Task>}
   */
  cancel(id) {
    return this.request({ type: 'cancel_task', task_id: id }).then((reply) => reply.task);
  }

  /** The handle closed: its listeners stop. */
  close() {
    for (const stop of [...this.stops]) stop();
  }
}
