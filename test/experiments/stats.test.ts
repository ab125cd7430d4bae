import { describe, expect, it } from 'vitest';
import { chiSquareGof, chiSquarePValue, normalCdf, normalQuantile, sampleSizePerArm, srmCheck, twoProportion, verdict } from '../../main/core/experiments/stats';

/** Every figure here is worked by hand (shown) or read from a printed table. */
describe('experiment statistics', () => {
  it('normal distribution: Φ(1.96) = 0.975, Φ⁻¹(0.975) = 1.959964, Φ⁻¹(0.8) = 0.841621 (printed tables)', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('chi-square p-values: χ²(1) at 3.841 → 0.05, χ²(2) at x → e^(−x/2), χ²(3) at 16.266 → 0.001 (printed table)', () => {
    expect(chiSquarePValue(3.841459, 1)).toBeCloseTo(0.05, 5);
    expect(chiSquarePValue(6, 2)).toBeCloseTo(Math.exp(-3), 8);
    expect(chiSquarePValue(16.26624, 3)).toBeCloseTo(0.001, 6);
    expect(chiSquarePValue(0.5, 4)).toBeCloseTo(0.973501, 5);
  });

  it('SRM: 5,200 / 4,800 on a 50/50 split is flagged (χ² = 16, p = 6.3e-5); 5,050 / 4,950 is not (χ² = 1, p = 0.3173)', () => {
    // (5200 − 5000)² / 5000 + (4800 − 5000)² / 5000 = 8 + 8 = 16; P(χ²(1) ≥ 16) = 2(1 − Φ(4)) = 6.334e-5.
    const biased = srmCheck([5200, 4800], [0.5, 0.5]);
    expect(biased.statistic).toBeCloseTo(16, 10);
    expect(biased.pValue).toBeCloseTo(6.334e-5, 7);
    expect(biased.flagged).toBe(true);
    expect(biased.message).toMatch(/Sample ratio mismatch/);
    // (50² + 50²) / 5000 = 1; P(χ²(1) ≥ 1) = 2(1 − Φ(1)) = 0.31731.
    const fair = srmCheck([5050, 4950], [0.5, 0.5]);
    expect(fair.statistic).toBeCloseTo(1, 10);
    expect(fair.pValue).toBeCloseTo(0.31731, 5);
    expect(fair.flagged).toBe(false);
    // A 3-arm split with a holdout share, exactly on plan: χ² = 0.
    expect(chiSquareGof([1000, 4500, 4500], [0.1, 0.45, 0.45])).toMatchObject({ statistic: 0, df: 2, pValue: 1 });
  });

  it('two-proportion test: control 200/1000 vs variant 250/1000', () => {
    // pooled p̂ = 450/2000 = 0.225; SE = √(0.225·0.775·(2/1000)) = 0.0186748; z = 0.05 / 0.0186748 = 2.67740;
    // p = 2(1 − Φ(2.6774)) = 0.0074196. Unpooled SE = √(0.2·0.8/1000 + 0.25·0.75/1000) = 0.0186414;
    // 95% CI = 0.05 ± 1.959964·0.0186414 = [0.013464, 0.086536].
    const t = twoProportion(200, 1000, 250, 1000)!;
    expect(t.diff).toBeCloseTo(0.05, 12);
    expect(t.z).toBeCloseTo(2.6774, 4);
    expect(t.pValue).toBeCloseTo(0.0074196, 6);
    expect(t.ciLow).toBeCloseTo(0.013464, 5);
    expect(t.ciHigh).toBeCloseTo(0.086536, 5);
    expect(verdict('b', t, 1000, 1000, 1094)).toBe('Variant b likely better than control.');
    expect(twoProportion(0, 0, 1, 2)).toBeNull();
  });

  it('sample size: 20% → 25% at α = 0.05 two-sided, power 0.8 needs 1,094 per arm (Fleiss, without continuity correction)', () => {
    // (1.959964·√(2·0.225·0.775) + 0.841621·√(0.2·0.8 + 0.25·0.75))² / 0.05² = 1093.74 → 1094.
    expect(sampleSizePerArm(0.2, 0.05)).toBe(1094);
  });

  it('plain words: small arms say "not enough data yet"; an unclear result below the needed size too', () => {
    expect(verdict('b', twoProportion(2, 10, 5, 10), 10, 10, 1094)).toBe('Not enough data yet.');
    const unclear = twoProportion(100, 500, 105, 500)!;
    expect(verdict('b', unclear, 500, 500, 1094)).toBe('Not enough data yet: no clear difference so far.');
    expect(verdict('b', unclear, 500, 500, 400)).toBe('No clear difference between b and control.');
  });
});
