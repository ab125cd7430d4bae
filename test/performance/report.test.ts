import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/core/dispatch';
import { openSqlite } from '../../main/core/db/sqlite';
import { silentLogger } from '../../main/core/ports';
import { performanceReport } from '../../main/core/performance/report';
import { METRIC_DEFINITIONS } from '../../main/core/performance/definitions';
import type { PerformanceGroup } from '../../shared/performance';
import { call, clockedCore } from '../whiteglove/engine-helpers';
import { tempDir } from '../helpers/core';
import { NOW_SEC, NOW_MS, seedPerformance } from './fixture';

/**
 * The performance report on the hand-worked dataset of ./fixture.ts (read its
 * table first), in a real migrated workspace file, through the real
 * `performance.report` request. Every expected number is worked out in the
 * comments; money in USD cents (EUR converted at $1.25 per €1).
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function workspace() {
  const { core, dataDir } = clockedCore(NOW_SEC);
  cleanups.push(() => core.close());
  const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
  seedPerformance(core.registry.openDb(ws.id));
  return { core, ws, dataDir, workspaceId: ws.id };
}

const group = (groups: PerformanceGroup[], key: string) => {
  const g = groups.find((x) => x.key === key);
  if (!g) throw new Error(`no group ${key} in ${groups.map((x) => x.key).join(', ')}`);
  return g;
};

describe('performance report on a hand-worked dataset', () => {
  it('counts the cohort, outcomes, money, intervals and Kaplan–Meier times by the written definitions', async () => {
    const { core, workspaceId } = await workspace();
    const r = await call(core, 'performance.report', { workspaceId } as never);

    // Defaults: window 30 days, the 90 days up to today (2026-11-30): from 2026-09-01. "old" (08-15) is outside.
    expect(r.filters).toEqual({ windowDays: 30, from: '2026-09-01', to: '2026-11-30', segments: [], variants: [] });
    expect(r.simulated).toBe(false);
    expect(r.workspace).toMatchObject({ name: 'Acme', mode: 'test', currency: 'usd' });

    // Cohort: 16 invoices failed in range; e4 voided → 15 invoices.
    // Recovered in full within 30 days: e1 (d2), e2 (d0), h1 (d10), s1 (d12), s4 (d1, paid time from raw only), s5 (d3), n1 (d7) = 7.
    // Not recovered: s2 (paid after 47 days), e3 (uncollectible), s3 (partial), e5/h2/h3/n2/n3 (open).
    const t = r.totals;
    expect(t).toMatchObject({ invoices: 15, recovered: 7, voided: 1, uncollectible: 1, partial: 1, open: 1 });
    expect(t.rate).toBeCloseTo(7 / 15, 10);
    // Wilson 95%, n = 15, p̂ = 0.4667, z = 1.96: (p̂ + z²/2n ± z√(p̂q̂/n + z²/4n²)) / (1 + z²/n)
    //   = (0.59472 ± 1.95996 × 0.144433) / 1.256097 = [0.24810, 0.69883].
    expect(t.rateLow).toBeCloseTo(0.2481, 4);
    expect(t.rateHigh).toBeCloseTo(0.69883, 4);
    // Amount due: e1 10000 + e2 €80 → 10000 + e3 20000 + e5 30000 + h1..h3 30000 + s1 4000 + s2 6000 + s3 €40 → 5000
    //   + s4 3000 + s5 1000 + n1..n3 6000 = 125000.
    expect(t.amountDue).toBe(125_000);
    // Recovered: e1 10000 + e2 10000 + h1 10000 + s1 4000 + s4 3000 + s5 1000 + n1 2000 = 40000; by amount 40000/125000 = 0.32.
    expect(t.amountRecovered).toBe(40_000);
    expect(t.rateByAmount).toBeCloseTo(0.32, 10);
    // Partial: s3 paid €16 → 2000.
    expect(t.amountPartial).toBe(2_000);
    // At risk (open now): e5 30000 + h2 10000 + h3 10000 + s3 €24 → 3000 + n2 2000 + n3 2000 = 57000.
    expect(t.amountAtRisk).toBe(57_000);
    // Voice: e1's call $1.50 (final) + e5's pending call $2.00 (reserved) = 350; offers: €8 → 1000; net 40000 − 1350.
    expect(t).toMatchObject({ costVoice: 350, costOffers: 1_000, net: 38_650 });
    // Recovered without action: s4 and n1 (no action succeeded before the payment).
    expect(t.recoveredWithoutAction).toBe(2);

    // Kaplan–Meier, all 15: S = 14/15 (d0) · 13/14 (d1) · 12/13 (d2) · 11/12 (d3) · 10/11 (d7) = 10/15;
    // day 10: 10 at risk, h1 recovers (e5 is censored on day 10, still at risk that day) → 9/15; 8 left at risk;
    // day 12: s1 recovers → 9/15 · 7/8 = 0.525: recovered 0.475. Censoring counts: dropping e5 would give 7/14 = 0.5,
    // counting it as lost 7/15 = 0.4667. The curve never reaches 50% → no median, no p90.
    const all = r.curves.find((c) => c.key === 'all')!;
    expect(all.points).toHaveLength(30);
    expect(all.points[9]).toEqual({ day: 9, recovered: expect.closeTo(5 / 15, 10), atRisk: 10 });
    expect(all.points[10]).toEqual({ day: 10, recovered: expect.closeTo(6 / 15, 10), atRisk: 10 });
    expect(all.points[12]).toEqual({ day: 12, recovered: expect.closeTo(0.475, 10), atRisk: 8 });
    expect(all.points[29]!.recovered).toBeCloseTo(0.475, 10);
    expect(t.medianDays).toBeNull();
    expect(t.p90Days).toBeNull();

    expect(r.definitions).toEqual(METRIC_DEFINITIONS);
  });

  it('attributes to segment, variant, channel, month and decline, and compares segments with the holdout', async () => {
    const { core, workspaceId } = await workspace();
    const r = await call(core, 'performance.report', { workspaceId } as never);

    // Segments (run item's snapshot), alphabetical, "No run" last.
    expect(r.bySegment.map((g) => g.key)).toEqual(['Enterprise', 'Starter', 'No run']);
    // Enterprise: e1 e2 e3 e5 h1 h2 h3 (e4 voided); recovered e1 e2 h1 = 3 of 7.
    // Due 10000+10000+20000+30000+30000 = 100000; recovered 30000; at risk e5+h2+h3 = 50000; voice 350, offer 1000.
    const ent = group(r.bySegment, 'Enterprise');
    expect(ent).toMatchObject({ invoices: 7, recovered: 3, voided: 1, uncollectible: 1, open: 1, amountDue: 100_000, amountRecovered: 30_000, amountAtRisk: 50_000, costVoice: 350, costOffers: 1_000, net: 28_650, recoveredWithoutAction: 0 });
    // KM: d0 6/7, d2 5/7, d10 (h1; e5 censored) 4/7 → recovered 3/7, below 50%: no median.
    expect(ent.medianDays).toBeNull();
    // Starter: s1..s5; recovered s1 (d12), s4 (d1), s5 (d3) = 3 of 5; partial s3 (2000); due 4000+6000+5000+3000+1000 = 19000.
    const st = group(r.bySegment, 'Starter');
    expect(st).toMatchObject({ invoices: 5, recovered: 3, partial: 1, amountPartial: 2_000, amountDue: 19_000, amountRecovered: 8_000, amountAtRisk: 3_000, recoveredWithoutAction: 1 });
    // Wilson 3/5: (0.6 + 0.38415 ± 1.95996·√(0.048 + 0.042683)) / 1.76829 = [0.23072, 0.88238].
    expect(st.rateLow).toBeCloseTo(0.23072, 4);
    expect(st.rateHigh).toBeCloseTo(0.88238, 4);
    // KM: d1 4/5, d3 3/5 (recovered 0.4), d12 2/5 (recovered 0.6): median day 12, no p90.
    expect(st.medianDays).toBe(12);
    expect(st.p90Days).toBeNull();
    const stCurve = r.curves.find((c) => c.key === 'Starter')!.points;
    expect([stCurve[1]!.recovered, stCurve[3]!.recovered, stCurve[11]!.recovered, stCurve[12]!.recovered].map((x) => +x.toFixed(10))).toEqual([0.2, 0.4, 0.4, 0.6]);
    // No run: n1 n2 n3, n1 recovered on day 7 without action.
    expect(group(r.bySegment, 'No run')).toMatchObject({ invoices: 3, recovered: 1, amountDue: 6_000, amountRecovered: 2_000, recoveredWithoutAction: 1 });

    // Variants: assignment before the run took the invoice in; the holdout is a variant; the rest "No experiment".
    expect(r.byVariant.map((g) => [g.key, g.label, g.invoices, g.recovered])).toEqual([
      ['segmentation-holdout/segmentation_holdout', 'Segmentation holdout (Default strategy)', 3, 1], // h1 of h1..h3
      ['tone-test/control', 'Tone test: control', 2, 1], // e1 of e1, e5
      ['tone-test/warm', 'Tone test: warm', 2, 1], // e2 of e2, e3
      ['none', 'No experiment', 8, 4], // s1..s5, n1..n3 (+ e4 voided); s1 s4 s5 n1
    ]);

    // Channel of the last action that succeeded by the payment: e1 voice (after its email); e2 offer (after its email);
    // s1 the Stripe retry running as it was paid; e5 email (its failed email and pending call do not count);
    // s2 email (before its window closed); none: h2 h3 s4 n1 n2 n3 (+ e4 voided).
    expect(r.byChannel.map((g) => [g.key, g.label, g.invoices, g.recovered, g.recoveredWithoutAction])).toEqual([
      ['email', 'Email', 6, 2, 0], // e3 e5 h1 s2 s3 s5; h1 s5
      ['offer', 'Offer', 1, 1, 0], // e2
      ['retry', 'Stripe retry', 1, 1, 0], // s1
      ['voice', 'Voice call', 1, 1, 0], // e1
      ['none', 'No action', 6, 2, 2], // s4 n1 recovered without action
    ]);
    // e1 alone: recovered on day 2 → median and p90 both day 2.
    expect(group(r.byChannel, 'voice')).toMatchObject({ medianDays: 2, p90Days: 2, costVoice: 150 });

    // Failure months: Sep s1 s2 (s1); Oct e1 e2 e3 h1 h2 h3 s3 s4 n1 n2 n3 (+e4) (e1 e2 h1 s4 n1); Nov e5 s5 (s5).
    expect(r.byCohort.map((g) => [g.key, g.label, g.invoices, g.recovered, g.voided])).toEqual([
      ['2026-09', 'Sep 2026', 2, 1, 0],
      ['2026-10', 'Oct 2026', 11, 5, 1],
      ['2026-11', 'Nov 2026', 2, 1, 0],
    ]);
    // First failed charge: hard e2 (expired_card), e3 (stolen_card), s4 (authentication_required, linked via invoice_payments);
    // unknown h2 (no charge), n1 (no code); soft the other 10 (e1's later hard retry does not count).
    expect(r.byDecline.map((g) => [g.key, g.invoices, g.recovered])).toEqual([['hard', 3, 2], ['soft', 10, 4], ['unknown', 2, 1]]);

    // Weeks (Monday UTC) from 2026-08-31 to 2026-11-30: 14 weeks.
    expect(r.overTime).toHaveLength(14);
    const week = (start: string) => r.overTime.find((w) => w.start === start);
    expect(week('2026-08-31')).toEqual({ start: '2026-08-31', amountRecovered: 0, recovered: 0, cost: 0 });
    expect(week('2026-09-28')).toEqual({ start: '2026-09-28', amountRecovered: 10_000, recovered: 1, cost: 150 }); // e1 paid Sat 10-03, its call
    expect(week('2026-10-05')).toEqual({ start: '2026-10-05', amountRecovered: 12_000, recovered: 2, cost: 1_000 }); // e2 + n1, e2's offer
    expect(week('2026-11-23')).toEqual({ start: '2026-11-23', amountRecovered: 0, recovered: 0, cost: 200 }); // e5's pending call
    expect(r.overTime.reduce((s, w) => s + w.amountRecovered, 0)).toBe(40_000);

    // Heatmap: Nov = e5 (censored after 10 days) and s5 (day 3): 1/2 from day 3; no cell after day 10 is known yet.
    const cell = (cohort: string, day: number) => r.cohortHeatmap.find((c) => c.cohort === cohort && c.day === day)?.recovered;
    expect(r.cohortHeatmap).toHaveLength(3 * 30);
    expect([cell('2026-11', 2), cell('2026-11', 3), cell('2026-11', 10), cell('2026-11', 11)]).toEqual([0, 0.5, 0.5, null]);
    // Sep = s1 (day 12) and s2 (paid on day 47, after the window): 1/2 from day 12, through day 29.
    expect([cell('2026-09', 11), cell('2026-09', 12), cell('2026-09', 29)]).toEqual([0, 0.5, 0.5]);

    // Baseline: the holdout (Default strategy): h1 of h1..h3 = 1/3.
    expect(r.baseline!.label).toBe('Default strategy (segmentation holdout)');
    expect(r.baseline!.figures).toMatchObject({ invoices: 3, recovered: 1 });
    // Each segment outside the holdout against 1/3 (two-proportion z-test, unpooled 95% interval):
    // Enterprise e1 e2 e3 e5 = 2/4: diff 0.16667, se √(0.0625 + 0.074074) = 0.36956 → [−0.55766, 0.89099];
    //   pooled 3/7: z = 0.16667 / √(0.2449 · 7/12) = 0.44096, p = 0.659; lift 0.5/0.3333 − 1 = +50%.
    // Starter 3/5: diff 0.26667, se √(0.048 + 0.074074) = 0.34939 → [−0.41813, 0.95146]; pooled 1/2: z = 0.7303, p = 0.465; lift +80%.
    // No run 1/3: diff 0, p = 1, lift 0.
    const cmp = Object.fromEntries(r.baseline!.comparisons.map((c) => [c.key, c]));
    expect(Object.keys(cmp)).toEqual(['Enterprise', 'Starter', 'No run']);
    expect(cmp.Enterprise).toMatchObject({ rate: 0.5, baselineRate: expect.closeTo(1 / 3, 10), diff: expect.closeTo(1 / 6, 10), diffLow: expect.closeTo(-0.55766, 4), diffHigh: expect.closeTo(0.89099, 4), pValue: expect.closeTo(0.659, 3), lift: expect.closeTo(0.5, 10) });
    expect(cmp.Starter).toMatchObject({ rate: 0.6, diff: expect.closeTo(0.26667, 4), diffLow: expect.closeTo(-0.41813, 4), diffHigh: expect.closeTo(0.95146, 4), pValue: expect.closeTo(0.465, 3), lift: expect.closeTo(0.8, 10) });
    expect(cmp['No run']).toMatchObject({ diff: 0, pValue: 1, lift: 0 });

    // Filter pickers list everything in the data, the out-of-range Legacy run included.
    expect(r.available.segments).toEqual(['Enterprise', 'Legacy', 'Starter', 'No run']);
    expect(r.available.variants.map((v) => v.key)).toEqual(['segmentation-holdout/segmentation_holdout', 'tone-test/control', 'tone-test/warm', 'none']);
  });

  it('applies the window, date range, segment and variant filters; falls back to the invoices no run worked on as baseline', async () => {
    const { core, workspaceId } = await workspace();
    // 60 days: s2 (paid after 47 days) now counts → 8 recovered; open invoices younger than 60 days are censored:
    // e5 (10 d), h2 (54 d), h3 (53 d), s3 (41 d), n2 (58 d), n3 (57 d).
    const w60 = await call(core, 'performance.report', { workspaceId, windowDays: 60 } as never);
    expect(w60.totals).toMatchObject({ invoices: 15, recovered: 8, open: 6, amountRecovered: 46_000 });

    const starter = await call(core, 'performance.report', { workspaceId, segments: ['Starter'] } as never);
    expect(starter.totals).toMatchObject({ invoices: 5, recovered: 3 });
    expect(starter.bySegment.map((g) => g.key)).toEqual(['Starter']);
    expect(starter.available.segments).toEqual(['Enterprise', 'Legacy', 'Starter', 'No run']);

    const warm = await call(core, 'performance.report', { workspaceId, variants: ['tone-test/warm'] } as never);
    expect(warm.totals).toMatchObject({ invoices: 2, recovered: 1, uncollectible: 1, amountDue: 30_000 });

    // 10-01..10-05: e1 (10-01), n1 (10-02), n2 (10-03), n3 (10-04), e2 (10-05); no holdout invoice in range →
    // baseline = no run: n1 of n1..n3 = 1/3. Enterprise e1, e2 = 2/2: diff 0.66667, se √(0 + 0.074074) = 0.27217
    // → [0.13323, 1.20010]; pooled 3/5: z = 0.66667/√(0.24 · 5/6) = 1.4907, p = 0.136; lift 1/0.3333 − 1 = 2.
    const early = await call(core, 'performance.report', { workspaceId, from: '2026-10-01', to: '2026-10-05' } as never);
    expect(early.totals).toMatchObject({ invoices: 5, recovered: 3 });
    expect(early.baseline!.label).toBe('No run (invoices no run worked on)');
    expect(early.baseline!.comparisons).toEqual([
      { key: 'Enterprise', label: 'Enterprise', rate: 1, baselineRate: expect.closeTo(1 / 3, 10), diff: expect.closeTo(2 / 3, 10), diffLow: expect.closeTo(0.13323, 4), diffHigh: expect.closeTo(1.2001, 4), pValue: expect.closeTo(0.136, 3), lift: expect.closeTo(2, 10) },
    ]);

    // Nothing in range: zeros and nulls, no baseline.
    const empty = await call(core, 'performance.report', { workspaceId, from: '2026-01-01', to: '2026-01-31' } as never);
    expect(empty.totals).toMatchObject({ invoices: 0, recovered: 0, rate: null, rateLow: null, medianDays: null, amountDue: 0 });
    expect(empty.baseline).toBeNull();
  });

  it('refuses bad filters in one line of words through the core dispatch', async () => {
    const { core, workspaceId } = await workspace();
    const bad = async (input: Record<string, unknown>) => {
      const r = await dispatch(core, 'performance.report', { workspaceId, ...input }, silentLogger);
      if (r.ok) return 'ok';
      expect(r.error.code).toBe('bad_request');
      expect(r.error.message).not.toMatch(/\n|at .*\.ts|Error:/);
      return r.error.message;
    };
    expect(await bad({ from: '2026-10-05', to: '2026-10-01' })).toBe('The start date 2026-10-05 is after the end date 2026-10-01; choose a start on or before the end.');
    expect(await bad({ from: '2026-02-30' })).toBe('The start date "2026-02-30" is not a day of the calendar; write it as YYYY-MM-DD, e.g. 2026-09-01.');
    expect(await bad({ to: '2026-13-01' })).toBe('The end date "2026-13-01" is not a day of the calendar; write it as YYYY-MM-DD, e.g. 2026-09-01.');
    // A start after today's default end is after the end too.
    expect(await bad({ from: '2026-12-15' })).toBe('The start date 2026-12-15 is after the end date 2026-11-30; choose a start on or before the end.');
    expect(await bad({ from: '2026-10-01', to: '2026-10-31' })).toBe('ok');
  });

  it('runs on a read-only copy of the workspace file (review mode) and says a demo is simulated', async () => {
    const { core, ws } = await workspace();
    const live = await call(core, 'performance.report', { workspaceId: ws.id } as never);
    const file = core.registry.fileOf(ws.id);
    await core.close();
    cleanups.pop();
    const copy = path.join(tempDir(), 'copy.sqlite');
    fs.copyFileSync(file, copy);
    fs.chmodSync(copy, 0o444);
    const db = openSqlite(copy, { readonly: true });
    cleanups.push(() => void db.close());
    const offline = performanceReport(db, { ...ws, kind: 'demo' }, {}, NOW_MS);
    expect(offline.simulated).toBe(true);
    expect({ ...offline, simulated: false, workspace: { ...offline.workspace, kind: 'stripe' } }).toEqual({ ...live, workspace: { ...live.workspace, kind: 'stripe' } });
  });
});
