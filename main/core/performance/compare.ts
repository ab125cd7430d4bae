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

/**
 * Newcombe's hybrid score interval for the difference p2 − p1 of two
 * independent proportions (Newcombe 1998, method 10), built from each side's
 * Wilson interval (l, u):
 *   low  = d − √((p2 − l2)² + (u1 − p1)²),  high = d + √((u2 − p2)² + (p1 − l1)²).
 * Unlike the Wald interval it stays inside [−1, 1] and behaves at 0% or 100%
 * with small groups (a Wald interval of 1/1 against 1/3 reaches +120 points).
 */
export function newcombe(x1: number, n1: number, x2: number, n2: number): { low: number; high: number } | null {
  const w1 = wilson(x1, n1);
  const w2 = wilson(x2, n2);
  if (!w1 || !w2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p2 - p1;
  return { low: d - Math.hypot(p2 - w2.low, w1.high - p1), high: d + Math.hypot(w2.high - p2, p1 - w1.low) };
}

/** A group against the baseline: difference in rate with its 95% interval (Newcombe), p-value (pooled z-test), relative lift. */
export function compareWithBaseline(key: string, label: string, group: Counts, base: Counts) {
  const rate = group.invoices ? group.recovered / group.invoices : null;
  const baselineRate = base.invoices ? base.recovered / base.invoices : null;
  const t = twoProportion(base.recovered, base.invoices, group.recovered, group.invoices);
  const ci = newcombe(base.recovered, base.invoices, group.recovered, group.invoices);
  return {
    key, label, rate, baselineRate,
    diff: t ? t.diff : null,
    diffLow: ci ? ci.low : null,
    diffHigh: ci ? ci.high : null,
    // erf's approximation error can put Φ(0) a hair under ½: a p-value is never above 1.
    pValue: t ? Math.min(1, t.pValue) : null,
    lift: rate !== null && baselineRate ? rate / baselineRate - 1 : null,
  };
}
