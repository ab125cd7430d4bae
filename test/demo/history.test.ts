import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import type { Sqlite } from '../../main/core/db/sqlite';
import { HISTORY_ACTOR } from '../../main/core/demo/history';
import { testCore } from '../helpers/core';
import { call } from '../whiteglove/engine-helpers';

const DAY_MS = 86_400_000;

/** #19: the demo workspace opens with ~95 days of recovery history made by the run engine. */
describe('demo history', () => {
  let core: Core;
  let db: Sqlite;
  let workspaceId: string;
  const progress: string[] = [];
  let builtAt: number;

  beforeAll(async () => {
    core = testCore();
    core.events.on('demo.progress', (p) => progress.push(p.message));
    const ws = await call(core, 'demo.create', { customers: 300, seed: 42 });
    builtAt = Date.now();
    workspaceId = ws.id;
    db = core.registry.openDb(ws.id);
  }, 300_000);
  afterAll(() => core?.close());

  it('has runs started over the last 90+ days, by "Demo history", the newest still carrying on', async () => {
    const runs = await call(core, 'runs.list', { workspaceId, limit: 500 });
    const started = runs.map((r) => r.createdAt).sort((a, b) => a - b);
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(builtAt - started[0]!).toBeGreaterThan(90 * DAY_MS);
    // New failures join the newest running run (as in the app), up to the last days.
    const lastJoined = db.prepare(`SELECT max(joined_at_ms) FROM recovery_run_items`).pluck().get() as number;
    expect(builtAt - lastJoined).toBeLessThan(8 * DAY_MS);
    expect(runs.some((r) => r.status === 'running')).toBe(true);
    expect(new Set(runs.map((r) => r.startedBy))).toEqual(new Set([HISTORY_ACTOR]));
    expect(runs.filter((r) => r.status === 'completed').length).toBeGreaterThan(runs.length / 2);
    // Nothing happened in the future.
    const latest = db.prepare(`SELECT max(coalesce(finished_at_ms, 0)) FROM recovery_outbox`).pluck().get() as number;
    expect(latest).toBeLessThanOrEqual(builtAt);
    expect(progress).toContain('Building the demo history: day 40 of 95…');
  });

  it('every recovered invoice has the payment the engine recorded in the local database', () => {
    const recovered = db
      .prepare(`SELECT i.invoice_id, i.first_failure_at, v.status, v.paid_at FROM recovery_run_items i JOIN invoices v ON v.id = i.invoice_id WHERE i.stop_reason = 'paid'`)
      .all() as { invoice_id: string; first_failure_at: number; status: string; paid_at: number | null }[];
    expect(recovered.length).toBeGreaterThan(20);
    const charge = db.prepare(`SELECT created FROM charges WHERE invoice_id = ? AND status = 'succeeded'`);
    for (const r of recovered) {
      expect(r.status, r.invoice_id).toBe('paid');
      const paid = charge.pluck().get(r.invoice_id) as number | undefined;
      expect(paid, `${r.invoice_id}: no succeeded charge`).toBeDefined();
      expect(paid!).toBeGreaterThanOrEqual(r.first_failure_at);
    }
    // Recovered both by Reclaim's retries and by customers answering emails or offers.
    const via = db
      .prepare(`SELECT DISTINCT o.channel FROM recovery_outbox o JOIN recovery_run_items i ON i.run_id = o.run_id AND i.invoice_id = o.invoice_id WHERE i.stop_reason = 'paid' AND o.status = 'succeeded'`)
      .pluck()
      .all() as string[];
    expect(via).toEqual(expect.arrayContaining(['retry', 'email']));
  });

  it('captured the emails of the history runs over the whole period, never the same step twice for one invoice', async () => {
    const emails = db.prepare(`SELECT count(*) AS n, min(created_at_ms) AS first, max(created_at_ms) AS last FROM recovery_emails WHERE transport = 'capture'`).get() as { n: number; first: number; last: number };
    expect(emails.n).toBeGreaterThan(50);
    expect(emails.last - emails.first).toBeGreaterThan(80 * DAY_MS);
    const listed = await call(core, 'outbox.list', { workspaceId, limit: 5 });
    expect(listed.total).toBe(emails.n);
    const twice = db
      .prepare(
        `SELECT o.customer_id, o.invoice_id, o.step_id, count(*) AS n FROM recovery_emails e JOIN recovery_outbox o ON o.key = e.outbox_key
         GROUP BY o.customer_id, o.invoice_id, o.step_id HAVING n > 1`,
      )
      .all();
    expect(twice).toEqual([]);
  });

  it('measures segmented strategies against the segmentation holdout (the one-size-fits-all baseline)', async () => {
    const seg = await call(core, 'experiments.segmentationResults', { workspaceId });
    expect(seg.segmentationHoldout).toBe(10);
    const [base, segmented] = seg.arms;
    expect(base!.entered).toBeGreaterThan(0);
    expect(segmented!.entered).toBeGreaterThan(base!.entered);
    const experiments = await call(core, 'experiments.list', { workspaceId });
    expect(experiments.map((e) => e.name)).toContain('Growth: warm tone');
  });

  it('gives the Performance report real curves per segment, weeks with recoveries and a baseline comparison', async () => {
    const r = await call(core, 'performance.report', { workspaceId });
    expect(r.simulated).toBe(true);
    expect(r.totals.invoices).toBeGreaterThan(50);
    expect(r.totals.recovered).toBeGreaterThan(20);
    expect(r.totals.recoveredWithoutAction).toBeGreaterThan(0);
    const curves = r.curves.filter((c) => c.key !== 'all');
    expect(curves.length).toBeGreaterThanOrEqual(4);
    for (const c of curves) expect(c.points.length, c.key).toBeGreaterThan(0);
    expect(curves.filter((c) => c.points.some((p) => p.recovered > 0)).length).toBeGreaterThanOrEqual(4);
    expect(r.overTime.filter((w) => w.recovered > 0).length).toBeGreaterThanOrEqual(8);
    expect(r.baseline).not.toBeNull();
    expect(r.baseline!.figures.invoices).toBeGreaterThan(0);
    expect(r.baseline!.comparisons.length).toBeGreaterThan(0);
    expect(r.byVariant.length).toBeGreaterThan(0);
  });
});
