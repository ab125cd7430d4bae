import { median } from 'simple-statistics';
import type { ExperimentResults } from '../../../shared/experiments';
import type { Sqlite } from '../db/sqlite';
import { workspaceCurrency } from '../recovery/data';
import { expectedShares, plannedShares, toView, type ExperimentRecord } from './store';
import { sampleSizePerArm, srmCheck, twoProportion, verdict } from './stats';
import { chanceToBeatControl } from './bayes';
import { curveItemOf, recoveryCurve, type CurveRow } from './curve';

/**
 * Results per group from what runs recorded: every invoice a treated
 * customer brought into a run after its assignment ("entered"), recovered
 * when the run stopped it as paid; amounts in the workspace currency as the
 * invoices table holds them; offer cost = value of offers made on those
 * invoices. The first arm is the control.
 */
export interface ItemRow {
  arm: string;
  recovered: number;
  amountDue: number;
  amountPaid: number;
  firstFailureAt: number;
  paidAt: number | null;
  offerCost: number;
}

/** One group's figures from its run items. */
export function groupStats(arm: string, customers: number, mine: ItemRow[]) {
  const rec = mine.filter((i) => i.recovered);
  const secs = rec.filter((i) => i.paidAt !== null).map((i) => i.paidAt! - i.firstFailureAt);
  const amountEntered = mine.reduce((s, i) => s + i.amountDue, 0);
  const amountRecovered = rec.reduce((s, i) => s + i.amountDue, 0);
  return {
    arm, customers, entered: mine.length, recovered: rec.length,
    rate: mine.length ? rec.length / mine.length : null, amountEntered, amountRecovered,
    rateByAmount: amountEntered ? amountRecovered / amountEntered : null,
    medianSecondsToRecovery: secs.length ? median(secs) : null,
    recoveredRevenue: rec.reduce((s, i) => s + i.amountPaid, 0),
    offerCost: mine.reduce((s, i) => s + i.offerCost, 0),
  };
}

/** Columns every results query selects from run items `i` and invoices `v`. */
export const ITEM_COLUMNS = `(i.stop_reason = 'paid') AS recovered,
  coalesce(v.amount_due, 0) AS amountDue, coalesce(v.amount_paid, 0) AS amountPaid, i.first_failure_at AS firstFailureAt,
  json_extract(v.raw, '$.status_transitions.paid_at') AS paidAt,
  (SELECT coalesce(sum(o.value_amount), 0) FROM recovery_offers o WHERE o.run_id = i.run_id AND o.invoice_id = i.invoice_id) AS offerCost`;

/** What the recovery curves read besides ITEM_COLUMNS (runs `r`): see CurveRow. */
const CURVE_COLUMNS = `i.joined_at_ms AS joinedAtMs, i.state AS itemState, i.stop_reason AS stopReason, r.status AS runStatus, r.updated_at_ms AS runUpdatedAtMs,
  (SELECT min(l.at_ms) FROM audit_log l WHERE l.run_id = i.run_id AND l.invoice_id = i.invoice_id AND l.kind = 'sequence.stopped') AS stoppedAtMs`;

export function resultsOf(db: Sqlite, e: ExperimentRecord, mde: number, power: number, nowMs: number, curveDays = 30): ExperimentResults {
  const items = db
    .prepare(
      `SELECT a.arm, ${ITEM_COLUMNS}, ${CURVE_COLUMNS}
       FROM experiment_assignments a
       JOIN recovery_run_items i ON i.customer_id = a.customer_id AND i.joined_at_ms >= a.assigned_at_ms
       JOIN recovery_runs r ON r.id = i.run_id
       LEFT JOIN invoices v ON v.id = i.invoice_id
       WHERE a.experiment_id = ? AND (? IS NULL OR i.joined_at_ms <= ?)`,
    )
    .all(e.id, e.stoppedAtMs, e.stoppedAtMs) as (ItemRow & CurveRow)[];
  const counts = new Map((db.prepare(`SELECT arm, count(*) AS n FROM experiment_assignments WHERE experiment_id = ? GROUP BY arm`).all(e.id) as { arm: string; n: number }[]).map((r) => [r.arm, r.n]));
  const groups = plannedShares(e);
  const control = e.arms[0]!.name;
  const per = new Map(groups.map((g) => [g.arm, groupStats(g.arm, counts.get(g.arm) ?? 0, items.filter((i) => i.arm === g.arm))] as const));
  const c = per.get(control)!;
  const base = c.rate ?? 0.5;
  const neededPerArm = sampleSizePerArm(base > 0 && base < 1 ? base : 0.5, mde, 0.05, power);
  const arms = groups.map((g) => {
    const a = per.get(g.arm)!;
    const isVariant = g.arm !== control;
    const t = isVariant ? twoProportion(c.recovered, c.entered, a.recovered, a.entered) : null;
    return {
      ...a,
      vsControl: t ? { diff: t.diff, ciLow: t.ciLow, ciHigh: t.ciHigh, pValue: t.pValue } : null,
      chanceToBeatControl: isVariant ? chanceToBeatControl(c.recovered, c.entered, a.recovered, a.entered) : null,
      curve: recoveryCurve(items.filter((i) => i.arm === g.arm).map((i) => curveItemOf(i, nowMs)), curveDays),
      verdict: isVariant ? verdict(g.arm, t, c.entered, a.entered, neededPerArm) : g.arm === control ? 'Control.' : 'Holdout (segment’s current strategy).',
    };
  });
  const expected = expectedShares(e, db.prepare(`SELECT assigned_at_ms FROM experiment_assignments WHERE experiment_id = ?`).pluck().all(e.id) as number[]);
  const srm = srmCheck(groups.map((g) => counts.get(g.arm) ?? 0), groups.map((g) => expected[g.arm] ?? 0));
  // Days to go at the rate invoices have entered the smallest arm so far.
  const days = Math.max(1 / 24, ((e.stoppedAtMs ?? nowMs) - e.createdAtMs) / 86_400_000);
  const smallest = Math.min(...arms.filter((a) => a.arm !== 'holdout').map((a) => a.entered));
  const moreDays = smallest > 0 ? Math.max(0, Math.ceil((neededPerArm - smallest) / (smallest / days))) : null;
  const variants = arms.filter((a) => a.arm !== control && a.arm !== 'holdout');
  const summary = srm.flagged ? srm.message : variants.map((v) => v.verdict).join(' ');
  return { experiment: toView(db, e), currency: workspaceCurrency(db), arms, curveDays, srm, mde, power, neededPerArm, moreDays, summary };
}
