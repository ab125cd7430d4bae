import type { Sqlite } from '../db/sqlite';
import { SEG_HOLDOUT_ARM, SEG_HOLDOUT_ID } from '../experiments/planner';
import { converter } from '../facts/compute';

/**
 * Attribution of a cohort invoice (definitions in ./definitions.ts): the
 * segment and variant of the run that worked it, the channel that acted last
 * before the payment, and what was spent on it. Read-only.
 */
export const NO_RUN = 'No run';
export const NO_EXPERIMENT = { key: 'none', label: 'No experiment' } as const;
export const NO_ACTION = 'none';
export const HOLDOUT_VARIANT = { key: `${SEG_HOLDOUT_ID}/${SEG_HOLDOUT_ARM}`, label: 'Segmentation holdout (Default strategy)' } as const;

interface RunItem { invoiceId: string; segmentName: string; joinedAtMs: number }
interface Assignment { experimentId: string; customerId: string; arm: string; assignedAtMs: number; key: string | null; name: string | null; stoppedAtMs: number | null }
interface Action { invoiceId: string; channel: string; startedAtMs: number | null; finishedAtMs: number }
/** A cost in the workspace currency, when it was spent. */
export interface Spend { atMs: number; amount: number; kind: 'voice' | 'offer' }

export interface Attribution {
  segment: string;
  variant: { key: string; label: string };
  /** The run item the invoice is attributed to (null: no run worked it). */
  joinedAtMs: number | null;
  spends: Spend[];
}

/** Rows by key, in the order first seen. */
export function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export interface AttributionSource {
  attribute(invoiceId: string, customerId: string, paidAtSec: number | null): Attribution;
  /** The channel of the last action that succeeded by `cutoffSec` (see definitions), or `none`. */
  channel(invoiceId: string, cutoffSec: number): string;
}

export function attributionSource(db: Sqlite, workspaceCurrency: string): AttributionSource {
  const toWs = converter(db, workspaceCurrency.toLowerCase());
  const conv = (amount: number, currency: string | null) => Math.round(toWs(amount, currency ?? workspaceCurrency));
  const items = groupBy(
    db.prepare(`SELECT invoice_id AS invoiceId, segment_name AS segmentName, joined_at_ms AS joinedAtMs FROM recovery_run_items ORDER BY joined_at_ms, run_id`).all() as RunItem[],
    (r) => r.invoiceId,
  );
  const assignments = groupBy(
    db.prepare(
      `SELECT a.experiment_id AS experimentId, a.customer_id AS customerId, a.arm, a.assigned_at_ms AS assignedAtMs, e.key, e.name, e.stopped_at_ms AS stoppedAtMs
       FROM experiment_assignments a LEFT JOIN experiments e ON e.id = a.experiment_id ORDER BY a.assigned_at_ms`,
    ).all() as Assignment[],
    (r) => r.customerId,
  );
  const actions = groupBy(
    db.prepare(
      `SELECT invoice_id AS invoiceId, channel, started_at_ms AS startedAtMs, finished_at_ms AS finishedAtMs FROM recovery_outbox
       WHERE status = 'succeeded' AND finished_at_ms IS NOT NULL ORDER BY finished_at_ms, step_index`,
    ).all() as Action[],
    (r) => r.invoiceId,
  );
  // Voice: every call's final price, else its reserved cost; outbox voice actions without a call row by their own cost.
  const voice = db.prepare(
    `SELECT invoice_id AS invoiceId, coalesce(cost, reserved_cost) AS amount, currency, created_at * 1000 AS atMs FROM voice_calls
     UNION ALL
     SELECT o.invoice_id, o.cost_amount, o.cost_currency, coalesce(o.finished_at_ms, o.updated_at_ms) FROM recovery_outbox o
     WHERE o.channel = 'voice' AND o.cost_amount IS NOT NULL AND NOT EXISTS (SELECT 1 FROM voice_calls v WHERE v.action_key = o.key)`,
  ).all() as { invoiceId: string; amount: number; currency: string | null; atMs: number }[];
  const offers = db.prepare(`SELECT invoice_id AS invoiceId, value_amount AS amount, currency, created_at_ms AS atMs FROM recovery_offers`).all() as typeof voice;
  const spends = groupBy(
    [
      ...voice.map((v) => ({ invoiceId: v.invoiceId, atMs: v.atMs, amount: conv(v.amount, v.currency), kind: 'voice' as const })),
      ...offers.map((o) => ({ invoiceId: o.invoiceId, atMs: o.atMs, amount: conv(o.amount, o.currency), kind: 'offer' as const })),
    ],
    (s) => s.invoiceId,
  );

  const variantOf = (customerId: string, joinedAtMs: number) => {
    const mine = (assignments.get(customerId) ?? []).filter((a) => a.assignedAtMs <= joinedAtMs && (a.stoppedAtMs === null || joinedAtMs <= a.stoppedAtMs));
    const experiment = mine.filter((a) => a.experimentId !== SEG_HOLDOUT_ID).at(-1);
    if (experiment) return { key: `${experiment.key ?? experiment.experimentId}/${experiment.arm}`, label: `${experiment.name ?? experiment.key ?? experiment.experimentId}: ${experiment.arm}` };
    if (mine.some((a) => a.experimentId === SEG_HOLDOUT_ID)) return { ...HOLDOUT_VARIANT };
    return { ...NO_EXPERIMENT };
  };

  return {
    attribute(invoiceId, customerId, paidAtSec) {
      const mine = items.get(invoiceId) ?? [];
      // The latest run that took the invoice in before it was paid (else the latest, else the first).
      const beforePaid = paidAtSec === null ? mine : mine.filter((i) => i.joinedAtMs <= paidAtSec * 1000 + 999);
      const item = beforePaid.at(-1) ?? mine[0];
      return {
        segment: item ? item.segmentName || 'Default' : NO_RUN,
        variant: item ? variantOf(customerId, item.joinedAtMs) : { ...NO_EXPERIMENT },
        joinedAtMs: item?.joinedAtMs ?? null,
        spends: spends.get(invoiceId) ?? [],
      };
    },
    channel(invoiceId, cutoffSec) {
      const limit = cutoffSec * 1000 + 999;
      const done = (actions.get(invoiceId) ?? []).filter((a) => (a.startedAtMs ?? a.finishedAtMs) <= limit);
      return done.at(-1)?.channel ?? NO_ACTION;
    },
  };
}
