// The dashboard's chart arithmetic: scales, ticks, SVG path data and stacking, as pure functions of
// numbers (no DOM), tested with node --test (gatehouse-browser/src/test/js). chart-view.js turns
// their output into SVG elements.
//
// Why SVG written here rather than a vendored chart library: three time-series charts of at most
// 900 points need a scale, a path and a stack, which this file and chart-view.js do in a few
// hundred lines (about 15 KB unminified). The lightest library that draws stacked areas (uPlot,
// about 50 KB minified) or a common one (Chart.js, about 200 KB) would be several times that, a
// third-party file to keep up to date inside the jar, and no simpler to test.

/** The span the charts show: the server keeps 900 one-second samples. */
export const WINDOW_MS = 15 * 60 * 1000;

/** Samples further apart than this many intervals are not joined: the line breaks there. */
export const GAP_INTERVALS = 2.5;

/** @typedef {{t: number, v: number}} Point a value at a time (epoch ms) */
/** @typedef {{t: number, y0: number, y1: number}} Band a stacked layer's bottom and top at a time */
/** @typedef {{key: string, bands: Band[]}} Layer */

/**
 * A linear map from `domain` onto `range` (either may be reversed, as SVG's y is).
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @returns {(value: number) => number}
 */
export function linearScale([d0, d1], [r0, r1]) {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / span;
  return (value) => r0 + (value - d0) * k;
}

/**
 * The smallest "round" number (1, 2, 2.5 or 5 times a power of ten) at or above `value`, so an
 * axis ends on a readable figure; 1 for nothing to show, so an empty chart still has an axis.
 * @param {number} value
 * @returns {number}
 */
export function niceCeiling(value) {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    // Float error: 0.3 / 0.1 is 2.9999999999999996; a relative epsilon keeps 3 from becoming 5.
    if (candidate >= value * (1 - 1e-12)) return candidate;
  }
  return 10 * power;
}

/**
 * `count` evenly spaced values from 0 to `max` inclusive (the gridlines of a y axis).
 * @param {number} max
 * @param {number} [count]
 * @returns {number[]}
 */
export function yTicks(max, count = 3) {
  if (count < 2) return [0, max];
  return Array.from({ length: count }, (_, i) => (max * i) / (count - 1));
}

/**
 * Ticks along a time axis ending at `end`: every `stepMs` back from `end`, labelled by how long
 * ago ("now", "−5 min"); relative labels need no time zone and read the same on every screen.
 * @param {number} end epoch ms
 * @param {number} [windowMs]
 * @param {number} [stepMs]
 * @returns {{t: number, label: string}[]} oldest first
 */
export function timeTicks(end, windowMs = WINDOW_MS, stepMs = 5 * 60 * 1000) {
  const ticks = [];
  for (let ago = Math.floor(windowMs / stepMs) * stepMs; ago >= 0; ago -= stepMs) {
    ticks.push({ t: end - ago, label: ago === 0 ? 'now' : `−${Math.round(ago / 60000)} min` });
  }
  return ticks;
}

/**
 * Splits time-ordered items into runs in which no two neighbours are more than `maxGapMs` apart.
 * @template {{t: number}} T
 * @param {T[]} items
 * @param {number} maxGapMs
 * @returns {T[][]}
 */
export function runs(items, maxGapMs) {
  /** @type {T[][]} */
  const out = [];
  let current = /** @type {T[]} */ ([]);
  for (const item of items) {
    if (current.length > 0 && item.t - current[current.length - 1].t > maxGapMs) {
      out.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** @param {number} n @returns {string} a coordinate with at most one decimal */
function coord(n) {
  return String(Math.round(n * 10) / 10);
}

/**
 * SVG path data for a line through `points`, broken where samples are missing (a run of one
 * point is drawn as a dot-sized segment so that it shows).
 * @param {Point[]} points time-ordered
 * @param {(t: number) => number} x
 * @param {(v: number) => number} y
 * @param {number} maxGapMs
 * @returns {string}
 */
export function linePath(points, x, y, maxGapMs) {
  const parts = [];
  for (const run of runs(points, maxGapMs)) {
    const [first, ...rest] = run;
    parts.push(`M${coord(x(first.t))} ${coord(y(first.v))}`);
    if (rest.length === 0) parts.push(`h0.1`);
    for (const p of rest) parts.push(`L${coord(x(p.t))} ${coord(y(p.v))}`);
  }
  return parts.join('');
}

/**
 * SVG path data for the area between each band's bottom and top: one closed shape per run, along
 * the tops left to right and back along the bottoms.
 * @param {Band[]} bands time-ordered
 * @param {(t: number) => number} x
 * @param {(v: number) => number} y
 * @param {number} maxGapMs
 * @returns {string}
 */
export function areaPath(bands, x, y, maxGapMs) {
  const parts = [];
  for (const run of runs(bands, maxGapMs)) {
    const shape = run.length === 1 ? [run[0], { ...run[0], t: run[0].t + maxGapMs / GAP_INTERVALS / 2 }] : run;
    const top = shape.map((b, i) => `${i === 0 ? 'M' : 'L'}${coord(x(b.t))} ${coord(y(b.y1))}`);
    const bottom = [...shape].reverse().map((b) => `L${coord(x(b.t))} ${coord(y(b.y0))}`);
    parts.push(`${top.join('')}${bottom.join('')}Z`);
  }
  return parts.join('');
}

/**
 * Stacks the values of `keys` at each time, in the order given (the first key at the bottom).
 * @param {{t: number, values: Record<string, number>}[]} rows time-ordered; a missing key is 0
 * @param {string[]} keys
 * @returns {Layer[]}
 */
export function stack(rows, keys) {
  const layers = keys.map((key) => ({ key, bands: /** @type {Band[]} */ ([]) }));
  for (const row of rows) {
    let base = 0;
    for (const layer of layers) {
      const value = Math.max(0, Number(row.values[layer.key]) || 0);
      layer.bands.push({ t: row.t, y0: base, y1: base + value });
      base += value;
    }
  }
  return layers;
}

/**
 * Averages rows over buckets of `bucketMs` aligned to the epoch, so that a bucket keeps its value
 * as samples arrive and the chart does not shimmer: one row per bucket that has samples, at its
 * newest sample's time. A per-second rate that happens once in a while (a refused upgrade) is a
 * hairline one sample wide; averaged over ten seconds it is a bar that can be seen.
 * @param {{t: number, values: Record<string, number>}[]} rows time-ordered; a missing key is 0
 * @param {number} bucketMs
 * @returns {{t: number, values: Record<string, number>}[]}
 */
export function bucketRows(rows, bucketMs) {
  /** @type {{key: number, t: number, n: number, sums: Record<string, number>}[]} */
  const buckets = [];
  for (const row of rows) {
    const key = Math.floor(row.t / bucketMs);
    let bucket = buckets[buckets.length - 1];
    if (!bucket || bucket.key !== key) {
      bucket = { key, t: row.t, n: 0, sums: {} };
      buckets.push(bucket);
    }
    bucket.t = row.t;
    bucket.n++;
    for (const [k, v] of Object.entries(row.values)) bucket.sums[k] = (bucket.sums[k] ?? 0) + (Number(v) || 0);
  }
  return buckets.map((b) => ({
    t: b.t,
    values: Object.fromEntries(Object.entries(b.sums).map(([k, sum]) => [k, sum / b.n])),
  }));
}

/**
 * The highest top of a stack (what its y axis must reach).
 * @param {Layer[]} layers
 * @returns {number}
 */
export function stackMax(layers) {
  const top = layers.length ? layers[layers.length - 1].bands : [];
  return top.reduce((max, b) => Math.max(max, b.y1), 0);
}

/**
 * The keys of `totals` with a positive total, largest first (ties by name), so the biggest
 * refusal sits on the accepted upgrades and the legend reads from most to least.
 * @param {Record<string, number>} totals
 * @returns {string[]}
 */
export function keysByTotal(totals) {
  return Object.entries(totals)
    .filter(([, total]) => total > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([key]) => key);
}

/**
 * Colour slots for keys, kept while the page lives, so a refusal code keeps its colour as others
 * come and go. A new key takes a slot no key has had yet; with all of them given out, a slot none
 * of the keys drawn now holds; failing that, the next in turn.
 * @param {Map<string, number>} slots key -> slot, updated in place
 * @param {string[]} keys the keys drawn now
 * @param {number} size the palette's length
 * @returns {Map<string, number>} slots
 */
export function assignSlots(slots, keys, size) {
  const drawn = new Set(keys.filter((k) => slots.has(k)).map((k) => slots.get(k)));
  for (const key of keys) {
    if (slots.has(key)) continue;
    const given = new Set(slots.values());
    let slot = [...Array(size).keys()].find((i) => !given.has(i));
    slot ??= [...Array(size).keys()].find((i) => !drawn.has(i));
    slot ??= slots.size % size;
    slots.set(key, slot);
    drawn.add(slot);
  }
  return slots;
}
