// The dashboard's three charts over the last 15 minutes, drawn as inline SVG from the pure
// arithmetic of charts.js (why no library: see there). Colours come from dashboard.css classes
// (.line, .area-accepted, .code-0 … .code-7), so this file holds no style.
//
// Each chart's <svg> carries data-samples (how many samples it drew from) and data-last (the
// newest point: connections; for the rate charts the newest 10-second average, upgrades accepted
// and refused together): browser tests wait on them.

import {
  GAP_INTERVALS, WINDOW_MS, areaPath, assignSlots, bucketRows, keysByTotal, linePath, linearScale, niceCeiling, stack,
  stackMax, timeTicks, yTicks,
} from './charts.js';
import { formatCount, formatTick } from './format.js';
import { ACCEPTED, refusalTotals, upgradeCounts, upgradeRows } from './samples.js';
import { el, svg } from './view.js';

/** How many colours dashboard.css has for refusal codes (.code-0 … .code-7). */
const PALETTE_SIZE = 8;

/** Each refusal code's colour slot, kept while the page lives. */
const slots = new Map();

/**
 * Rates are drawn as averages over buckets this long (charts.js bucketRows): 90 over the window,
 * each a few pixels wide, where one-second samples would be hairlines.
 */
export const RATE_BUCKET_MS = 10_000;

/** The plot's margins inside the SVG: room for the y labels on the left and the times below. */
const PAD = { left: 42, right: 8, top: 8, bottom: 20 };

/** @typedef {import('./samples.js').Sample} Sample */
/** @typedef {{end: number, intervalMs: number}} Frame the window's end (epoch ms) and the sample interval */

/**
 * Clears `target` and draws the axes for values 0..yMax over the window ending at `end`.
 * @param {SVGSVGElement} target
 * @param {number} yMax
 * @param {number} end
 * @returns {{x: (t: number) => number, y: (v: number) => number, plot: SVGElement}|null} null while hidden
 */
function axes(target, yMax, end) {
  const width = Math.round(target.getBoundingClientRect().width);
  const height = Math.round(target.getBoundingClientRect().height);
  if (width < 60 || height < 40) return null; // not laid out (hidden, or before the first layout)
  target.replaceChildren();
  target.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const x = linearScale([end - WINDOW_MS, end], [PAD.left, width - PAD.right]);
  const y = linearScale([0, yMax], [height - PAD.bottom, PAD.top]);
  const grid = svg('g', { class: 'grid' });
  for (const value of yTicks(yMax, 3)) {
    grid.append(svg('line', { x1: PAD.left, x2: width - PAD.right, y1: y(value), y2: y(value) }));
    const label = svg('text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end' });
    label.textContent = formatTick(value);
    grid.append(label);
  }
  for (const tick of timeTicks(end)) {
    const anchor = tick.label === 'now' ? 'end' : tick.t === end - WINDOW_MS ? 'start' : 'middle';
    const label = svg('text', { x: x(tick.t), y: height - 5, 'text-anchor': anchor });
    label.textContent = tick.label;
    grid.append(label);
  }
  const plot = svg('g', { class: 'plot' });
  target.append(grid, plot);
  return { x, y, plot };
}

/**
 * A line chart of one figure of the samples: as it is (a level, like connections), or averaged
 * over RATE_BUCKET_MS (a rate).
 * @param {SVGSVGElement} target
 * @param {Sample[]} samples oldest first
 * @param {(s: Sample) => number} pick
 * @param {Frame & {rate?: boolean}} frame
 */
export function drawLine(target, samples, pick, { end, intervalMs, rate = false }) {
  const rows = samples.map((s) => ({ t: Date.parse(s.at), values: { v: Number(pick(s)) || 0 } }));
  const step = rate ? RATE_BUCKET_MS : intervalMs;
  const points = (rate ? bucketRows(rows, step) : rows).map((r) => ({ t: r.t, v: r.values.v ?? 0 }));
  const max = niceCeiling(points.reduce((m, p) => Math.max(m, p.v), 0));
  const drawn = axes(target, max, end);
  if (!drawn) return;
  drawn.plot.append(svg('path', { class: 'line', d: linePath(points, drawn.x, drawn.y, Math.max(step, intervalMs) * GAP_INTERVALS) }));
  target.dataset.samples = String(samples.length);
  target.dataset.last = points.length ? String(points[points.length - 1].v) : '';
}

/**
 * Accepted upgrades with the refused ones stacked on them by refusal code, averaged over
 * RATE_BUCKET_MS, and its legend: each code with how many upgrades it had in the window.
 * @param {SVGSVGElement} target
 * @param {HTMLElement} legend a <ul>
 * @param {Sample[]} samples oldest first
 * @param {Frame} frame
 */
export function drawUpgrades(target, legend, samples, { end, intervalMs }) {
  const codes = keysByTotal(refusalTotals(samples));
  assignSlots(slots, codes, PALETTE_SIZE);
  const layers = stack(bucketRows(upgradeRows(samples), RATE_BUCKET_MS), [ACCEPTED, ...codes]);
  const drawn = axes(target, niceCeiling(stackMax(layers)), end);
  if (!drawn) return;
  const gap = Math.max(RATE_BUCKET_MS, intervalMs) * GAP_INTERVALS;
  for (const layer of layers) {
    const colour = layer.key === ACCEPTED ? 'area-accepted' : `area-code code-${slots.get(layer.key)}`;
    const shape = svg('path', { class: colour, d: areaPath(layer.bands, drawn.x, drawn.y, gap) });
    const title = svg('title');
    title.textContent = layer.key === ACCEPTED ? 'accepted upgrades' : `refused: ${layer.key}`;
    shape.append(title);
    drawn.plot.append(shape);
  }
  const top = layers.length ? layers[layers.length - 1].bands : [];
  target.dataset.samples = String(samples.length);
  target.dataset.last = top.length ? String(top[top.length - 1].y1) : '';
  const counts = upgradeCounts(samples, intervalMs);
  const items = [
    el('li', { className: 'legend-note', text: 'in 15 min:' }),
    legendItem('swatch area-accepted', 'accepted', counts[ACCEPTED] ?? 0),
  ];
  for (const code of codes) {
    const item = legendItem(`swatch area-code code-${slots.get(code)}`, code, counts[code] ?? 0);
    item.dataset.code = code;
    items.push(item);
  }
  legend.replaceChildren(...items);
}

/**
 * @param {string} swatchClass
 * @param {string} name
 * @param {number} count upgrades in the window
 * @returns {HTMLElement}
 */
function legendItem(swatchClass, name, count) {
  return el('li', { attrs: { title: `${formatCount(count)} in the last 15 minutes` } }, [
    el('span', { className: swatchClass, attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'legend-name', text: name }),
    el('span', { className: 'legend-count', text: formatCount(count) }),
  ]);
}
