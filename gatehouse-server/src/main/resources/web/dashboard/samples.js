// The dashboard's copy of a node's stats samples (docs/protocol.md, "Stats"): the history that
// get_stats answers, then one sample per stats_update push. Pure functions of arrays (tested with
// node --test, gatehouse-browser/src/test/js): merging, and the rows the upgrades chart draws.

import { WINDOW_MS } from './charts.js';

/** At most this many samples are kept: the server's ring of 900 one-second samples. */
export const MAX_SAMPLES = 900;

/** @typedef {import('/client/stats.js').StatsSample} Sample */

/**
 * `current` and `incoming` merged by time: one sample per `at` (an incoming one replaces its
 * twin, so a push that get_stats's history already holds is not counted twice), oldest first,
 * none older than WINDOW_MS before the newest, at most `max`.
 * @param {Sample[]} current
 * @param {Sample[]} incoming
 * @param {number} [max]
 * @returns {Sample[]}
 */
export function mergeSamples(current, incoming, max = MAX_SAMPLES) {
  /** @type {Map<number, Sample>} */
  const byTime = new Map();
  for (const s of [...current, ...incoming]) {
    const t = Date.parse(s?.at);
    if (!Number.isNaN(t)) byTime.set(t, s);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  if (times.length === 0) return [];
  const oldest = times[times.length - 1] - WINDOW_MS;
  return times
    .filter((t) => t >= oldest)
    .slice(-max)
    .map((t) => /** @type {Sample} */ (byTime.get(t)));
}

/**
 * Refused upgrades per second in a sample, all codes together.
 * @param {Sample|null|undefined} sample
 * @returns {number}
 */
export function refusedRate(sample) {
  const refused = sample?.upgrades_refused ?? {};
  return Object.values(refused).reduce((sum, v) => sum + (Number(v) || 0), 0);
}

/**
 * The sum of each refusal code's rate over `samples` (which codes to stack, biggest first).
 * @param {Sample[]} samples
 * @returns {Record<string, number>}
 */
export function refusalTotals(samples) {
  /** @type {Record<string, number>} */
  const totals = {};
  for (const s of samples) {
    for (const [code, rate] of Object.entries(s.upgrades_refused ?? {})) {
      totals[code] = (totals[code] ?? 0) + (Number(rate) || 0);
    }
  }
  return totals;
}

/** The key of accepted upgrades in the upgrades chart's stack (refusal codes are upper case). */
export const ACCEPTED = 'accepted';

/**
 * The upgrades chart's rows: accepted and each refusal code per second, by time.
 * @param {Sample[]} samples
 * @returns {{t: number, values: Record<string, number>}[]}
 */
export function upgradeRows(samples) {
  return samples.map((s) => ({
    t: Date.parse(s.at),
    values: { ...(s.upgrades_refused ?? {}), [ACCEPTED]: Number(s.upgrades_accepted) || 0 },
  }));
}

/**
 * How many upgrades each sample's rates stand for, added up: accepted and each refusal code
 * (rate x interval, rounded), for the legend of the upgrades chart.
 * @param {Sample[]} samples
 * @param {number} intervalMs
 * @returns {Record<string, number>}
 */
export function upgradeCounts(samples, intervalMs) {
  /** @type {Record<string, number>} */
  const sums = {};
  for (const row of upgradeRows(samples)) {
    for (const [key, rate] of Object.entries(row.values)) sums[key] = (sums[key] ?? 0) + rate;
  }
  return Object.fromEntries(Object.entries(sums).map(([key, sum]) => [key, Math.round((sum * intervalMs) / 1000)]));
}
