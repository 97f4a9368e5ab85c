// The dashboard's copy of the stats samples (web/dashboard/samples.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WINDOW_MS } from '../../../../../gatehouse-server/src/main/resources/web/dashboard/charts.js';
import {
  ACCEPTED, MAX_SAMPLES, mergeSamples, refusalTotals, refusedRate, upgradeCounts, upgradeRows,
} from '../../../../../gatehouse-server/src/main/resources/web/dashboard/samples.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const at = (seconds) => new Date(T0 + seconds * 1000).toISOString();
const sample = (seconds, extra = {}) => ({ at: at(seconds), connections: seconds, upgrades_accepted: 1, upgrades_refused: {}, ...extra });

test('merging keeps one sample per time, oldest first; a push the history already has is not doubled', () => {
  const history = [sample(1), sample(2), sample(3)];
  const merged = mergeSamples(history, [sample(3, { connections: 99 }), sample(4)]);
  assert.deepEqual(merged.map((s) => s.at), [at(1), at(2), at(3), at(4)]);
  assert.equal(merged[2].connections, 99, 'the incoming sample replaces its twin');
});

test('merging sorts out-of-order pushes and drops samples without a time', () => {
  const merged = mergeSamples([sample(5)], [sample(2), { at: 'nonsense' }, null, sample(4)]);
  assert.deepEqual(merged.map((s) => s.at), [at(2), at(4), at(5)]);
});

test('merging keeps at most MAX_SAMPLES, and nothing older than the window before the newest', () => {
  const many = Array.from({ length: MAX_SAMPLES + 50 }, (_, i) => sample(i));
  const merged = mergeSamples([], many);
  assert.equal(merged.length, MAX_SAMPLES);
  assert.equal(merged[merged.length - 1].at, at(MAX_SAMPLES + 49));
  const gapped = mergeSamples([sample(0), sample(10)], [sample(WINDOW_MS / 1000 + 5)]);
  assert.deepEqual(gapped.map((s) => s.at), [at(10), at(WINDOW_MS / 1000 + 5)]);
  assert.deepEqual(mergeSamples([], []), []);
});

test('refused rates add up over the codes of a sample and over samples per code', () => {
  const samples = [
    sample(1, { upgrades_refused: { TOKEN_INVALID: 2, RATE_LIMITED: 0.5 } }),
    sample(2, { upgrades_refused: { TOKEN_INVALID: 1 } }),
    sample(3),
  ];
  assert.equal(refusedRate(samples[0]), 2.5);
  assert.equal(refusedRate(samples[2]), 0);
  assert.equal(refusedRate(undefined), 0);
  assert.deepEqual(refusalTotals(samples), { TOKEN_INVALID: 3, RATE_LIMITED: 0.5 });
});

test('upgrade rows are accepted and each refusal code by time in epoch ms', () => {
  const samples = [sample(1), sample(2, { upgrades_accepted: 3, upgrades_refused: { TOKEN_INVALID: 2 } })];
  assert.deepEqual(upgradeRows(samples), [
    { t: T0 + 1000, values: { [ACCEPTED]: 1 } },
    { t: T0 + 2000, values: { TOKEN_INVALID: 2, [ACCEPTED]: 3 } },
  ]);
});

test('upgrade counts are the rates times the interval, added up and rounded', () => {
  const samples = [
    sample(1, { upgrades_accepted: 2, upgrades_refused: { TOKEN_INVALID: 1 } }),
    sample(2, { upgrades_accepted: 0.5, upgrades_refused: { TOKEN_INVALID: 1, RATE_LIMITED: 0.25 } }),
  ];
  assert.deepEqual(upgradeCounts(samples, 1000), { [ACCEPTED]: 3, TOKEN_INVALID: 2, RATE_LIMITED: 0 });
  assert.deepEqual(upgradeCounts(samples, 4000), { [ACCEPTED]: 10, TOKEN_INVALID: 8, RATE_LIMITED: 1 });
  assert.deepEqual(upgradeCounts([], 1000), {});
});
