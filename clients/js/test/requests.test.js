import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Requests } from '../requests.js';

test('each request gets a new id and its reply settles it', async () => {
  const requests = new Requests();
  const sent = [];
  const a = requests.request({ type: 'ping' }, (f) => sent.push(f));
  const b = requests.request({ type: 'presence', channel: 'c' }, (f) => sent.push(f));
  assert.notEqual(sent[0].id, sent[1].id);
  assert.equal(requests.settle({ type: 'presence', id: sent[1].id, clients: [] }), true);
  assert.equal(requests.settle({ type: 'pong', id: 999 }), false);
  requests.settle({ type: 'pong', id: sent[0].id });
  assert.equal((await a).type, 'pong');
  assert.deepEqual((await b).clients, []);
});

test('an error reply rejects with its code and hint', async () => {
  const requests = new Requests();
  const sent = [];
  const p = requests.request({ type: 'publish' }, (f) => sent.push(f));
  requests.settle({ type: 'error', id: sent[0].id, code: 'PERMISSION_DENIED', message: 'nope' });
  await assert.rejects(p, (e) => e.code === 'PERMISSION_DENIED' && e.hint === 'nope');
});

test('rejectAll rejects every pending request with CONNECTION_LOST', async () => {
  const requests = new Requests();
  const p = requests.request({ type: 'ping' }, () => {});
  const q = requests.request({ type: 'ping' }, () => {});
  requests.rejectAll();
  await assert.rejects(p, { code: 'CONNECTION_LOST' });
  await assert.rejects(q, { code: 'CONNECTION_LOST' });
  assert.equal(requests.pending.size, 0);
});
