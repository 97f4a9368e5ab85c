// The dashboard's HTTP calls with a stale CSRF token (web/dashboard/api.js), in the orders the
// network may answer them: the page's polls meet a stale token together, and their answers
// come back around the one refresh. (DashboardStaleCsrfBrowserTest runs it in Chromium.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

/** The page's cookie jar and network: each request waits until the test answers it. */
const page = {
  cookie: 'gh_csrf=csrf-1',
  /** @type {{path: string, csrf: string|undefined, answer: (status: number, body?: object, cookie?: string) => void}[]} */
  pending: [],
  /** @type {string[]} every request as "PATH csrf" */
  sent: [],
};
globalThis.document = {
  get cookie() {
    return page.cookie;
  },
};
globalThis.fetch = (path, init) =>
  new Promise((resolve) => {
    const csrf = init.headers['X-CSRF-Token'];
    page.sent.push(`${path} ${csrf}`);
    page.pending.push({
      path,
      csrf,
      answer: (status, body = {}, cookie) => {
        if (cookie) page.cookie = `gh_csrf=${cookie}`; // Set-Cookie lands before the body is read
        resolve({ ok: status < 300, status, json: async () => body });
      },
    });
  });

const { api } = await import('../../../../../gatehouse-server/src/main/resources/web/dashboard/api.js');

const EXPIRED = { code: 'CSRF_TOKEN_EXPIRED', hint: 'stale' };
const REPLACED = { code: 'CSRF_VALIDATION_ERROR', hint: 'no match' };

/** Lets the module run up to its next request; returns the request to `path` that waits. */
async function request(path) {
  for (let i = 0; i < 20; i++) {
    const found = page.pending.findIndex((p) => p.path === path);
    if (found >= 0) return page.pending.splice(found, 1)[0];
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no request to ${path}; sent: ${page.sent.join(', ')}`);
}

function reset(cookie) {
  page.cookie = `gh_csrf=${cookie}`;
  page.pending = [];
  page.sent = [];
}

test('a poll answered stale after another poll refreshed the token asks again with the new one: one refresh', async () => {
  reset('csrf-1');
  const first = api('GET', '/api/v1/channels');
  const second = api('GET', '/api/v1/connections');
  (await request('/api/v1/channels')).answer(403, EXPIRED);
  const waiting = await request('/api/v1/connections'); // sent with csrf-1, answered later
  (await request('/api/v1/auth/refresh')).answer(200, {}, 'csrf-2');
  (await request('/api/v1/channels')).answer(200, { channels: [] });
  assert.deepEqual(await first, { channels: [] });

  waiting.answer(403, EXPIRED);
  const again = await request('/api/v1/connections');
  assert.equal(again.csrf, 'csrf-2');
  again.answer(200, { connections: [] });
  assert.deepEqual(await second, { connections: [] });
  assert.equal(page.sent.filter((s) => s.startsWith('/api/v1/auth/refresh')).length, 1, page.sent.join(', '));
});

test('a poll the server checked after the refresh (its token replaced, not stale) asks again with the new one', async () => {
  reset('csrf-1');
  const first = api('GET', '/api/v1/channels');
  const second = api('GET', '/api/v1/access-log');
  (await request('/api/v1/channels')).answer(403, EXPIRED);
  const waiting = await request('/api/v1/access-log');
  const refresh = await request('/api/v1/auth/refresh');
  waiting.answer(403, REPLACED); // the server rotated the token; its answer to the refresh is on its way
  refresh.answer(200, {}, 'csrf-2');
  (await request('/api/v1/channels')).answer(200, {});
  const again = await request('/api/v1/access-log');
  assert.equal(again.csrf, 'csrf-2');
  again.answer(200, { entries: [] });
  await first;
  assert.deepEqual(await second, { entries: [] });
  assert.equal(page.sent.filter((s) => s.startsWith('/api/v1/auth/refresh')).length, 1);
});

test('a token that does not match and was not replaced is an error: no refresh, no retry', async () => {
  reset('csrf-9');
  const call = api('POST', '/api/v1/broadcast', { channels: ['news'], data: {} });
  (await request('/api/v1/broadcast')).answer(403, REPLACED);
  await assert.rejects(call, (e) => e.code === 'CSRF_VALIDATION_ERROR');
  assert.deepEqual(page.sent, ['/api/v1/broadcast csrf-9']);
});

test('a stale token alone is refreshed once and the call made again with the new one', async () => {
  reset('csrf-1');
  const call = api('POST', '/api/v1/broadcast', { channels: ['news'], data: {} });
  (await request('/api/v1/broadcast')).answer(403, EXPIRED);
  const refresh = await request('/api/v1/auth/refresh');
  assert.equal(refresh.csrf, 'csrf-1', 'the refresh presents the stale token');
  refresh.answer(200, {}, 'csrf-2');
  const again = await request('/api/v1/broadcast');
  assert.equal(again.csrf, 'csrf-2');
  again.answer(200, { publications: [] });
  assert.deepEqual(await call, { publications: [] });
});

test('a refresh refused because another one (the live socket, another tab) replaced the token first counts as done', async () => {
  reset('csrf-1');
  const call = api('GET', '/api/v1/channels');
  (await request('/api/v1/channels')).answer(403, EXPIRED);
  const refresh = await request('/api/v1/auth/refresh');
  page.cookie = 'gh_csrf=csrf-2'; // the live socket's own refresh landed first
  refresh.answer(403, REPLACED);
  const again = await request('/api/v1/channels');
  assert.equal(again.csrf, 'csrf-2');
  again.answer(200, { channels: [] });
  assert.deepEqual(await call, { channels: [] });
});

test('a refresh refused while the cookie still holds the token it sent is an error', async () => {
  reset('csrf-1');
  const call = api('GET', '/api/v1/channels');
  (await request('/api/v1/channels')).answer(403, EXPIRED);
  (await request('/api/v1/auth/refresh')).answer(401, { code: 'SESSION_EXPIRED', hint: 'log in again' });
  await assert.rejects(call, (e) => e.code === 'SESSION_EXPIRED');
  assert.equal(page.sent.filter((s) => s.startsWith('/api/v1/channels')).length, 1, page.sent.join(', '));
});
