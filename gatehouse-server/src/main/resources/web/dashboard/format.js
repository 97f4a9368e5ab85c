// How the dashboard writes figures: rates, counts, bytes, durations and times, as pure functions
// (tested with node --test, gatehouse-browser/src/test/js). Nothing here touches the DOM.

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A count with thousands separators ("12,345"); "—" for no value.
 * @param {number|null|undefined} n
 * @returns {string}
 */
export function formatCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return GROUPED.format(n);
}

/**
 * A per-second rate: one decimal under 10 ("0.5", "9.9"), whole from 10, then k and M ("12.3k").
 * @param {number|null|undefined} n
 * @returns {string}
 */
export function formatRate(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  if (abs >= 10) return GROUPED.format(Math.round(n));
  return n === 0 ? '0' : (Math.round(n * 10) / 10).toFixed(1);
}

/** @param {number} n @returns {string} one decimal, without a trailing ".0" */
function trim(n) {
  const s = (Math.round(n * 10) / 10).toFixed(1);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/**
 * An axis label: up to two decimals, without trailing zeros ("1.25", "2.5", "5"), then k and M.
 * @param {number} n
 * @returns {string}
 */
export function formatTick(n) {
  if (!Number.isFinite(n)) return '';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  if (abs >= 100) return GROUPED.format(Math.round(n));
  return String(Math.round(n * 100) / 100);
}

/**
 * Bytes in binary units, as the configuration writes sizes ("512 B", "64 KiB", "1.5 GiB").
 * @param {number|null|undefined} n
 * @returns {string}
 */
export function formatBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value >= 100 ? Math.round(value) : trim(value)} ${units[unit]}`;
}

/**
 * A duration in its two largest units: "9s", "4m 05s", "1h 02m", "3d 04h"; "—" for none.
 * @param {number|null|undefined} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const pad = (/** @type {number} */ v) => String(v).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/**
 * CPU as a share of one core, as top writes it ("35 %"; a process using two cores is "200 %").
 * @param {number|null|undefined} cores
 * @returns {string}
 */
export function formatCpu(cores) {
  if (cores === null || cores === undefined || !Number.isFinite(cores) || cores < 0) return '—';
  return `${Math.round(cores * 100)} %`;
}

/**
 * The heap's maximum and how much of it is used ("of 1 GiB (21 %)"); "" without a maximum.
 * @param {number|null|undefined} used
 * @param {number|null|undefined} max
 * @returns {string}
 */
export function formatHeapOf(used, max) {
  if (!Number.isFinite(max) || !max || max <= 0) return '';
  const share = Number.isFinite(used) ? ` (${Math.round((/** @type {number} */ (used) / max) * 100)} %)` : '';
  return `of ${formatBytes(max)}${share}`;
}

/**
 * A timestamp as the local date and time to the second ("2030-01-02 03:04:05"), "—" for none.
 * @param {string|number|Date|null|undefined} at
 * @returns {string}
 */
export function formatTime(at) {
  if (at === null || at === undefined || at === '') return '—';
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (/** @type {number} */ v) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * How long ago `at` was, from `now`: "4m 05s" (for "connected for"); "—" for none.
 * @param {string|null|undefined} at ISO timestamp
 * @param {number} now epoch ms
 * @returns {string}
 */
export function since(at, now) {
  if (!at) return '—';
  const t = Date.parse(at);
  return Number.isNaN(t) ? '—' : formatDuration(Math.max(0, now - t));
}

/**
 * A list shown in little room: the first `shown` items, then "+N".
 * @param {string[]|null|undefined} items
 * @param {number} [shown]
 * @returns {string}
 */
export function shortList(items, shown = 3) {
  if (!items || items.length === 0) return '—';
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} +${items.length - shown}` : head;
}
