// The dashboard's Nodes table (web/dashboard/nodes.js): rows from a get_stats answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeRows } from '../../../../../gatehouse-server/src/main/resources/web/dashboard/nodes.js';

const sample = (connections, extra = {}) => ({
  connections, deliveries: 10 * connections, messages_in: 1, messages_out: 2, cpu_process: 0.5,
  heap_used_bytes: 1024, ...extra,
});

test('one node (no nodes in the answer) has no table', () => {
  assert.equal(nodeRows(null), null);
  assert.equal(nodeRows({ node: 'a:1', now: sample(3) }), null);
  assert.equal(nodeRows({ node: 'a:1', nodes: [{ node: 'a:1', now: sample(3) }] }), null); // no total
});

test('this node first, then the others by name, and the total', () => {
  const answer = {
    node: 'b:2',
    nodes: [{ node: 'c:3', now: sample(1) }, { node: 'b:2', now: sample(2) }, { node: 'a:1', now: sample(4) }],
    total: { nodes: 3, connections: 7, deliveries: 70, messages_in: 3, messages_out: 6, cpu_process: 1.5 },
  };
  const table = nodeRows(answer);
  assert.deepEqual(table.rows.map((r) => [r.node, r.self, r.connections]), [
    ['b:2', true, 2], ['a:1', false, 4], ['c:3', false, 1],
  ]);
  assert.equal(table.rows[0].deliveries, 20);
  assert.equal(table.rows[0].cpu, 0.5);
  assert.equal(table.total.node, '3 nodes');
  assert.equal(table.total.connections, 7);
  assert.equal(table.total.messagesOut, 6);
  assert.equal(table.total.cpu, null, 'CPU and heap are per node: the total leaves them out');
  assert.equal(table.total.heap, null);
});

test('a sample with missing figures shows zeros, not NaN', () => {
  const table = nodeRows({ node: 'a:1', nodes: [{ node: 'a:1' }], total: { nodes: 1 } });
  assert.deepEqual(
    [table.rows[0].connections, table.rows[0].deliveries, table.rows[0].cpu, table.total.connections],
    [0, 0, null, 0],
  );
});
