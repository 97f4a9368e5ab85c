import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATS_CHANNEL } from '../stats.js';
import { flush, setup, tokens } from './fakes.js';

const sample = (at, connections = 1) => ({ at, connections, upgrades_accepted: 0, upgrades_refused: {} });
const admin = { id: 'local:admin', name: 'admin', roles: ['admin'] };

async function connected() {
  const page = setup();
  const gh = page.connect({ getToken: tokens('tok-1') });
  await flush();
  page.socket.establish({ user: admin });
  return { page, gh };
}

test('get sends get_stats and resolves with the data of the stats_update that answers it', async () => {
  const { page, gh } = await connected();
  const s = page.socket;
  const got = gh.stats.get();
  const asked = s.last('get_stats');
  assert.ok(asked.id);
  const data = { node: 'n1', version: '0.1.0', interval_ms: 1000, now: sample('2030-01-01T00:00:02Z'), history: [sample('2030-01-01T00:00:01Z'), sample('2030-01-01T00:00:02Z')] };
  s.receive({ type: 'stats_update', id: asked.id, data });
  assert.deepEqual(await got, data);
  gh.close();
});

test('get rejects with PERMISSION_DENIED for a user without the admin role', async () => {
  const { page, gh } = await connected();
  const got = gh.stats.get();
  page.socket.receive({ type: 'error', id: page.socket.last('get_stats').id, code: 'PERMISSION_DENIED', message: 'admin only' });
  await assert.rejects(got, (e) => e.code === 'PERMISSION_DENIED');
  gh.close();
});

test('onUpdate subscribes gatehouse:stats and hands every push to the listener; the reply to get_stats is no push', async () => {
  const { page, gh } = await connected();
  const s = page.socket;
  const pushes = [];
  let subscribed = 0;
  gh.stats.onUpdate((p) => pushes.push(p.now.at), { onSubscribed: () => subscribed++ });
  const sub = s.last('subscribe');
  assert.equal(sub.channel, STATS_CHANNEL);
  s.receive({ type: 'subscribed', id: sub.id, channel: STATS_CHANNEL, offset: null, epoch: null, recovered: false, publications: [] });
  assert.equal(subscribed, 1);
  s.receive({ type: 'stats_update', data: { node: 'n1', now: sample('2030-01-01T00:00:03Z') } });
  s.receive({ type: 'stats_update', data: { node: 'n1', now: sample('2030-01-01T00:00:04Z') } });
  const got = gh.stats.get();
  s.receive({ type: 'stats_update', id: s.last('get_stats').id, data: { node: 'n1', now: sample('2030-01-01T00:00:05Z'), history: [] } });
  await got;
  assert.deepEqual(pushes, ['2030-01-01T00:00:03Z', '2030-01-01T00:00:04Z']);
  gh.close();
});

test('after a reconnect the stats channel is subscribed again and onSubscribed runs again', async () => {
  const { page, gh } = await connected();
  let subscribed = 0;
  gh.stats.onUpdate(() => {}, { onSubscribed: () => subscribed++ });
  const first = page.socket;
  first.receive({ type: 'subscribed', id: first.last('subscribe').id, channel: STATS_CHANNEL, recovered: false, publications: [] });
  first.serverClose(1006);
  await page.clock.advance(30_000);
  const second = page.socket;
  assert.notEqual(second, first);
  second.establish({ user: admin });
  const again = second.last('subscribe');
  assert.equal(again.channel, STATS_CHANNEL);
  second.receive({ type: 'subscribed', id: again.id, channel: STATS_CHANNEL, recovered: false, publications: [] });
  assert.equal(subscribed, 2);
  gh.close();
});

test('a refused stats subscription reaches onError with its code', async () => {
  const { page, gh } = await connected();
  const errors = [];
  gh.stats.onUpdate(() => {}, { onError: (e) => errors.push(e.code) });
  page.socket.receive({ type: 'error', id: page.socket.last('subscribe').id, code: 'PERMISSION_DENIED', message: 'admin only' });
  assert.deepEqual(errors, ['PERMISSION_DENIED']);
  gh.close();
});

test('stop unsubscribes and ends the listener; close ends the listeners of that handle only', async () => {
  const { page, gh } = await connected();
  const s = page.socket;
  const other = page.connect({ getToken: tokens('tok-1') });
  const mine = [];
  const theirs = [];
  const stop = gh.stats.onUpdate((p) => mine.push(p.now.at));
  other.stats.onUpdate((p) => theirs.push(p.now.at));
  s.receive({ type: 'subscribed', id: s.last('subscribe').id, channel: STATS_CHANNEL, recovered: false, publications: [] });
  s.receive({ type: 'stats_update', data: { node: 'n1', now: sample('t1') } });
  stop();
  assert.equal(s.all('unsubscribe').length, 0, 'the other handle still listens to the channel');
  s.receive({ type: 'stats_update', data: { node: 'n1', now: sample('t2') } });
  other.close();
  assert.deepEqual(mine, ['t1']);
  assert.deepEqual(theirs, ['t1', 't2']);
  gh.close();
});

test('a listener that throws does not keep the others from the push', async () => {
  const { page, gh } = await connected();
  const seen = [];
  const quiet = console.error;
  console.error = () => {};
  try {
    gh.stats.onUpdate(() => {
      throw new Error('boom');
    });
    gh.stats.onUpdate((p) => seen.push(p.node));
    page.socket.receive({ type: 'stats_update', data: { node: 'n1', now: sample('t1') } });
  } finally {
    console.error = quiet;
  }
  assert.deepEqual(seen, ['n1']);
  gh.close();
});
