import type { SegmentationResults } from '../../../shared/experiments';
import type { Sqlite } from '../db/sqlite';
import { workspaceCurrency } from '../recovery/data';
import { readExpSettings, SEG_HOLDOUT_ARM, SEG_HOLDOUT_ID, segmentationHoldoutSince } from './planner';
import { groupStats, ITEM_COLUMNS, type ItemRow } from './results';
import { twoProportion } from './stats';

const SEGMENTED = 'segmented';

/**
 * The segmentation holdout's measurement: invoices that entered runs since the
 * holdout was turned on, split into customers treated in the holdout (the
 * Default strategy, one size for all) and everyone else (their segment's
 * strategy or experiment arm). The holdout is the baseline ("control").
 */
export function segmentationLift(db: Sqlite): SegmentationResults {
  const settings = readExpSettings(db);
  const since = segmentationHoldoutSince(db);
  const currency = workspaceCurrency(db);
  const items = since === null ? [] : (db
    .prepare(
      `SELECT CASE WHEN a.customer_id IS NULL THEN '${SEGMENTED}' ELSE '${SEG_HOLDOUT_ARM}' END AS arm, i.customer_id AS customerId, ${ITEM_COLUMNS}
       FROM recovery_run_items i
       LEFT JOIN experiment_assignments a ON a.experiment_id = '${SEG_HOLDOUT_ID}' AND a.customer_id = i.customer_id
       LEFT JOIN invoices v ON v.id = i.invoice_id
       WHERE i.joined_at_ms >= ?`,
    )
    .all(since) as (ItemRow & { customerId: string })[]);
  const stats = (arm: string) => {
    const mine = items.filter((i) => i.arm === arm);
    return groupStats(arm, new Set(mine.map((i) => i.customerId)).size, mine);
  };
  const base = stats(SEG_HOLDOUT_ARM);
  const seg = stats(SEGMENTED);
  const t = twoProportion(base.recovered, base.entered, seg.recovered, seg.entered);
  const relativeLift = t && base.rate ? t.diff / base.rate : null;
  const enough = base.entered >= 30 && seg.entered >= 30;
  const summary =
    since === null ? 'The segmentation holdout is off: turn it on (e.g. 5%) to measure segmented strategies against one-size-fits-all.'
    : !t || !enough ? 'Not enough data yet.'
    : t.pValue < 0.05
      ? `Segmented strategies recover ${t.diff > 0 ? 'more' : 'less'} than one-size-fits-all: ${t.diff > 0 ? '+' : ''}${(t.diff * 100).toFixed(1)} points [${(t.ciLow * 100).toFixed(1)}, ${(t.ciHigh * 100).toFixed(1)}] (95% CI)${relativeLift === null ? '' : `, ${relativeLift > 0 ? '+' : ''}${(relativeLift * 100).toFixed(0)}% relative`}.`
      : 'No clear difference between segmented strategies and one-size-fits-all yet.';
  return {
    segmentationHoldout: settings.segmentationHoldout, since, currency, relativeLift, summary,
    arms: [
      { ...base, vsControl: null, verdict: 'Baseline: the Default strategy for everyone.' },
      { ...seg, vsControl: t ? { diff: t.diff, ciLow: t.ciLow, ciHigh: t.ciHigh, pValue: t.pValue } : null, verdict: summary },
    ],
  };
}
