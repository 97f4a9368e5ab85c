import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flush, recorder, setup, tokens } from './fakes.js';

test('token mode: a token of RFC 7230 characters goes in the bearer subprotocol, with ?instance=', async () => {
  const page = setup();
  const gh = page.connect({ getToken: tokens('eyJ.abc-_.x~y') });
  await flush();
  assert.deepEqual(page.socket.protocols, ['gatehouse.v1', 'gatehouse.bearer.eyJ.abc-_.x~y']);
  assert.equal(page.socket.params.get('instance'), gh.instanceId);
  assert.equal(page.socket.params.get('token'), null);
  gh.close();
});

test('token mode: any other token goes in an auth message, the first frame', async () => {
  const page = setup();
  const gh = page.connect({ getToken: tokens('abc/def+ghi==') });
  await flush();
  assert.deepEqual(page.socket.protocols, ['gatehouse.v1']);
  page.socket.open();
  assert.deepEqual(page.socket.sent, [{ type: 'auth', token: 'abc/def+ghi==', instance: gh.instanceId }]);
  gh.close();
});

test('cookie mode: csrf_token and instance in the URL, subprotocol gatehouse.v1 only', async () => {
  const page = setup();
  page.document.cookie = 'a=1; gh_csrf=c%2Fsrf-1; b=2';
  const gh = page.connect({});
  await flush();
  assert.deepEqual(page.socket.protocols, ['gatehouse.v1']);
  assert.equal(page.socket.params.get('csrf_token'), 'c/srf-1');
  assert.equal(page.socket.params.get('instance'), gh.instanceId);
  gh.close();
});

test('cookie mode without a CSRF token stays idle; a csrf function is asked instead of the cookie', async () => {
  const page = setup();
  const gh = page.connect({ csrf: true });
  await flush();
  assert.equal(gh.state, 'idle');
  assert.equal(page.sockets.length, 0);
  gh.close();
  const other = setup();
  const gh2 = other.connect({ csrf: async () => 'from-login-response' });
  await flush();
  assert.equal(other.socket.params.get('csrf_token'), 'from-login-response');
  gh2.close();
});

test('cookie mode: a refreshed CSRF token is used while the application still gives the old one', async () => {
  const page = setup();
  page.fetch.respond = () => ({ status: 200, body: { csrf_token: 'fresh', expires_at: '2030-01-01T00:00:00Z' } });
  let appCsrf = 'old';
  const gh = page.connect({ csrf: () => appCsrf });
  await flush();
  page.socket.establish();
  page.socket.serverClose(4403, 'CSRF_TOKEN_EXPIRED');
  await page.clock.advance(0);
  assert.equal(page.socket.params.get('csrf_token'), 'fresh');
  page.socket.establish();
  page.socket.serverClose(1006);
  appCsrf = 'after-new-login';
  await page.clock.advance(30_000);
  assert.equal(page.socket.params.get('csrf_token'), 'after-new-login');
  gh.close();
});

test('cookie mode: a 1006 before open verifies with credentials and X-CSRF-Token', async () => {
  const page = setup();
  const rec = recorder();
  page.document.cookie = 'gh_csrf=csrf-1';
  page.fetch.respond = () => ({ status: 403, body: { code: 'CSRF_TOKEN_EXPIRED', hint: 'stale' } });
  const gh = page.connect({ ...rec });
  await flush();
  page.socket.serverClose(1006);
  await flush();
  const verify = page.fetch.to('/api/v1/auth/verify')[0];
  assert.equal(verify.init.credentials, 'include');
  assert.equal(verify.init.headers['X-CSRF-Token'], 'csrf-1');
  assert.equal(gh.state, 'reconnecting');
  await page.clock.advance(0);
  assert.equal(page.fetch.to('/api/v1/auth/refresh').length, 1, 'the refusal was acted on: refresh');
  gh.close();
});

test('cookie mode: a refresh refused with SESSION_EXPIRED is log_in', async () => {
  const page = setup();
  const rec = recorder();
  page.document.cookie = 'gh_csrf=csrf-1';
  page.fetch.respond = () => ({ status: 401, body: { code: 'SESSION_EXPIRED', hint: 'gone' } });
  const gh = page.connect({ ...rec });
  await flush();
  page.socket.establish();
  page.socket.serverClose(4403, 'CSRF_TOKEN_EXPIRED');
  await page.clock.advance(0);
  assert.equal(page.sockets.length, 1);
  assert.equal(gh.state, 'stopped');
  assert.deepEqual(rec.authErrors.map((e) => e.code), ['SESSION_EXPIRED']);
  gh.close();
});

test('token_expiring: a new token is sent in-band as refresh and refreshed updates expiresAt', async () => {
  const page = setup();
  const gh = page.connect({ getToken: tokens('tok-1', 'tok-2') });
  await flush();
  page.socket.establish();
  page.socket.receive({ type: 'token_expiring', expires_in_ms: 60_000 });
  await flush();
  const refresh = page.socket.last('refresh');
  assert.equal(refresh.token, 'tok-2');
  assert.ok(refresh.id !== undefined);
  page.socket.receive({ type: 'refreshed', id: refresh.id, expires_at: '2031-01-01T00:00:00Z' });
  await flush();
  assert.equal(gh.expiresAt.toISOString(), '2031-01-01T00:00:00.000Z');
  gh.close();
});

test('token_expiring with the same token sends nothing', async () => {
  const page = setup();
  const getToken = tokens('same');
  const gh = page.connect({ getToken });
  await flush();
  page.socket.establish();
  page.socket.receive({ type: 'token_expiring', expires_in_ms: 60_000 });
  await flush();
  assert.equal(getToken.calls, 2);
  assert.equal(page.socket.last('refresh'), undefined);
  gh.close();
});

test('cookie mode token_expiring: POST auth/refresh extends the session and the new CSRF is kept', async () => {
  const page = setup();
  page.document.cookie = 'gh_csrf=csrf-1';
  page.fetch.respond = () => ({ status: 200, body: { csrf_token: 'csrf-2', expires_at: '2031-01-01T00:00:00Z' } });
  const gh = page.connect({});
  await flush();
  page.socket.establish();
  page.socket.receive({ type: 'token_expiring', expires_in_ms: 60_000 });
  await flush();
  assert.equal(page.fetch.to('/api/v1/auth/refresh').length, 1);
  assert.equal(gh.expiresAt.toISOString(), '2031-01-01T00:00:00.000Z');
  page.socket.serverClose(1006);
  await page.clock.advance(30_000);
  assert.equal(page.socket.params.get('csrf_token'), 'csrf-2');
  gh.close();
});

test('debug output never shows a whole token or CSRF value', async () => {
  const page = setup();
  page.document.cookie = 'gh_csrf=csrfsecretvalue';
  const gh = page.connect({ debug: true });
  await flush();
  page.socket.establish();
  const other = setup();
  const gh2 = other.connect({ debug: true, getToken: tokens('tokensecretvalue') });
  await flush();
  const lines = [...page.debugLines, ...other.debugLines].join('\n');
  assert.ok(lines.includes('state idle -> connecting'));
  assert.ok(!lines.includes('csrfsecretvalue') && !lines.includes('tokensecretvalue'), lines);
  gh.close();
  gh2.close();
});
