import crypto from 'node:crypto';
import type { Sqlite } from '../db/sqlite';
import { DEFAULT_KEY, getStrategy } from '../recovery/strategies';
import { assigner, hashV2 } from './assign';
import { armStrategy, getExperiment, runningExperiments, specOf, type ArmStrategy, type ExperimentRecord } from './store';

/**
 * What the run planner asks: which experiment arm (and so which strategy) a
 * customer of a segment gets. Order: a stored arm (the customer was treated
 * in this experiment: sticky), then the workspace-wide segmentation holdout
 * (the Default strategy), then the experiment's hash. Null: no experiment
 * applies and the segment's own strategy is used.
 */

export const SEG_HOLDOUT_ID = 'segmentation-holdout';
export const SEG_HOLDOUT_ARM = 'segmentation_holdout';

export interface ArmChoice {
  experimentId: string;
  arm: string;
  strategy: ArmStrategy;
}

// ── the segmentation holdout setting ──

export function readExpSettings(db: Sqlite): { segmentationHoldout: number; seed: string } {
  const get = (k: string) => db.prepare(`SELECT value FROM experiment_settings WHERE key = ?`).pluck().get(k) as string | undefined;
  let seed = get('seed');
  if (!seed) {
    seed = `seg_${crypto.randomBytes(8).toString('hex')}`;
    db.prepare(`INSERT OR IGNORE INTO experiment_settings (key, value) VALUES ('seed', ?)`).run(seed);
    seed = get('seed')!;
  }
  return { segmentationHoldout: Number(get('segmentation_holdout') ?? 0), seed };
}

export function writeSegmentationHoldout(db: Sqlite, pct: number, nowMs: number): void {
  const set = db.prepare(`INSERT INTO experiment_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const before = readExpSettings(db).segmentationHoldout;
  db.transaction(() => {
    set.run('segmentation_holdout', String(pct));
    // Results compare runs from the moment the holdout was (re)started.
    if (before === 0 && pct > 0) set.run('segmentation_holdout_since', String(nowMs));
  })();
}

export function segmentationHoldoutSince(db: Sqlite): number | null {
  const v = db.prepare(`SELECT value FROM experiment_settings WHERE key = 'segmentation_holdout_since'`).pluck().get() as string | undefined;
  return v === undefined ? null : Number(v);
}

/** In the segmentation holdout: GrowthBook hash v2 of (workspace holdout seed, customer id) below the percentage. */
export const inSegmentationHoldout = (s: { segmentationHoldout: number; seed: string }, customerId: string) =>
  s.segmentationHoldout > 0 && hashV2(s.seed, customerId) < s.segmentationHoldout / 100;

export function storedArm(db: Sqlite, experimentId: string, customerId: string): string | null {
  return (db.prepare(`SELECT arm FROM experiment_assignments WHERE experiment_id = ? AND customer_id = ?`).pluck().get(experimentId, customerId) as string | undefined) ?? null;
}

/** One chooser per plan: experiments, assigners and strategies read once. */
export function armChooser(db: Sqlite): (segmentId: string | null, customerId: string) => ArmChoice | null {
  const settings = readExpSettings(db);
  const bySegment = new Map<string, { e: ExperimentRecord; assign: (id: string) => string }>();
  for (const e of runningExperiments(db)) bySegment.set(e.segmentId, { e, assign: assigner(specOf(e)) });
  const strategies = new Map<string, ArmStrategy>();
  const strategyOf = (e: ExperimentRecord, arm: string) => {
    const k = `${e.id}\u0000${arm}`;
    let s = strategies.get(k);
    if (!s) strategies.set(k, (s = armStrategy(db, e, arm)));
    return s;
  };
  let defaultStrategy: ArmStrategy | null = null;
  return (segmentId, customerId) => {
    const exp = segmentId ? bySegment.get(segmentId) : undefined;
    const stored = exp ? storedArm(db, exp.e.id, customerId) : null;
    if (exp && stored) return { experimentId: exp.e.id, arm: stored, strategy: strategyOf(exp.e, stored) };
    if (inSegmentationHoldout(settings, customerId)) {
      defaultStrategy ??= getStrategy(db, DEFAULT_KEY);
      return { experimentId: SEG_HOLDOUT_ID, arm: SEG_HOLDOUT_ARM, strategy: defaultStrategy };
    }
    if (!exp) return null;
    const arm = exp.assign(customerId);
    return { experimentId: exp.e.id, arm, strategy: strategyOf(exp.e, arm) };
  };
}

/** The strategy a planned row follows when a run starts (the arm it was planned with). */
export function strategyForRow(db: Sqlite, row: { segmentId: string | null; experimentId?: string | null; arm?: string | null }): ArmStrategy {
  if (!row.experimentId || !row.arm) return getStrategy(db, row.segmentId ?? DEFAULT_KEY);
  if (row.experimentId === SEG_HOLDOUT_ID) return getStrategy(db, DEFAULT_KEY);
  return armStrategy(db, getExperiment(db, row.experimentId), row.arm);
}

/** A run treats the row's customer: its arm is fixed from now on (first run wins). */
export function recordTreated(db: Sqlite, row: { customerId: string; experimentId?: string | null; arm?: string | null }, runId: string, nowMs: number): void {
  if (!row.experimentId || !row.arm) return;
  db.prepare(`INSERT OR IGNORE INTO experiment_assignments (experiment_id, customer_id, arm, first_run_id, assigned_at_ms) VALUES (?, ?, ?, ?, ?)`).run(
    row.experimentId, row.customerId, row.arm, runId, nowMs,
  );
}
