import type { ExperimentPreview } from '../../../shared/experiments';
import type { Sqlite } from '../db/sqlite';
import { workspaceCurrency } from '../recovery/data';
import { assigner } from './assign';
import { inSegmentationHoldout, readExpSettings, SEG_HOLDOUT_ARM } from './planner';
import { expectedShares, plannedShares, specOf, type ExperimentRecord } from './store';
import { srmCheck } from './stats';

/**
 * Arms of the segment's current members (winner = this segment): a treated
 * customer's stored arm, else the workspace segmentation holdout, else the
 * hash — the order the planner uses.
 */
export function memberArms(
  db: Sqlite,
  e: Pick<ExperimentRecord, 'id' | 'segmentId' | 'seed' | 'arms' | 'holdout'>,
): { customerId: string; arm: string; mrr: number; amountAtRisk: number; treated: boolean; assignedAt: number | null }[] {
  const rows = db
    .prepare(
      `SELECT w.customer_id AS customerId, coalesce(f.mrr, 0) AS mrr, coalesce(f.amount_at_risk, 0) AS amountAtRisk, a.arm AS stored, a.assigned_at_ms AS assignedAt
       FROM segment_winner w
       LEFT JOIN customer_facts f ON f.customer_id = w.customer_id
       LEFT JOIN experiment_assignments a ON a.experiment_id = ? AND a.customer_id = w.customer_id
       WHERE w.segment_id = ? ORDER BY w.customer_id`,
    )
    .all(e.id, e.segmentId) as { customerId: string; mrr: number; amountAtRisk: number; stored: string | null; assignedAt: number | null }[];
  const settings = readExpSettings(db);
  const assign = assigner(specOf(e));
  return rows.map((r) => ({
    customerId: r.customerId,
    arm: r.stored ?? (inSegmentationHoldout(settings, r.customerId) ? SEG_HOLDOUT_ARM : assign(r.customerId)),
    mrr: r.mrr,
    amountAtRisk: r.amountAtRisk,
    treated: r.stored !== null,
    assignedAt: r.assignedAt,
  }));
}

export function previewOf(db: Sqlite, e: Pick<ExperimentRecord, 'id' | 'segmentId' | 'seed' | 'arms' | 'holdout' | 'splits'>, segmentName: string): ExperimentPreview {
  const members = memberArms(db, e);
  const seg = readExpSettings(db).segmentationHoldout / 100;
  const groups = [
    ...(seg > 0 ? [{ arm: SEG_HOLDOUT_ARM, share: seg }] : []),
    ...plannedShares(e).map((g) => ({ arm: g.arm, share: g.share * (1 - seg) })),
  ];
  const n = members.length;
  const arms = groups.map((g) => {
    const mine = members.filter((m) => m.arm === g.arm);
    const expected = n * g.share;
    return {
      arm: g.arm,
      share: g.share,
      customers: mine.length,
      expected,
      deviation: mine.length - expected,
      expectedSd: Math.sqrt(n * g.share * (1 - g.share)),
      mrr: mine.reduce((s, m) => s + m.mrr, 0),
      amountAtRisk: mine.reduce((s, m) => s + m.amountAtRisk, 0),
      treated: mine.filter((m) => m.treated).length,
    };
  });
  // SRM: treated members count with the split in force when they were treated (a later split change is not a mismatch).
  const treated = members.filter((m) => m.treated && m.arm !== SEG_HOLDOUT_ARM);
  const treatedShares = treated.length ? expectedShares(e as ExperimentRecord, treated.map((m) => m.assignedAt!)) : {};
  const srmShares = groups.map((g) => (n ? (g.share * (n - treated.length) + (treatedShares[g.arm] ?? 0) * treated.length) / n : g.share));
  return {
    seed: e.seed, segmentName, currency: workspaceCurrency(db), members: n, arms,
    srm: srmCheck(arms.map((a) => a.customers), srmShares),
  };
}
