// How the dashboard writes figures (web/dashboard/format.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes, formatCount, formatCpu, formatDuration, formatHeapOf, formatRate, formatTick, formatTime, shortList, since,
} from '../../../../../gatehouse-server/src/main/resources/web/dashboard/format.js';

test('counts have thousands separators; no value is a dash', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(12345), '12,345');
  assert.equal(formatCount(null), '—');
  assert.equal(formatCount(Number.NaN), '—');
});

test('rates: one decimal under 10, whole numbers, then k and M', () => {
  assert.equal(formatRate(0), '0');
  assert.equal(formatRate(0.25), '0.3');
  assert.equal(formatRate(9.94), '9.9');
  assert.equal(formatRate(10.4), '10');
  assert.equal(formatRate(9999), '9,999');
  assert.equal(formatRate(12345), '12.3k');
  assert.equal(formatRate(20000), '20k');
  assert.equal(formatRate(2_500_000), '2.5M');
  assert.equal(formatRate(undefined), '—');
});

test('bytes in binary units', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(64 * 1024), '64 KiB');
  assert.equal(formatBytes(1.5 * 1024 ** 3), '1.5 GiB');
  assert.equal(formatBytes(212 * 1024 ** 2 + 5), '212 MiB');
  assert.equal(formatBytes(-1), '—');
});

test('durations in their two largest units', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(9_999), '9s');
  assert.equal(formatDuration(245_000), '4m 05s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3d 04h');
  assert.equal(formatDuration(null), '—');
});

test('CPU as a share of one core; the heap maximum with the share used', () => {
  assert.equal(formatCpu(0.354), '35 %');
  assert.equal(formatCpu(2), '200 %');
  assert.equal(formatCpu(undefined), '—');
  assert.equal(formatHeapOf(256 * 1024 ** 2, 1024 ** 3), 'of 1 GiB (25 %)');
  assert.equal(formatHeapOf(256 * 1024 ** 2, -1), '');
  assert.equal(formatHeapOf(undefined, 1024), 'of 1 KiB');
});

test('times in local time to the second; since() is how long ago', () => {
  const d = new Date(2030, 0, 2, 3, 4, 5);
  assert.equal(formatTime(d), '2030-01-02 03:04:05');
  assert.equal(formatTime(d.toISOString()), '2030-01-02 03:04:05');
  assert.equal(formatTime('not a time'), '—');
  assert.equal(formatTime(null), '—');
  assert.equal(since('2030-01-01T00:00:00Z', Date.parse('2030-01-01T00:04:05Z')), '4m 05s');
  assert.equal(since(null, 0), '—');
  assert.equal(since('2030-01-01T00:00:10Z', Date.parse('2030-01-01T00:00:00Z')), '0s', 'a clock behind the server');
});

test('a short list shows the first items and how many more', () => {
  assert.equal(shortList(['a', 'b']), 'a, b');
  assert.equal(shortList(['a', 'b', 'c', 'd', 'e']), 'a, b, c +2');
  assert.equal(shortList([]), '—');
  assert.equal(shortList(null), '—');
});

test('axis labels keep up to two decimals, so a half of 2.5 reads 1.25, not 1.3', () => {
  assert.deepEqual([0, 0.25, 0.5, 1.25, 2.5, 5, 50, 125, 2500, 12500, 2.5e6].map(formatTick),
    ['0', '0.25', '0.5', '1.25', '2.5', '5', '50', '125', '2,500', '12.5k', '2.5M']);
  assert.equal(formatTick(Number.NaN), '');
});
