import { normalQuantile, twoProportion } from '../experiments/stats';

/**
 * Intervals and the baseline comparison of the performance report.
 */

/**
 * Wilson score interval for x successes of n at `confidence` (95% by default):
 * (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). Null without trials.
 */
export function wilson(x: number, n: number, confidence = 0.95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { low: Math.max(0, (centre - half) / denom), high: Math.min(1, (centre + half) / denom) };
}

export interface Counts { recovered: number; invoices: number }

/** A group against the baseline: difference in rate with its 95% interval, p-value, relative lift. */
export function compareWithBaseline(key: string, label: string, group: Counts, base: Counts) {
  const rate = group.invoices ? group.recovered / group.invoices : null;
  const baselineRate = base.invoices ? base.recovered / base.invoices : null;
  const t = twoProportion(base.recovered, base.invoices, group.recovered, group.invoices);
  return {
    key, label, rate, baselineRate,
    diff: t ? t.diff : null,
    diffLow: t ? t.ciLow : null,
    diffHigh: t ? t.ciHigh : null,
    // erf's approximation error can put Φ(0) a hair under ½: a p-value is never above 1.
    pValue: t ? Math.min(1, t.pValue) : null,
    lift: rate !== null && baselineRate ? rate / baselineRate - 1 : null,
  };
}
