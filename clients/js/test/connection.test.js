import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REFUSAL_CODES } from '../refusal-codes.js';
import { flush, recorder, setup, tokens } from './fakes.js';

/** A connected page in token mode (or cookie mode with `cookie`). */
async function connected({ getToken = tokens('tok-1', 'tok-2', 'tok-3'), cookie = false, random } = {}) {
  const page = setup({ random });
  const rec = recorder();
  if (cookie) {
    page.document.cookie = 'theme=dark; gh_csrf=csrf-1';
    page.fetch.respond = () => ({ status: 200, body: { csrf_token: `csrf-${page.fetch.calls.length + 1}`, expires_at: '2030-01-01T00:00:00Z' } });
  }
  const gh = page.connect(cookie ? { ...rec } : { getToken, ...rec });
  await flush();
  page.socket.establish();
  return { page, rec, gh, getToken };
}

for (const [code, entry] of Object.entries(REFUSAL_CODES)) {
  if (entry.action === 'retry') {
    test(`${code} (retry): reconnects with backoff, never before retry_after_ms`, async () => {
      const { page, rec, gh } = await connected();
      page.socket.serverClose(entry.close, `${code} retry_after_ms=7000`);
      await flush();
      assert.equal(gh.state, 'reconnecting');
      assert.equal(rec.states.at(-1).retryInMs, 7000);
      assert.equal(rec.states.at(-1).code, code);
      await page.clock.advance(6999);
      assert.equal(page.sockets.length, 1);
      await page.clock.advance(1);
      assert.equal(page.sockets.length, 2);
      assert.equal(gh.state, 'connecting');
      assert.deepEqual(rec.authErrors, []);
      gh.close();
    });
  } else if (entry.action === 'refresh_then_retry') {
    test(`${code} (refresh_then_retry, token mode): getToken once, reconnect with the new token, log_in when it repeats`, async () => {
      const { page, rec, gh, getToken } = await connected();
      assert.equal(getToken.calls, 1);
      page.socket.serverClose(entry.close, code);
      await page.clock.advance(0);
      assert.equal(getToken.calls, 2);
      assert.equal(page.sockets.length, 2);
      assert.deepEqual(page.socket.protocols, ['gatehouse.v1', 'gatehouse.bearer.tok-2']);
      page.socket.open();
      page.socket.serverClose(entry.close, code);
      await page.clock.advance(60_000);
      assert.equal(page.sockets.length, 2, 'no socket after the same refusal');
      assert.equal(gh.state, 'stopped');
      assert.deepEqual(rec.authErrors, [{ code, hint: entry.hint }]);
      gh.close();
    });
    test(`${code} (refresh_then_retry, cookie mode): POST auth/refresh once with X-CSRF-Token, reconnect with the new csrf, log_in when it repeats`, async () => {
      const { page, rec, gh } = await connected({ cookie: true });
      page.socket.serverClose(entry.close, code);
      await page.clock.advance(0);
      const refreshes = page.fetch.to('/api/v1/auth/refresh');
      assert.equal(refreshes.length, 1);
      assert.equal(refreshes[0].url, `http://${new URL(page.url).host}/api/v1/auth/refresh`);
      assert.equal(refreshes[0].init.method, 'POST');
      assert.equal(refreshes[0].init.credentials, 'include');
      assert.equal(refreshes[0].init.headers['X-CSRF-Token'], 'csrf-1');
      assert.equal(page.sockets.length, 2);
      assert.equal(page.socket.params.get('csrf_token'), 'csrf-2');
      assert.equal(page.socket.params.get('instance'), gh.instanceId);
      page.socket.open();
      page.socket.serverClose(entry.close, code);
      await page.clock.advance(60_000);
      assert.equal(page.fetch.to('/api/v1/auth/refresh').length, 1);
      assert.equal(page.sockets.length, 2);
      assert.equal(gh.state, 'stopped');
      assert.deepEqual(rec.authErrors, [{ code, hint: entry.hint }]);
      gh.close();
    });
  } else {
    test(`${code} (${entry.action}): stops, ${entry.action === 'log_in' ? 'calls onAuthError' : 'never calls onAuthError'}, opens no further socket`, async () => {
      const { page, rec, gh } = await connected();
      page.socket.serverClose(entry.close, code);
      await page.clock.advance(120_000);
      assert.equal(page.sockets.length, 1);
      assert.equal(gh.state, 'stopped');
      assert.equal(rec.states.at(-1).code, code);
      assert.equal(rec.states.at(-1).hint, entry.hint);
      assert.deepEqual(gh.lastRefusal && gh.lastRefusal.code, code);
      assert.deepEqual(rec.authErrors, entry.action === 'log_in' ? [{ code, hint: entry.hint }] : []);
      gh.close();
    });
  }
}

test('TOKEN_EXPIRED and getToken gives the same token again: log_in, no reconnect with it', async () => {
  const { page, rec, gh, getToken } = await connected({ getToken: tokens('same') });
  page.socket.serverClose(4401, 'TOKEN_EXPIRED');
  await page.clock.advance(60_000);
  assert.equal(getToken.calls, 2);
  assert.equal(page.sockets.length, 1);
  assert.equal(gh.state, 'stopped');
  assert.deepEqual(rec.authErrors.map((e) => e.code), ['TOKEN_EXPIRED']);
  gh.close();
});

test('a close without a code (1001, 1006 after open, an unknown reason) is a retry', async () => {
  for (const [closeCode, reason] of [[1001, ''], [1006, ''], [1000, 'bye'], [1012, '']]) {
    const { page, gh } = await connected();
    page.socket.serverClose(closeCode, reason);
    await flush();
    assert.equal(gh.state, 'reconnecting', `${closeCode} ${reason}`);
    assert.equal(page.fetch.calls.length, 0, 'no verify after a socket that opened');
    gh.close();
  }
});

test('1006 before open asks auth/verify once with the same credential and acts on its refusal', async () => {
  const page = setup();
  const rec = recorder();
  page.fetch.respond = () => ({ status: 401, body: { error: 'x', code: 'TOKEN_REVOKED', hint: 'revoked' } });
  const gh = page.connect({ getToken: tokens('tok-1'), ...rec });
  await flush();
  page.socket.serverClose(1006);
  await flush();
  const verifies = page.fetch.to('/api/v1/auth/verify');
  assert.equal(verifies.length, 1);
  assert.equal(verifies[0].init.headers.Authorization, 'Bearer tok-1');
  assert.equal(gh.state, 'stopped');
  assert.deepEqual(rec.authErrors, [{ code: 'TOKEN_REVOKED', hint: REFUSAL_CODES.TOKEN_REVOKED.hint }]);
  gh.close();
});

test('auth/verify: 200 or a failed fetch is a retry; one verify per failure streak, again after a connect', async () => {
  const page = setup();
  let answer = () => ({ status: 200, body: { user: {} } });
  page.fetch.respond = () => answer();
  const gh = page.connect({ getToken: tokens('tok-1') });
  await flush();
  page.socket.serverClose(1006);
  await flush();
  assert.equal(gh.state, 'reconnecting');
  await page.clock.advance(30_000);
  page.socket.serverClose(1006);
  await page.clock.advance(30_000);
  page.socket.serverClose(1006);
  await flush();
  assert.equal(page.fetch.to('/api/v1/auth/verify').length, 1, 'once per streak');
  await page.clock.advance(30_000);
  page.socket.establish();
  page.socket.serverClose(1006, '');
  await page.clock.advance(30_000);
  answer = () => {
    throw new TypeError('Failed to fetch');
  };
  page.socket.serverClose(1006);
  await flush();
  assert.equal(page.fetch.to('/api/v1/auth/verify').length, 2, 'a new streak asks again');
  assert.equal(gh.state, 'reconnecting');
  gh.close();
});

test('auth/verify answering RATE_LIMITED with retry_after_ms waits at least that long', async () => {
  const page = setup();
  page.fetch.respond = () => ({ status: 429, body: { code: 'RATE_LIMITED', hint: 'x', retry_after_ms: 9000 } });
  const rec = recorder();
  const gh = page.connect({ getToken: tokens('tok-1'), ...rec });
  await flush();
  page.socket.serverClose(1006);
  await flush();
  assert.equal(rec.states.at(-1).retryInMs, 9000);
  gh.close();
});

test('no socket while getToken is pending, nor when it resolves null', async () => {
  const page = setup();
  let resolve;
  const getToken = () => new Promise((r) => (resolve = r));
  const gh = page.connect({ getToken });
  await flush();
  assert.equal(page.sockets.length, 0);
  resolve(null);
  await flush();
  assert.equal(page.sockets.length, 0);
  assert.equal(gh.state, 'idle');
  await page.clock.advance(120_000);
  assert.equal(page.sockets.length, 0);
  gh.close();
});

test('visibilitychange (visible) and online reconnect at once, only when reconnecting, never two sockets', async () => {
  const { page, gh } = await connected({ random: () => 0.999 });
  page.document.dispatchEvent(new Event('visibilitychange'));
  page.window.dispatchEvent(new Event('online'));
  await flush();
  assert.equal(page.sockets.length, 1, 'connected: nothing to do');
  page.socket.serverClose(1006);
  await flush();
  assert.equal(gh.state, 'reconnecting');
  page.document.visibilityState = 'hidden';
  page.document.dispatchEvent(new Event('visibilitychange'));
  await flush();
  assert.equal(page.sockets.length, 1, 'hidden: wait for the timer');
  page.document.visibilityState = 'visible';
  page.document.dispatchEvent(new Event('visibilitychange'));
  page.window.dispatchEvent(new Event('online'));
  await flush();
  page.window.dispatchEvent(new Event('online'));
  await flush();
  assert.equal(page.sockets.length, 2);
  assert.equal(page.live().length, 1);
  assert.deepEqual(page.clock.pending(), [], 'the backoff timer was cancelled');
  page.socket.open();
  page.window.dispatchEvent(new Event('online'));
  await flush();
  assert.equal(page.sockets.length, 2);
  gh.close();
});

test('a ping without a pong within 10 s closes with 4000 and reconnects', async () => {
  const { page, gh } = await connected();
  const first = page.socket;
  await page.clock.advance(25_000);
  const ping = first.last('ping');
  assert.ok(ping);
  first.receive({ type: 'pong', id: ping.id, timestamp: 1 });
  await page.clock.advance(25_000);
  assert.equal(first.all('ping').length, 2);
  await page.clock.advance(9_999);
  assert.deepEqual(first.closedWith, []);
  await page.clock.advance(1);
  assert.deepEqual(first.closedWith, [4000]);
  assert.equal(gh.state, 'reconnecting');
  await page.clock.advance(30_000);
  assert.equal(page.sockets.length, 2);
  gh.close();
});

test('CONNECTION_REPLACED (duplicate_session_policy reject) on a socket never established: retried with backoff until the server lets go', async () => {
  const { page, rec, gh } = await connected({ random: () => 0.999 });
  await page.clock.advance(35_000); // no pong: the client gives up on a half-open socket (4000)
  assert.deepEqual(page.sockets[0].closedWith, [4000]);
  await page.clock.advance(30_000);
  assert.equal(page.sockets.length, 2);
  page.socket.open();
  page.socket.serverClose(4409, 'CONNECTION_REPLACED'); // the server still holds the old one
  await flush();
  assert.equal(gh.state, 'reconnecting');
  assert.equal(rec.states.at(-1).code, 'CONNECTION_REPLACED');
  assert.equal(rec.states.at(-1).retryInMs, 999, 'the backoff went on from the 4000 close');
  await page.clock.advance(999);
  assert.equal(page.sockets.length, 3);
  page.socket.serverClose(4409, 'CONNECTION_REPLACED');
  await flush();
  assert.equal(rec.states.at(-1).retryInMs, 1998);
  await page.clock.advance(1998);
  page.socket.establish();
  assert.equal(gh.state, 'connected');
  assert.deepEqual(rec.authErrors, []);
  page.socket.serverClose(4409, 'CONNECTION_REPLACED'); // established, then replaced: stop
  await page.clock.advance(120_000);
  assert.equal(page.sockets.length, 4);
  assert.equal(gh.state, 'stopped');
  gh.close();
});

test('CONNECTION_REPLACED after recheck() on a socket never established is a retry, not stopped', async () => {
  const { page, rec, gh } = await connected();
  const outcome = gh.recheck();
  await flush();
  page.socket.open();
  page.socket.serverClose(4409, 'CONNECTION_REPLACED');
  assert.equal((await outcome).code, 'CONNECTION_REPLACED');
  assert.equal(gh.state, 'reconnecting');
  await page.clock.advance(30_000);
  assert.equal(page.sockets.length, 3);
  assert.deepEqual(rec.authErrors, []);
  gh.close();
});

test('cookie mode, a server alternating CSRF_TOKEN_EXPIRED and CSRF_VALIDATION_ERROR: one refresh, then onAuthError', async () => {
  const { page, rec, gh } = await connected({ cookie: true });
  page.socket.serverClose(4403, 'CSRF_TOKEN_EXPIRED');
  await page.clock.advance(0);
  assert.equal(page.fetch.to('/api/v1/auth/refresh').length, 1);
  assert.equal(page.sockets.length, 2);
  page.socket.open();
  page.socket.serverClose(4403, 'CSRF_VALIDATION_ERROR');
  await page.clock.advance(60_000);
  assert.equal(page.fetch.to('/api/v1/auth/refresh').length, 1, 'no second refresh');
  assert.equal(page.sockets.length, 2, 'no reconnect');
  assert.equal(gh.state, 'stopped');
  assert.deepEqual(rec.authErrors, [{ code: 'CSRF_VALIDATION_ERROR', hint: REFUSAL_CODES.CSRF_VALIDATION_ERROR.hint }]);
  gh.close();
});

test('token mode, TOKEN_EXPIRED then CSRF_TOKEN_MISSING before a connect: onAuthError, one getToken refresh', async () => {
  const { page, rec, gh, getToken } = await connected();
  page.socket.serverClose(4401, 'TOKEN_EXPIRED');
  await page.clock.advance(0);
  assert.equal(getToken.calls, 2);
  page.socket.open();
  page.socket.serverClose(4403, 'CSRF_TOKEN_MISSING');
  await page.clock.advance(60_000);
  assert.equal(getToken.calls, 2);
  assert.equal(page.sockets.length, 2);
  assert.deepEqual(rec.authErrors.map((e) => e.code), ['CSRF_TOKEN_MISSING']);
  gh.close();
});

for (const [code, close] of [['SERVER_SHUTTING_DOWN', 1012], ['RATE_LIMITED', 4429], ['TOO_MANY_CONNECTIONS', 4429]]) {
  test(`online and visibilitychange never reconnect before ${code}'s retry_after_ms`, async () => {
    const { page, gh } = await connected();
    page.socket.serverClose(close, `${code} retry_after_ms=7312`);
    await page.clock.advance(10);
    page.window.dispatchEvent(new Event('online'));
    page.document.dispatchEvent(new Event('visibilitychange'));
    await page.clock.advance(7301);
    assert.equal(page.sockets.length, 1, 'not before retry_after_ms');
    assert.equal(gh.state, 'reconnecting');
    assert.deepEqual(page.clock.pending(), [7312], 'the timer is left as it was');
    await page.clock.advance(1);
    assert.equal(page.sockets.length, 2);
    gh.close();
  });
}

test('a page event before retry_after_ms moves a longer backoff timer to retry_after_ms; after it, connects at once', async () => {
  const { page, rec, gh } = await connected({ random: () => 0.999 });
  page.socket.serverClose(4429, 'RATE_LIMITED retry_after_ms=300');
  await page.clock.advance(10);
  assert.equal(rec.states.at(-1).retryInMs, 500);
  page.window.dispatchEvent(new Event('online'));
  await page.clock.advance(289);
  assert.equal(page.sockets.length, 1);
  assert.deepEqual(page.clock.pending(), [290], 'one timer, due at retry_after_ms');
  await page.clock.advance(1);
  assert.equal(page.sockets.length, 2, 'at retry_after_ms, before the backoff would have');
  page.socket.serverClose(1012, 'SERVER_SHUTTING_DOWN retry_after_ms=100');
  await page.clock.advance(100);
  assert.equal(page.sockets.length, 2, 'the backoff (999 ms) is longer than the hint');
  page.document.dispatchEvent(new Event('visibilitychange'));
  await flush();
  assert.equal(page.sockets.length, 3, 'the hint has passed: at once');
  assert.deepEqual(page.clock.pending(), []);
  gh.close();
});
