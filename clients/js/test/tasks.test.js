import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINISHED, RECHECK_PAGE, RECHECKED_ONE_BY_ONE, REMEMBERED, Tasks } from '../tasks.js';
import { flush, recorder, setup, tokens } from './fakes.js';

const task = (id, status = 'running', done = 0) => ({ id, owner: 'alice', kind: 'import', title: id, status, done, total: 10, message: null, updated_at: `2030-01-01T00:00:0${done}Z` });

async function connected() {
  const page = setup();
  const rec = recorder();
  const gh = page.connect({ getToken: tokens('tok-1'), ...rec });
  await flush();
  page.socket.establish();
  return { page, gh };
}

test('every task_progress reaches every onProgress listener, in order', async () => {
  const { page, gh } = await connected();
  const seen = [];
  gh.tasks.onProgress((t) => seen.push(`${t.id}:${t.done}`));
  page.socket.receive({ type: 'task_progress', task: task('t1', 'running', 1) });
  page.socket.receive({ type: 'task_progress', task: task('t1', 'running', 2) });
  page.socket.receive({ type: 'task_progress', task: task('t2', 'completed', 9) });
  assert.deepEqual(seen, ['t1:1', 't1:2', 't2:9']);
  gh.close();
});

test('a listener added after the catch-up first gets the unfinished tasks already known', async () => {
  const { page, gh } = await connected();
  page.socket.receive({ type: 'task_progress', task: task('t1', 'running', 3) });
  page.socket.receive({ type: 'task_progress', task: task('t2', 'failed', 1) });
  page.socket.receive({ type: 'task_progress', task: task('t3', 'cancel_requested', 2) });
  const seen = [];
  gh.tasks.onProgress((t) => seen.push(`${t.id}:${t.status}`));
  assert.deepEqual(seen, ['t1:running', 't3:cancel_requested']);
  gh.close();
});

test('cancel sends cancel_task and resolves with the task; NOT_FOUND rejects with the code', async () => {
  const { page, gh } = await connected();
  const s = page.socket;
  const cancelled = gh.tasks.cancel('t1');
  assert.equal(s.last('cancel_task').task_id, 't1');
  s.receive({ type: 'task_progress', id: s.last('cancel_task').id, task: task('t1', 'cancel_requested', 4) });
  assert.equal((await cancelled).status, 'cancel_requested');
  const missing = gh.tasks.cancel('other-users-task');
  s.receive({ type: 'error', id: s.last('cancel_task').id, code: 'NOT_FOUND', message: 'No such task' });
  await assert.rejects(missing, (e) => e.code === 'NOT_FOUND');
  gh.close();
});

test('list asks GET /api/v1/tasks with the connection credential and the query', async () => {
  const { page, gh } = await connected();
  page.fetch.respond = () => ({ status: 200, body: { tasks: [task('t1')], next_cursor: null } });
  const listed = await gh.tasks.list({ status: 'running', limit: 20 });
  assert.deepEqual(listed.tasks.map((t) => t.id), ['t1']);
  const call = page.fetch.calls.at(-1);
  assert.match(call.url, /\/api\/v1\/tasks\?status=running&limit=20$/);
  assert.equal(call.init.headers.Authorization, 'Bearer tok-1');
  page.fetch.respond = () => ({ status: 401, body: { code: 'TOKEN_EXPIRED', hint: 'refresh' } });
  await assert.rejects(gh.tasks.list(), (e) => e.code === 'TOKEN_EXPIRED');
  gh.close();
});

test('close stops the handle listeners; another handle of the page keeps its own', async () => {
  const { page, gh } = await connected();
  const other = page.connect({ getToken: tokens('tok-1') });
  const mine = [];
  const theirs = [];
  gh.tasks.onProgress((t) => mine.push(t.id));
  other.tasks.onProgress((t) => theirs.push(t.id));
  gh.close();
  page.socket.receive({ type: 'task_progress', task: task('t9') });
  assert.deepEqual(mine, []);
  assert.deepEqual(theirs, ['t9']);
  other.close();
});

test('only the newest REMEMBERED tasks are kept for late listeners', () => {
  const tasks = new Tasks();
  for (let i = 0; i < REMEMBERED + 10; i++) tasks.onProgress(task(`t${i}`));
  assert.equal(tasks.latest.size, REMEMBERED);
  assert.equal(tasks.latest.has('t0'), false);
  assert.equal(tasks.latest.has(`t${REMEMBERED + 9}`), true);
  assert.deepEqual([...FINISHED].sort(), ['cancelled', 'completed', 'failed']);
});

/** The socket drops and the page reconnects (establish: the catch-up is up to the test). */
async function reconnect(page) {
  page.socket.close(1006);
  await page.clock.advance(30000);
  await flush();
  page.sockets.at(-1).establish();
  await flush();
  await flush();
}

const LIST = '/api/v1/tasks?limit=100';

test('after a reconnect one list call hands on the remembered tasks that finished; only those not in it are asked one by one', async () => {
  const { page, gh } = await connected();
  const seen = [];
  gh.tasks.onProgress((t) => seen.push(`${t.id}:${t.status}`));
  for (const id of ['t1', 't2', 't3', 't4']) page.socket.receive({ type: 'task_progress', task: task(id, 'running', 3) });
  page.socket.receive({ type: 'task_progress', task: task('t5', 'completed', 9) });
  const listed = { tasks: [task('t1', 'failed', 4), task('t2', 'running', 5), task('t5', 'completed', 9), task('t9', 'completed', 1)], next_cursor: 'c' };
  page.fetch.respond = (url) => (url.endsWith(LIST) ? { status: 200, body: listed }
    : url.endsWith('/t3') ? { status: 200, body: task('t3', 'completed', 10) }
    : url.endsWith('/t4') ? { status: 404, body: { code: 'NOT_FOUND' } } : { status: 500, body: null });
  seen.length = 0;
  await reconnect(page);
  const asked = page.fetch.calls.filter((c) => c.url.includes('/api/v1/tasks')).map((c) => c.url.split('/api/v1/tasks').at(-1));
  assert.deepEqual(asked, ['?limit=100', '/t3', '/t4']);
  assert.deepEqual(seen, ['t1:failed', 't3:completed']);
  assert.equal(gh.connection.tasks.latest.get('t2').status, 'running');
  assert.equal(gh.connection.tasks.latest.has('t4'), false);
  assert.equal(gh.connection.tasks.latest.has('t9'), false);
  assert.equal(page.fetch.calls.at(-1).init.headers.Authorization, 'Bearer tok-1');
  gh.close();
});

test('a failed list call asks nothing more and forgets nothing: the next reconnect asks again', async () => {
  const { page, gh } = await connected();
  page.socket.receive({ type: 'task_progress', task: task('t1', 'running', 3) });
  page.fetch.respond = () => ({ status: 503, body: { code: 'UNAVAILABLE' } });
  await reconnect(page);
  assert.deepEqual(page.fetch.calls.map((c) => c.url.split('/api/v1/tasks').at(-1)), ['?limit=100']);
  page.fetch.respond = () => { throw new Error('network'); };
  await reconnect(page);
  assert.equal(page.fetch.calls.length, 2);
  assert.equal(gh.connection.tasks.latest.get('t1').status, 'running');
  page.fetch.respond = (url) => (url.endsWith(LIST) ? { status: 200, body: { tasks: [task('t1', 'completed', 10)], next_cursor: null } } : { status: 500, body: null });
  await reconnect(page);
  assert.equal(page.fetch.calls.length, 3);
  assert.equal(gh.connection.tasks.latest.get('t1').status, 'completed');
  gh.close();
});

test('with no remembered unfinished task a reconnect asks nothing', async () => {
  const { page, gh } = await connected();
  page.socket.receive({ type: 'task_progress', task: task('t1', 'completed', 10) });
  await reconnect(page);
  assert.deepEqual(page.fetch.calls, []);
  gh.close();
});

test('at most RECHECKED_ONE_BY_ONE tasks are asked one by one; those still running go last, so the next recheck reaches the rest', async () => {
  const tasks = new Tasks();
  const total = RECHECKED_ONE_BY_ONE + 5;
  for (let i = 0; i < total; i++) tasks.onProgress(task(`t${i}`));
  const asked = [];
  const get = async (path) => {
    if (path === LIST) return { status: 200, body: { tasks: [], next_cursor: null } };
    asked.push(path.split('/').at(-1));
    return { status: 200, body: task(path.split('/').at(-1), 'running', 1) };
  };
  await tasks.recheckUnfinished(get);
  assert.equal(RECHECK_PAGE, 100);
  assert.deepEqual(asked, Array.from({ length: RECHECKED_ONE_BY_ONE }, (_, i) => `t${i}`));
  asked.length = 0;
  await tasks.recheckUnfinished(get);
  assert.deepEqual(asked.slice(0, 5), ['t20', 't21', 't22', 't23', 't24']);
  assert.equal(asked.length, RECHECKED_ONE_BY_ONE);
  assert.equal(tasks.latest.size, total);
  assert.equal(tasks.latest.get('t0').done, 0); // a running answer is not handed on: a newer push may have overtaken it
});
