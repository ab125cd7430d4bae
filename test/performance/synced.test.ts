import { afterEach, describe, expect, it } from 'vitest';
import { converter } from '../../main/core/facts/compute';
import { performanceReport, reportInvoices } from '../../main/core/performance/report';
import { openFailedInvoices } from '../../main/core/recovery/data';
import type { Sqlite } from '../../main/core/db/sqlite';
import type { StripeSim } from '../../main/stripe-sim';
import { syncedFactsDb } from '../helpers/synced-db';

/**
 * The report on a workspace the real sync filled from the local Stripe server (API
 * 2026-10-28.endive: charges reach invoices through invoice payments): every invoice the
 * recovery engine would work on is in the cohort, and the amount at risk is what the
 * engine's own list of open failed invoices owes.
 */
let env: { sim: StripeSim; db: Sqlite } | null = null;
afterEach(async () => {
  env?.db.close();
  await env?.sim.close();
  env = null;
});

describe('performance report on synced Stripe data', () => {
  it('finds every open failed invoice the engine sees, and its amount at risk', async () => {
    env = await syncedFactsDb({ seed: 19, customers: 80 });
    const { db, sim } = env;
    const nowMs = sim.now() * 1000;
    const r = performanceReport(db, { id: 'w', name: 'Synced', kind: 'stripe', mode: 'test', currency: 'usd' }, { from: '2000-01-01', windowDays: 365 }, nowMs);
    const open = openFailedInvoices(db);
    expect(open.length).toBeGreaterThan(0);
    const toUsd = converter(db, 'usd');
    const owed = open.reduce((s, i) => s + Math.round(toUsd(i.amountRemaining, i.currency)), 0);
    expect(r.totals.amountAtRisk).toBe(owed);
    const cohort = new Set(reportInvoices(db, 'usd', 365, nowMs).map((i) => i.id));
    expect(open.map((i) => i.id).filter((id) => !cohort.has(id))).toEqual([]);
    expect(r.totals.invoices).toBeGreaterThanOrEqual(open.length);
    expect(r.totals.recovered + r.totals.partial).toBeGreaterThan(0);
  }, 120_000);
});
