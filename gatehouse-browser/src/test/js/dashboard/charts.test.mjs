// The dashboard's chart arithmetic (web/dashboard/charts.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GAP_INTERVALS, WINDOW_MS, areaPath, assignSlots, bucketRows, keysByTotal, linePath, linearScale, niceCeiling, runs, stack,
  stackMax, timeTicks, yTicks,
} from '../../../../../gatehouse-server/src/main/resources/web/dashboard/charts.js';

const identity = (v) => v;

test('a linear scale maps the domain onto the range, reversed ranges included (SVG y grows down)', () => {
  const x = linearScale([1000, 2000], [0, 100]);
  assert.equal(x(1000), 0);
  assert.equal(x(1500), 50);
  assert.equal(x(2000), 100);
  const y = linearScale([0, 10], [80, 0]);
  assert.equal(y(0), 80);
  assert.equal(y(10), 0);
  assert.equal(y(5), 40);
});

test('an empty domain maps everything to the middle of the range instead of dividing by zero', () => {
  assert.equal(linearScale([5, 5], [0, 100])(5), 50);
});

test('niceCeiling rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
  assert.equal(niceCeiling(0), 1);
  assert.equal(niceCeiling(-3), 1);
  assert.equal(niceCeiling(Number.NaN), 1);
  assert.equal(niceCeiling(0.7), 1);
  assert.equal(niceCeiling(1), 1);
  assert.equal(niceCeiling(1.2), 2);
  assert.equal(niceCeiling(2.2), 2.5);
  assert.equal(niceCeiling(3), 5);
  assert.equal(niceCeiling(7), 10);
  assert.equal(niceCeiling(10), 10);
  assert.equal(niceCeiling(11), 20);
  assert.equal(niceCeiling(240), 250);
  assert.equal(niceCeiling(0.03), 0.05);
  assert.equal(niceCeiling(0.3 / 0.1), 5, 'float error does not push 3 past 5');
  assert.equal(niceCeiling(1e6 + 1), 2e6);
});

test('yTicks spreads count values from 0 to max', () => {
  assert.deepEqual(yTicks(10, 3), [0, 5, 10]);
  assert.deepEqual(yTicks(1, 5), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(yTicks(4, 1), [0, 4]);
});

test('timeTicks label every 5 minutes back from the end, oldest first', () => {
  const end = 10_000_000;
  const ticks = timeTicks(end);
  assert.deepEqual(ticks.map((t) => t.label), ['−15 min', '−10 min', '−5 min', 'now']);
  assert.deepEqual(ticks.map((t) => t.t), [end - WINDOW_MS, end - 600_000, end - 300_000, end]);
});

test('runs split where neighbours are further apart than the gap', () => {
  const items = [1, 2, 3, 10, 11, 30].map((t) => ({ t }));
  assert.deepEqual(runs(items, 2).map((r) => r.map((i) => i.t)), [[1, 2, 3], [10, 11], [30]]);
  assert.deepEqual(runs([], 2), []);
});

test('a line path moves at each gap and draws a lone point as a short segment', () => {
  const points = [{ t: 0, v: 1 }, { t: 1, v: 2 }, { t: 5, v: 3 }];
  assert.equal(linePath(points, identity, identity, 2), 'M0 1L1 2M5 3h0.1');
  assert.equal(linePath([], identity, identity, 2), '');
});

test('coordinates are rounded to one decimal, so a path of 900 points stays short', () => {
  const x = linearScale([0, 3], [0, 1]);
  assert.equal(linePath([{ t: 1, v: 0.123456 }, { t: 2, v: 0.98765 }], x, identity, 5), 'M0.3 0.1L0.7 1');
});

test('stack puts each key on the ones before it, a missing or negative value counting as 0', () => {
  const rows = [
    { t: 0, values: { accepted: 2, TOKEN_INVALID: 1 } },
    { t: 1, values: { accepted: 3 } },
    { t: 2, values: { accepted: 1, TOKEN_INVALID: -4, RATE_LIMITED: 5 } },
  ];
  const layers = stack(rows, ['accepted', 'TOKEN_INVALID', 'RATE_LIMITED']);
  assert.deepEqual(layers.map((l) => l.key), ['accepted', 'TOKEN_INVALID', 'RATE_LIMITED']);
  assert.deepEqual(layers[0].bands, [{ t: 0, y0: 0, y1: 2 }, { t: 1, y0: 0, y1: 3 }, { t: 2, y0: 0, y1: 1 }]);
  assert.deepEqual(layers[1].bands, [{ t: 0, y0: 2, y1: 3 }, { t: 1, y0: 3, y1: 3 }, { t: 2, y0: 1, y1: 1 }]);
  assert.deepEqual(layers[2].bands, [{ t: 0, y0: 3, y1: 3 }, { t: 1, y0: 3, y1: 3 }, { t: 2, y0: 1, y1: 6 }]);
  assert.equal(stackMax(layers), 6);
  assert.equal(stackMax([]), 0);
});

test('an area path goes along the tops and back along the bottoms, one closed shape per run', () => {
  const bands = [{ t: 0, y0: 0, y1: 2 }, { t: 1, y0: 1, y1: 3 }, { t: 9, y0: 0, y1: 1 }, { t: 10, y0: 0, y1: 1 }];
  assert.equal(areaPath(bands, identity, identity, 2), 'M0 2L1 3L1 1L0 0ZM9 1L10 1L10 0L9 0Z');
});

test('a lone band is widened to half an interval so that it shows', () => {
  const gap = 1000 * GAP_INTERVALS;
  assert.equal(areaPath([{ t: 0, y0: 0, y1: 1 }], identity, identity, gap), 'M0 1L500 1L500 0L0 0Z');
});

test('keysByTotal orders positive totals largest first, ties by name', () => {
  assert.deepEqual(keysByTotal({ B: 2, A: 2, C: 5, D: 0, E: -1 }), ['C', 'A', 'B']);
  assert.deepEqual(keysByTotal({}), []);
});

test('colour slots: a key keeps its slot; new keys take slots nobody had, then slots not drawn now', () => {
  const slots = new Map();
  assignSlots(slots, ['A', 'B'], 3);
  assert.deepEqual([...slots], [['A', 0], ['B', 1]]);
  assignSlots(slots, ['C', 'A'], 3);
  assert.deepEqual([...slots], [['A', 0], ['B', 1], ['C', 2]]);
  assignSlots(slots, ['D', 'C'], 3);
  assert.equal(slots.get('D'), 0, 'every slot was given out: the first one not drawn now (A and B are not)');
  assert.equal(slots.get('C'), 2);
  assignSlots(slots, ['E', 'D', 'C', 'B'], 3);
  assert.equal(slots.get('E'), 1, 'every slot drawn now: the next in turn (the fifth key, 4 % 3)');
});

test('bucketRows averages each epoch-aligned bucket, a missing key counting as 0, at its newest time', () => {
  const rows = [
    { t: 10_000, values: { a: 1 } },
    { t: 11_000, values: { a: 3, b: 2 } },
    { t: 19_000, values: { a: 2 } },
    { t: 20_000, values: { a: 6 } },
    { t: 45_000, values: { b: 1 } },
  ];
  assert.deepEqual(bucketRows(rows, 10_000), [
    { t: 19_000, values: { a: 2, b: 2 / 3 } },
    { t: 20_000, values: { a: 6 } },
    { t: 45_000, values: { b: 1 } },
  ]);
  assert.deepEqual(bucketRows([], 10_000), []);
});

test('a bucket keeps its value as later samples arrive in later buckets', () => {
  const rows = Array.from({ length: 25 }, (_, i) => ({ t: 100_000 + i * 1000, values: { a: i } }));
  const before = bucketRows(rows.slice(0, 21), 10_000);
  const after = bucketRows(rows, 10_000);
  assert.deepEqual(after.slice(0, 2), before.slice(0, 2));
});
