import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subscription, Subscriptions } from '../subscription.js';

function recording(channel = 'news') {
  const got = [];
  const subscribed = [];
  const subscription = new Subscription(channel);
  subscription.listeners.add({
    onMessage: (data, meta) => got.push([data, meta.offset, meta.epoch]),
    onSubscribed: (info) => subscribed.push(info),
  });
  return { got, subscribed, subscription };
}

const msg = (offset, epoch = 'e1', channel = 'news') => ({ type: 'message', channel, offset, epoch, data: `m${offset}`, published_at: 't' });

test('the first subscribe has no since; the next one sends the last delivered offset and epoch', () => {
  const { subscription } = recording();
  assert.deepEqual(subscription.request(), { type: 'subscribe', channel: 'news' });
  subscription.status = 'active';
  subscription.deliver(msg(7));
  assert.deepEqual(subscription.request(), { type: 'subscribe', channel: 'news', since: { offset: 7, epoch: 'e1' } });
});

test('recovered publications come first, then the held-back live messages, without duplicates', () => {
  const { got, subscribed, subscription } = recording();
  subscription.status = 'active';
  subscription.deliver(msg(1));
  subscription.deliver(msg(2));
  subscription.status = 'pending';
  subscription.onMessage(msg(5)); // arrived before the reply: held back
  subscription.onMessage(msg(4));
  subscription.onSubscribed({ channel: 'news', offset: 4, epoch: 'e1', recovered: true, publications: [msg(2), msg(3), msg(4)] });
  subscription.onMessage(msg(5)); // a duplicate
  subscription.onMessage(msg(6));
  assert.deepEqual(got.map((g) => g[1]), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(subscribed, [{ recovered: true, offset: 4, epoch: 'e1' }]);
});

test('the application\'s data of a proxied subscribe reaches onSubscribed', () => {
  const { subscribed, subscription } = recording();
  subscription.onSubscribed({ channel: 'room:1', offset: 0, epoch: 'e1', recovered: false, publications: [], data: { role: 'member' } });
  assert.deepEqual(subscribed, [{ recovered: false, offset: 0, epoch: 'e1', data: { role: 'member' } }]);
});

test('recovered:false and an epoch change are reported, and delivery goes on from the new position', () => {
  const { got, subscribed, subscription } = recording();
  subscription.status = 'active';
  subscription.deliver(msg(9));
  subscription.status = 'pending';
  subscription.onSubscribed({ channel: 'news', offset: 2, epoch: 'e2', recovered: false, publications: [] });
  subscription.onMessage(msg(3, 'e2'));
  assert.deepEqual(subscribed, [{ recovered: false, offset: 2, epoch: 'e2' }]);
  assert.deepEqual(got.map((g) => [g[1], g[2]]), [[9, 'e1'], [3, 'e2']]);
  assert.deepEqual(subscription.cursor, { offset: 3, epoch: 'e2' });
});

test('messages without an offset are delivered as they come', () => {
  const { got, subscription } = recording();
  subscription.status = 'active';
  subscription.deliver({ channel: 'news', data: 'a' });
  subscription.deliver({ channel: 'news', data: 'a' });
  assert.equal(got.length, 2);
});

test('the personal channel without a cursor is active at once; with one it is subscribed with since', () => {
  const subscriptions = new Subscriptions();
  const calls = [];
  const call = (message) => calls.push(message);
  const subscribed = [];
  const { subscription } = subscriptions.listen('#alice', { onMessage() {}, onSubscribed: (i) => subscribed.push(i) });
  subscriptions.start(subscription, call, '#alice');
  assert.equal(calls.length, 0);
  assert.equal(subscription.status, 'active');
  assert.deepEqual(subscribed, [{ recovered: false, offset: null, epoch: null }]);
  subscription.deliver(msg(3, 'e1', '#alice'));
  subscriptions.suspendAll();
  subscriptions.start(subscription, call, '#alice');
  assert.deepEqual(calls, [{ type: 'subscribe', channel: '#alice', since: { offset: 3, epoch: 'e1' } }]);
});

test('a refused subscribe ends the subscription and tells onError; a lost connection does not', () => {
  const subscriptions = new Subscriptions();
  const errors = [];
  const { subscription } = subscriptions.listen('secret', { onMessage() {}, onError: (e) => errors.push(e) });
  subscriptions.start(subscription, (m, reply, fail) => fail({ code: 'CONNECTION_LOST' }), null);
  assert.equal(subscriptions.byChannel.size, 1);
  subscriptions.start(subscription, (m, reply, fail) => fail({ code: 'PERMISSION_DENIED', hint: 'no' }), null);
  assert.deepEqual(errors, [{ code: 'PERMISSION_DENIED', message: 'no' }]);
  assert.equal(subscriptions.byChannel.size, 0);
});

test('an unprompted unsubscribed with a code ends the subscription', () => {
  const subscriptions = new Subscriptions();
  const errors = [];
  subscriptions.listen('c', { onMessage() {}, onError: (e) => errors.push(e) });
  subscriptions.onUnsubscribed({ type: 'unsubscribed', channel: 'c', code: 'PERMISSION_DENIED', message: 'gone' });
  assert.deepEqual(errors, [{ code: 'PERMISSION_DENIED', message: 'gone' }]);
  assert.equal(subscriptions.byChannel.size, 0);
});
