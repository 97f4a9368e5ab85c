import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gatehouse, deriveHttpUrl } from '../gatehouse.js';
import { size } from '../registry.js';
import { flush, recorder, setup, tokens } from './fakes.js';

async function connected(options = {}) {
  const page = setup();
  const rec = recorder();
  const gh = page.connect({ getToken: tokens('tok-1', 'tok-2'), ...rec, ...options });
  await flush();
  page.socket.establish();
  return { page, rec, gh };
}

const msg = (offset, epoch = 'e1') => ({ type: 'message', channel: 'news', offset, epoch, data: { n: offset }, published_at: '2030-01-01T00:00:00Z' });

test('connected only after connection_established, with user, expiresAt and connectionId', async () => {
  const page = setup();
  const rec = recorder();
  const gh = page.connect({ getToken: tokens('t'), ...rec });
  await flush();
  page.socket.open();
  assert.equal(gh.state, 'connecting');
  page.socket.establish();
  assert.equal(gh.state, 'connected');
  assert.deepEqual(gh.user, { id: 'alice', name: 'Alice', roles: [] });
  assert.equal(gh.expiresAt.toISOString(), '2030-01-01T00:00:00.000Z');
  assert.equal(gh.connectionId, 'conn-1');
  assert.deepEqual(rec.states.map((s) => [s.previous, s.state]), [['idle', 'connecting'], ['connecting', 'connected']]);
  gh.close();
  assert.equal(gh.state, 'closed');
});

test('publish, presence, history and ping resolve with their replies', async () => {
  const { page, gh } = await connected();
  const s = page.socket;
  const published = gh.publish('chat:room', { text: 'hi' });
  assert.deepEqual(s.last('publish').data, { text: 'hi' });
  s.receive({ type: 'published', id: s.last('publish').id, channel: 'chat:room', offset: 3, epoch: 'e' });
  assert.deepEqual(await published, { offset: 3, epoch: 'e' });
  const presence = gh.presence('chat:room');
  s.receive({ type: 'presence', id: s.last('presence').id, channel: 'chat:room', clients: [{ user_id: 'alice' }] });
  assert.deepEqual(await presence, [{ user_id: 'alice' }]);
  const history = gh.history('chat:room', { since: { offset: 1, epoch: 'e' }, limit: 2 });
  assert.deepEqual(s.last('history').since, { offset: 1, epoch: 'e' });
  assert.equal(s.last('history').limit, 2);
  s.receive({ type: 'history', id: s.last('history').id, channel: 'chat:room', publications: [{ offset: 2 }], offset: 3, epoch: 'e' });
  assert.deepEqual(await history, { publications: [{ offset: 2 }], offset: 3, epoch: 'e' });
  const ping = gh.ping();
  await page.clock.advance(12);
  s.receive({ type: 'pong', id: s.last('ping').id, timestamp: 0 });
  assert.equal(await ping, 12);
  gh.close();
});

test('an error reply rejects with code and hint; requests fail fast when not connected', async () => {
  const { page, gh } = await connected();
  const denied = gh.publish('news', 1);
  page.socket.receive({ type: 'error', id: page.socket.last('publish').id, code: 'PERMISSION_DENIED', message: 'publish: server' });
  await assert.rejects(denied, (e) => e.code === 'PERMISSION_DENIED' && e.hint === 'publish: server');
  page.socket.serverClose(1006);
  await assert.rejects(gh.publish('news', 1), { code: 'NOT_CONNECTED' });
  gh.close();
});

test('pending requests reject with CONNECTION_LOST when the socket closes', async () => {
  const { page, gh } = await connected();
  const a = gh.publish('news', 1);
  const b = gh.presence('news');
  page.socket.serverClose(1006);
  await assert.rejects(a, { code: 'CONNECTION_LOST' });
  await assert.rejects(b, { code: 'CONNECTION_LOST' });
  gh.close();
});

test('recovery: resubscribes with since; no duplicate and no gap across a reconnect', async () => {
  const { page, gh } = await connected();
  const got = [];
  const subscribed = [];
  gh.subscribe('news', (data, meta) => got.push(meta.offset), { onSubscribed: (i) => subscribed.push(i) });
  let s = page.socket;
  s.receive({ type: 'subscribed', id: s.last('subscribe').id, channel: 'news', offset: 5, epoch: 'e1', recovered: false, publications: [] });
  s.receive(msg(6));
  s.receive(msg(7));
  s.serverClose(1006);
  await page.clock.advance(30_000);
  s = page.socket;
  s.establish();
  const subscribe = s.last('subscribe');
  assert.deepEqual(subscribe.since, { offset: 7, epoch: 'e1' });
  s.receive(msg(10)); // a live one racing the reply is held back
  s.receive({ type: 'subscribed', id: subscribe.id, channel: 'news', offset: 9, epoch: 'e1', recovered: true, publications: [msg(7), msg(8), msg(9)] });
  s.receive(msg(9));
  s.receive(msg(10));
  s.receive(msg(11));
  assert.deepEqual(got, [6, 7, 8, 9, 10, 11]);
  assert.deepEqual(subscribed.map((i) => i.recovered), [false, true]);
  gh.close();
});

test('recovery: recovered:false after a reconnect is reported to onSubscribed', async () => {
  const { page, gh } = await connected();
  const subscribed = [];
  gh.subscribe('news', () => {}, { onSubscribed: (i) => subscribed.push(i) });
  let s = page.socket;
  s.receive({ type: 'subscribed', id: s.last('subscribe').id, channel: 'news', offset: 5, epoch: 'e1', recovered: false, publications: [] });
  s.receive(msg(6));
  s.serverClose(4508, 'SLOW_CONSUMER');
  await page.clock.advance(30_000);
  s = page.socket;
  s.establish();
  s.receive({ type: 'subscribed', id: s.last('subscribe').id, channel: 'news', offset: 40, epoch: 'e2', recovered: false, publications: [] });
  assert.deepEqual(subscribed.at(-1), { recovered: false, offset: 40, epoch: 'e2' });
  gh.close();
});

test('a refused subscribe calls onError and ends the subscription', async () => {
  const { page, gh } = await connected();
  const errors = [];
  gh.subscribe('secret', () => {}, { onError: (e) => errors.push(e) });
  page.socket.receive({ type: 'error', id: page.socket.last('subscribe').id, code: 'PERMISSION_DENIED', message: 'no' });
  page.socket.receive({ type: 'unsubscribed', channel: 'other', code: 'PERMISSION_DENIED' });
  assert.deepEqual(errors, [{ code: 'PERMISSION_DENIED', message: 'no' }]);
  page.socket.serverClose(1006);
  await page.clock.advance(30_000);
  page.socket.establish();
  assert.equal(page.socket.last('subscribe'), undefined, 'not resubscribed');
  gh.close();
});

test('unsubscribe sends unsubscribe and stops delivery', async () => {
  const { page, gh } = await connected();
  const got = [];
  const sub = gh.subscribe('news', (d, m) => got.push(m.offset));
  page.socket.receive({ type: 'subscribed', id: page.socket.last('subscribe').id, channel: 'news', offset: 0, epoch: 'e1', recovered: false, publications: [] });
  page.socket.receive(msg(1));
  sub.unsubscribe();
  assert.equal(page.socket.last('unsubscribe').channel, 'news');
  page.socket.receive(msg(2));
  assert.deepEqual(got, [1]);
  gh.close();
});

test('two connect() calls share one socket; closing one keeps the other working; the last clears everything', async () => {
  const page = setup();
  const before = size();
  const a = page.connect({ getToken: tokens('tok-1') });
  const b = page.connect({ getToken: tokens('tok-1') });
  await flush();
  assert.equal(page.sockets.length, 1);
  assert.equal(size(), before + 1);
  page.socket.establish();
  const gotA = [];
  const gotB = [];
  a.subscribe('news', (d, m) => gotA.push(m.offset));
  b.subscribe('news', (d, m) => gotB.push(m.offset));
  assert.equal(page.socket.all('subscribe').length, 1, 'one server subscription per channel');
  page.socket.receive({ type: 'subscribed', id: page.socket.last('subscribe').id, channel: 'news', offset: 0, epoch: 'e1', recovered: false, publications: [] });
  page.socket.receive(msg(1));
  a.close();
  assert.equal(a.state, 'closed');
  assert.equal(page.socket.last('unsubscribe'), undefined, 'b still listens to news');
  page.socket.receive(msg(2));
  assert.deepEqual(gotA, [1]);
  assert.deepEqual(gotB, [1, 2]);
  assert.equal(b.state, 'connected');
  assert.deepEqual(page.socket.closedWith, []);
  b.close();
  assert.deepEqual(page.socket.closedWith, [1000]);
  assert.deepEqual(page.clock.pending(), []);
  assert.equal(page.document.listeners, 0);
  assert.equal(page.window.listeners, 0);
  assert.equal(size(), before);
});

test('a second connect() on a connection stopped by TOKEN_REVOKED leaves it stopped; only recheck() restarts it', async () => {
  const { page, rec, gh } = await connected();
  page.socket.serverClose(4401, 'TOKEN_REVOKED');
  await flush();
  assert.equal(gh.state, 'stopped');
  const getToken = tokens('tok-1');
  const rec2 = recorder();
  const second = page.connect({ getToken, ...rec2 });
  await page.clock.advance(120_000);
  assert.equal(page.sockets.length, 1, 'no socket with the refused token');
  assert.equal(getToken.calls, 0);
  assert.equal(second.state, 'stopped');
  assert.equal(second.lastRefusal.code, 'TOKEN_REVOKED');
  assert.equal(gh.state, 'stopped');
  assert.deepEqual(rec.authErrors.map((e) => e.code), ['TOKEN_REVOKED']);
  assert.deepEqual(rec2.states, []);
  const outcome = second.recheck();
  await flush();
  assert.equal(page.sockets.length, 2);
  page.socket.establish();
  assert.equal((await outcome).ok, true);
  gh.close();
  second.close();
});

test('a second connect() after TOKEN_EXPIRED led to log_in stays stopped, even with a new getToken', async () => {
  const { page, rec, gh } = await connected();
  for (const _ of [1, 2]) {
    page.socket.serverClose(4401, 'TOKEN_EXPIRED');
    await page.clock.advance(0);
  }
  assert.equal(rec.authErrors.length, 1);
  const second = page.connect({ getToken: tokens('tok-3') });
  await page.clock.advance(120_000);
  assert.equal(page.sockets.length, 2);
  assert.deepEqual([second.state, second.lastRefusal.code, rec.authErrors.length], ['stopped', 'TOKEN_EXPIRED', 1]);
  gh.close();
  second.close();
});

test('a second connect() on an idle connection (no credential yet) asks getToken again', async () => {
  const page = setup();
  const gh = page.connect({ getToken: async () => null });
  await flush();
  assert.equal(gh.state, 'idle');
  const second = page.connect({ getToken: tokens('tok-1') });
  await flush();
  assert.equal(page.sockets.length, 1);
  assert.deepEqual(page.socket.protocols, ['gatehouse.v1', 'gatehouse.bearer.tok-1']);
  gh.close();
  second.close();
});

test('a different identity on the same URL is another connection', async () => {
  const page = setup();
  const a = page.connect({ getToken: tokens('tok-a') });
  const b = page.connect({ getToken: tokens('tok-b'), identity: 'bob' });
  await flush();
  assert.equal(page.sockets.length, 2);
  a.close();
  b.close();
});

test('the newest getToken wins', async () => {
  const page = setup();
  const a = page.connect({ getToken: tokens('tok-1') });
  await flush();
  page.socket.establish();
  const b = page.connect({ getToken: tokens('tok-new') });
  page.socket.serverClose(1006);
  await page.clock.advance(30_000);
  assert.deepEqual(page.socket.protocols, ['gatehouse.v1', 'gatehouse.bearer.tok-new']);
  a.close();
  b.close();
});

test('StrictMode mount, unmount, mount: never two sockets open at once', async () => {
  const page = setup();
  let gh = page.connect({ getToken: tokens('tok-1') });
  gh.close();
  gh = page.connect({ getToken: tokens('tok-1') });
  await flush();
  assert.equal(page.live().length, 1);
  page.socket.establish();
  gh.close();
  gh = page.connect({ getToken: tokens('tok-1') });
  await flush();
  assert.equal(page.live().length, 1);
  assert.equal(page.sockets.length, 2);
  gh.close();
  assert.equal(page.live().length, 0);
});

test('the instance id is one per page load and goes on every upgrade', async () => {
  const { page, gh } = await connected();
  page.socket.serverClose(1006);
  await page.clock.advance(30_000);
  const other = setup();
  const gh2 = other.connect({ getToken: tokens('x') });
  await flush();
  const ids = [...page.sockets, ...other.sockets].map((s) => s.params.get('instance'));
  assert.equal(ids.length, 3);
  assert.ok(ids.every((id) => id === gh.instanceId && /^[A-Za-z0-9_.:-]{1,64}$/.test(id)));
  assert.equal(gh2.instanceId, gh.instanceId);
  gh.close();
  gh2.close();
});

test('recheck resolves ok with the user once connection_established arrives, over a new socket', async () => {
  const { page, gh } = await connected();
  const first = page.socket;
  const outcome = gh.recheck();
  await flush();
  assert.deepEqual(first.closedWith, [1000]);
  assert.equal(page.sockets.length, 2);
  assert.deepEqual(page.socket.protocols, ['gatehouse.v1', 'gatehouse.bearer.tok-2'], 'getToken asked again');
  page.socket.establish();
  const result = await outcome;
  assert.equal(result.ok, true);
  assert.equal(result.user.id, 'alice');
  assert.ok(result.expiresAt instanceof Date);
  gh.close();
});

test('recheck resolves {ok:false, code, hint} when refused, and restarts a stopped client', async () => {
  const { page, rec, gh } = await connected();
  page.socket.serverClose(4401, 'TOKEN_REVOKED');
  await flush();
  assert.equal(gh.state, 'stopped');
  assert.equal(rec.authErrors.length, 1);
  const refused = gh.recheck();
  await flush();
  page.socket.open();
  page.socket.serverClose(4401, 'TOKEN_INVALID');
  const outcome = await refused;
  assert.equal(outcome.ok, false);
  assert.equal(outcome.code, 'TOKEN_INVALID');
  assert.equal(typeof outcome.hint, 'string');
  const again = gh.recheck();
  await flush();
  page.socket.establish();
  assert.equal((await again).ok, true);
  assert.equal(gh.state, 'connected');
  gh.close();
});

test('recheck in cookie mode POSTs auth/refresh first and reports its refusal', async () => {
  const page = setup();
  const rec = recorder();
  page.document.cookie = 'gh_csrf=csrf-1';
  page.fetch.respond = () => ({ status: 401, body: { code: 'SESSION_EXPIRED', hint: 'x' } });
  const gh = page.connect({ ...rec });
  await flush();
  page.socket.establish();
  const outcome = await gh.recheck();
  assert.equal(page.fetch.to('/api/v1/auth/refresh')[0].init.headers['X-CSRF-Token'], 'csrf-1');
  assert.equal(outcome.ok, false);
  assert.equal(outcome.code, 'SESSION_EXPIRED');
  assert.equal(gh.state, 'stopped');
  gh.close();
});

test('recheck with no token yet resolves ok:false and stays idle', async () => {
  const page = setup();
  const gh = page.connect({ getToken: async () => null });
  await flush();
  const outcome = await gh.recheck();
  assert.equal(outcome.ok, false);
  assert.equal(outcome.code, 'TOKEN_MISSING');
  assert.equal(gh.state, 'idle');
  gh.close();
});

test('the HTTP base is derived from the WebSocket URL', () => {
  assert.equal(deriveHttpUrl('ws://localhost:8080/ws'), 'http://localhost:8080');
  assert.equal(deriveHttpUrl('wss://example.com/gh/ws'), 'https://example.com/gh');
  assert.throws(() => Gatehouse.connect({}), TypeError);
});

test('imports and runs in Node without WebSocket, document or window globals', async () => {
  assert.equal(typeof globalThis.document, 'undefined');
  const gh = Gatehouse.connect({ url: 'ws://127.0.0.1:1/ws', getToken: async () => '' });
  await flush();
  assert.equal(gh.state, 'idle');
  gh.close();
});
