import { errorFunction, gammaln } from 'simple-statistics';

/**
 * The statistics behind previews and results: chi-square goodness of fit (for
 * the sample-ratio-mismatch check), the two-proportion z-test with a 95%
 * interval, and a sample size for a minimum detectable effect. Textbook
 * formulas; each is checked against hand-worked values in
 * test/experiments/stats.test.ts.
 */

/** Standard normal CDF Φ(z), via simple-statistics' erf (|error| < 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/**
 * Standard normal quantile Φ⁻¹(p), Acklam's rational approximation (relative
 * error < 1.15e-9). simple-statistics' `probit` is too coarse here
 * (probit(0.975) = 1.9572, not 1.9600).
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Regularized upper incomplete gamma Q(a, x) (Numerical Recipes: series below a+1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnGa = gammaln(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGa);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGa) * h;
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquarePValue(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export interface ChiSquare {
  statistic: number;
  df: number;
  pValue: number;
}

/** Pearson's chi-square goodness of fit of observed counts to expected shares (shares sum to 1). */
export function chiSquareGof(observed: number[], shares: number[]): ChiSquare {
  const n = observed.reduce((a, b) => a + b, 0);
  let statistic = 0;
  let df = -1;
  observed.forEach((o, i) => {
    const e = n * shares[i]!;
    if (e > 0) {
      statistic += ((o - e) * (o - e)) / e;
      df++;
    }
  });
  df = Math.max(df, 1);
  return { statistic, df, pValue: n === 0 ? 1 : chiSquarePValue(statistic, df) };
}

/** Sample-ratio mismatch flags at p < 0.001 (the usual threshold: a real SRM, not noise). */
export const SRM_ALPHA = 0.001;

export interface Srm extends ChiSquare {
  flagged: boolean;
  message: string;
}

export function srmCheck(observed: number[], shares: number[]): Srm {
  const c = chiSquareGof(observed, shares);
  const total = observed.reduce((a, b) => a + b, 0);
  const flagged = total > 0 && c.pValue < SRM_ALPHA;
  const message =
    total === 0
      ? 'No customers assigned yet.'
      : flagged
        ? `Sample ratio mismatch: the assigned counts differ from the planned split more than chance allows (p = ${fmtP(c.pValue)}); do not trust the results until the cause is found.`
        : `Assigned counts match the planned split (p = ${fmtP(c.pValue)}).`;
  return { ...c, flagged, message };
}

export function fmtP(p: number): string {
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
}

export interface TwoProportion {
  /** Variant rate − control rate. */
  diff: number;
  /** 95% interval of the difference (unpooled standard error, Wald). */
  ciLow: number;
  ciHigh: number;
  /** Two-sided p-value of the pooled two-proportion z-test. */
  z: number;
  pValue: number;
}

/**
 * Two-proportion z-test of variant (x2 of n2) against control (x1 of n1):
 * z = (p2 − p1) / √(p̂(1 − p̂)(1/n1 + 1/n2)) with the pooled p̂; the interval
 * uses the unpooled SE √(p1(1 − p1)/n1 + p2(1 − p2)/n2). Null when either arm is empty.
 */
export function twoProportion(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): TwoProportion | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const diff = p2 - p1;
  const pooled = (x1 + x2) / (n1 + n2);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = sePooled === 0 ? 0 : diff / sePooled;
  const pValue = sePooled === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(z)));
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const zc = normalQuantile(1 - (1 - confidence) / 2);
  return { diff, ciLow: diff - zc * se, ciHigh: diff + zc * se, z, pValue };
}

/**
 * Customers needed per arm to detect an absolute lift `mde` over a baseline
 * rate `p1` with a two-sided test at `alpha` and the given power:
 * n = (z₁₋α/₂ √(2 p̄ q̄) + z₁₋β √(p1 q1 + p2 q2))² / mde², p̄ = (p1 + p2)/2.
 */
export function sampleSizePerArm(p1: number, mde: number, alpha = 0.05, power = 0.8): number {
  const p2 = Math.min(0.9999, Math.max(0.0001, p1 + mde));
  const pbar = (p1 + p2) / 2;
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const num = za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((num * num) / ((p2 - p1) * (p2 - p1)));
}

/** Plain words next to the numbers. */
export function verdict(armName: string, t: TwoProportion | null, nControl: number, nVariant: number, needed: number): string {
  if (!t || nControl < 30 || nVariant < 30) return 'Not enough data yet.';
  if (t.pValue < 0.05) return t.diff > 0 ? `Variant ${armName} likely better than control.` : `Variant ${armName} likely worse than control.`;
  if (Math.min(nControl, nVariant) < needed) return 'Not enough data yet: no clear difference so far.';
  return `No clear difference between ${armName} and control.`;
}
