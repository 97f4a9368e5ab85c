// The deployment's nodes (several nodes on Redis): the get_stats answer's `nodes` (the newest
// sample of every live node) and `total` as rows of the Nodes table. A single node's answer has
// neither, and the table stays hidden. Pure functions (tested with node --test) and one renderer.

import { formatBytes, formatCount, formatCpu, formatRate } from './format.js';
import { byId } from './view.js';

/**
 * @typedef {object} NodeRow
 * @property {string} node HOST:PORT
 * @property {boolean} self the node this page talks to
 * @property {number} connections
 * @property {number} deliveries per second
 * @property {number} messagesIn per second
 * @property {number} messagesOut per second
 * @property {number|null} cpu cores, null in the total
 * @property {number|null} heap bytes, null in the total
 */

/**
 * The rows of the Nodes table, one per live node (this one first, then by name) and the total;
 * null when the answer has no `nodes` (one node, or the memory broker).
 * @param {any} snapshot a get_stats answer
 * @returns {{rows: NodeRow[], total: NodeRow}|null}
 */
export function nodeRows(snapshot) {
  if (!snapshot || !Array.isArray(snapshot.nodes) || !snapshot.total) return null;
  /** @type {NodeRow[]} */
  const rows = snapshot.nodes.map((/** @type {any} */ n) => row(String(n.node), n.node === snapshot.node, n.now));
  rows.sort((a, b) => Number(b.self) - Number(a.self) || a.node.localeCompare(b.node));
  const total = row(`${formatCount(Number(snapshot.total.nodes) || rows.length)} nodes`, false, snapshot.total);
  total.cpu = null;
  total.heap = null;
  return { rows, total };
}

/**
 * @param {string} node
 * @param {boolean} self
 * @param {any} sample
 * @returns {NodeRow}
 */
function row(node, self, sample) {
  const s = sample ?? {};
  return {
    node,
    self,
    connections: Number(s.connections) || 0,
    deliveries: Number(s.deliveries) || 0,
    messagesIn: Number(s.messages_in) || 0,
    messagesOut: Number(s.messages_out) || 0,
    cpu: typeof s.cpu_process === 'number' ? s.cpu_process : null,
    heap: typeof s.heap_used_bytes === 'number' ? s.heap_used_bytes : null,
  };
}

/**
 * Fills #nodes (one tr[data-testid=node] per node, [data-self] on this one) and #nodes-total
 * (tr[data-testid=nodes-total]) from a get_stats answer; hides #nodes-panel when it has no nodes.
 * @param {any} snapshot
 */
export function renderNodes(snapshot) {
  const table = nodeRows(snapshot);
  byId('nodes-panel').hidden = table === null;
  if (table === null) return;
  byId('nodes').replaceChildren(...table.rows.map((r) => tr(r, 'node')));
  byId('nodes-total').replaceChildren(tr(table.total, 'nodes-total'));
}

/**
 * @param {NodeRow} r
 * @param {string} testId
 * @returns {HTMLTableRowElement}
 */
function tr(r, testId) {
  const out = document.createElement('tr');
  out.dataset.testid = testId;
  out.dataset.node = r.node;
  if (r.self) out.dataset.self = 'true';
  const cells = [
    r.self ? `${r.node} (this one)` : r.node,
    formatCount(r.connections),
    formatRate(r.deliveries),
    `${formatRate(r.messagesIn)} / ${formatRate(r.messagesOut)}`,
    r.cpu === null ? '' : formatCpu(r.cpu),
    r.heap === null ? '' : formatBytes(r.heap),
  ];
  cells.forEach((text, i) => {
    const cell = document.createElement(i === 0 ? 'th' : 'td');
    cell.textContent = text;
    if (i === 1) cell.dataset.value = String(r.connections);
    out.append(cell);
  });
  return out;
}
