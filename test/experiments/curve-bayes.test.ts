import { gammaln } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { chanceToBeatControl, probBGreaterA } from '../../main/core/experiments/bayes';
import { curveItemOf, recoveryCurve, type CurveItem, type CurveRow } from '../../main/core/experiments/curve';

const DAY = 86_400_000;

describe('recovery curve (Kaplan–Meier, by day since entry)', () => {
  // Six invoices: recovered on days 0, 1 and 2; one still open, last seen on day 1
  // (censored); one still open on day 3; one closed unrecovered (at risk throughout).
  const items: CurveItem[] = [
    { kind: 'recovered', afterMs: 2 * 3600_000 },
    { kind: 'recovered', afterMs: 1 * DAY + 5 },
    { kind: 'open', observedMs: 1 * DAY + 10 },
    { kind: 'recovered', afterMs: 2 * DAY + 7 },
    { kind: 'lost', observedMs: 3 * DAY + 1 },
    { kind: 'open', observedMs: 3 * DAY + 2 },
  ];

  it('hand-worked: day 0 1/6, day 1 1/3, day 2 5/9 (the censored invoice is not a failure), flat on day 3', () => {
    // d0: 6 at risk, 1 recovered → S = 5/6.   d1: 5 at risk, 1 → S = 5/6·4/5 = 2/3; then 2 leave (recovered + censored).
    // d2: 3 at risk, 1 → S = 2/3·2/3 = 4/9.    d3: 2 at risk (the lost one, the open one), 0 → S = 4/9.
    const c = recoveryCurve(items, 30);
    expect(c.map((p) => p.day)).toEqual([0, 1, 2, 3]);
    expect(c.map((p) => p.atRisk)).toEqual([6, 5, 3, 2]);
    expect(c.map((p) => p.recoveredToday)).toEqual([1, 1, 1, 0]);
    const want = [1 / 6, 1 / 3, 5 / 9, 5 / 9];
    c.forEach((p, i) => expect(p.recovered).toBeCloseTo(want[i]!, 12));
    // Counting the censored invoice as a failure would say 3/6 = 0.5 by day 2.
    expect(c[2]!.recovered).toBeGreaterThan(0.5);
  });

  it('stops at the window; a recovery after the window counts as not recovered within it', () => {
    const c = recoveryCurve(items, 1);
    expect(c.map((p) => p.day)).toEqual([0, 1]);
    expect(c[1]!.recovered).toBeCloseTo(1 / 3, 12);
  });

  it('no invoices: no curve; nothing recovered: a flat zero line', () => {
    expect(recoveryCurve([], 30)).toEqual([]);
    expect(recoveryCurve([{ kind: 'open', observedMs: 2 * DAY }, { kind: 'lost', observedMs: DAY }], 30).map((p) => p.recovered)).toEqual([0, 0, 0]);
  });
});

describe('placing a run item on the curve', () => {
  const joined = 1_000 * DAY;
  const now = joined + 5 * DAY;
  const row = (o: Partial<CurveRow>): CurveRow => ({ recovered: 0, joinedAtMs: joined, paidAt: null, stoppedAtMs: null, itemState: 'active', stopReason: null, runStatus: 'running', runUpdatedAtMs: joined, ...o });
  it('recovered at Stripe’s paid_at (seconds), else when the run stopped it as paid', () => {
    expect(curveItemOf(row({ recovered: 1, itemState: 'stopped', stopReason: 'paid', paidAt: (joined + 2 * DAY) / 1000, stoppedAtMs: joined + 3 * DAY }), now)).toEqual({ kind: 'recovered', afterMs: 2 * DAY });
    expect(curveItemOf(row({ recovered: 1, itemState: 'stopped', stopReason: 'paid', stoppedAtMs: joined + 3 * DAY }), now)).toEqual({ kind: 'recovered', afterMs: 3 * DAY });
  });
  it('still worked by a running or paused run: censored now; run canceled: censored at the cancel', () => {
    expect(curveItemOf(row({}), now)).toEqual({ kind: 'open', observedMs: 5 * DAY });
    expect(curveItemOf(row({ runStatus: 'paused' }), now)).toEqual({ kind: 'open', observedMs: 5 * DAY });
    expect(curveItemOf(row({ itemState: 'stopped', stopReason: 'run canceled', runStatus: 'canceled', runUpdatedAtMs: joined + DAY }), now)).toEqual({ kind: 'open', observedMs: DAY });
  });
  it('voided, uncollectible, or its run completed unpaid: lost (at risk to the end of the window)', () => {
    expect(curveItemOf(row({ itemState: 'stopped', stopReason: 'void' }), now).kind).toBe('lost');
    expect(curveItemOf(row({ itemState: 'stopped', stopReason: 'uncollectible' }), now).kind).toBe('lost');
    expect(curveItemOf(row({ runStatus: 'completed' }), now)).toEqual({ kind: 'lost', observedMs: 5 * DAY });
  });
});

/** Second method: P(B > A) = ∫ f_B(x) F_A(x) dx on a fine midpoint grid. */
function byIntegration(aA: number, bA: number, aB: number, bB: number, steps = 200_000): number {
  const lnPdf = (a: number, b: number, x: number) => (a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x) - (gammaln(a) + gammaln(b) - gammaln(a + b));
  const h = 1 / steps;
  let cdfA = 0;
  let p = 0;
  for (let k = 0; k < steps; k++) {
    const x = (k + 0.5) * h;
    const fa = Math.exp(lnPdf(aA, bA, x)) * h;
    cdfA += fa / 2; // F_A at the midpoint
    p += Math.exp(lnPdf(aB, bB, x)) * h * cdfA;
    cdfA += fa / 2;
  }
  return p;
}

describe('Bayesian chance to beat control (Beta(1 + recovered, 1 + not recovered))', () => {
  it('equal data → 0.5', () => {
    expect(chanceToBeatControl(200, 1000, 200, 1000)).toBeCloseTo(0.5, 10);
    expect(chanceToBeatControl(3, 7, 3, 7)).toBeCloseTo(0.5, 10);
  });

  it('hand-worked: 0 of 1 vs 1 of 1 → Beta(1,2) vs Beta(2,1): ∫ 2x · (2x − x²) dx = 5/6', () => {
    // F_A(x) for Beta(1,2) = 1 − (1 − x)² = 2x − x²; f_B(x) = 2x; ∫₀¹ 2x(2x − x²) dx = 4/3 − 1/2 = 5/6.
    expect(chanceToBeatControl(0, 1, 1, 1)).toBeCloseTo(5 / 6, 12);
    expect(probBGreaterA(1, 1, 2, 1)).toBeCloseTo(2 / 3, 12); // uniform vs Beta(2,1): ∫ 2x · x dx
  });

  it('200/1000 vs 250/1000 → about 0.996, and numeric integration agrees to 1e-6', () => {
    const p = chanceToBeatControl(200, 1000, 250, 1000)!;
    expect(p).toBeGreaterThan(0.995);
    expect(p).toBeLessThan(0.997);
    expect(p).toBeCloseTo(byIntegration(201, 801, 251, 751), 6);
    // And the other way round.
    expect(chanceToBeatControl(250, 1000, 200, 1000)!).toBeCloseTo(1 - p, 10);
    expect(chanceToBeatControl(30, 120, 41, 118)!).toBeCloseTo(byIntegration(31, 91, 42, 78), 6);
  });

  it('an arm without invoices has no chance figure', () => {
    expect(chanceToBeatControl(0, 0, 5, 10)).toBeNull();
  });
});
