import crypto from 'node:crypto';
import { StrategyInput, type Step } from '../../../shared/contract';
import type { ArmInput, Experiment } from '../../../shared/experiments';
import type { Sqlite } from '../db/sqlite';
import { badRequest, conflict, notFound } from '../errors';
import { issuesMessage } from '../issue-words';
import { DEFAULT_KEY, getStrategy, templateProblem } from '../recovery/strategies';
import { stepTitle } from '../../../shared/words';
import * as segments from '../segments/service';
import { validateTemplate } from '../recovery/templates';
import { HASH_VERSION, HOLDOUT_ARM, type AssignSpec } from './assign';

/**
 * Experiments as stored. An arm's strategy is either the segment's current
 * strategy, read at plan time (`strategy: null`, source 'segment' — the
 * first arm, the control, by default) or a strategy stored with the arm: a
 * copy of the segment's strategy taken at creation (other arms' default, to be
 * replaced with `--arm-strategy`), the Default strategy, another segment's
 * strategy, or one given as JSON ('custom'). The holdout always gets the
 * segment's current strategy.
 */

export interface ArmStrategy {
  name: string;
  description: string;
  enabled: boolean;
  steps: Step[];
}

export interface StoredArm {
  name: string;
  weight: number;
  source: string;
  strategy: ArmStrategy | null;
}

export interface ExperimentRecord {
  id: string;
  key: string;
  name: string;
  segmentId: string;
  seed: string;
  holdout: number;
  arms: StoredArm[];
  /** Planned shares per group from a time on (each split change appends one). */
  splits: { fromMs: number; shares: Record<string, number> }[];
  status: 'running' | 'stopped' | 'shipped';
  winner: string | null;
  createdAtMs: number;
  stoppedAtMs: number | null;
}

interface Row {
  id: string; key: string; name: string; segment_id: string; seed: string; hash_version: number; holdout: number; arms: string;
  splits: string; status: ExperimentRecord['status']; winner: string | null; created_at_ms: number; updated_at_ms: number; stopped_at_ms: number | null;
}

const toRecord = (r: Row): ExperimentRecord => ({
  id: r.id, key: r.key, name: r.name, segmentId: r.segment_id, seed: r.seed, holdout: r.holdout, arms: JSON.parse(r.arms) as StoredArm[],
  splits: JSON.parse(r.splits) as ExperimentRecord['splits'],
  status: r.status, winner: r.winner, createdAtMs: r.created_at_ms, stoppedAtMs: r.stopped_at_ms,
});

export function getExperiment(db: Sqlite, id: string): ExperimentRecord {
  const r = db.prepare(`SELECT * FROM experiments WHERE id = ? OR key = ?`).get(id, id) as Row | undefined;
  if (!r) throw notFound(`The experiment "${id.slice(0, 80)}"`);
  return toRecord(r);
}

export function listExperiments(db: Sqlite): ExperimentRecord[] {
  return (db.prepare(`SELECT * FROM experiments ORDER BY created_at_ms DESC, id`).all() as Row[]).map(toRecord);
}

export function runningExperiments(db: Sqlite): ExperimentRecord[] {
  return (db.prepare(`SELECT * FROM experiments WHERE status = 'running' ORDER BY created_at_ms`).all() as Row[]).map(toRecord);
}

export const specOf = (e: Pick<ExperimentRecord, 'seed' | 'arms' | 'holdout'>): AssignSpec => ({ seed: e.seed, arms: e.arms.map((a) => ({ name: a.name, weight: a.weight })), holdout: e.holdout });

/** Planned share (0–1) of each group: the holdout first (when any), then the arms. */
export function plannedShares(e: Pick<ExperimentRecord, 'arms' | 'holdout'>): { arm: string; share: number }[] {
  const h = e.holdout / 100;
  return [...(h > 0 ? [{ arm: HOLDOUT_ARM, share: h }] : []), ...e.arms.map((a) => ({ arm: a.name, share: (1 - h) * (a.weight / 100) }))];
}

const sharesOf = (e: Pick<ExperimentRecord, 'arms' | 'holdout'>) => Object.fromEntries(plannedShares(e).map((g) => [g.arm, g.share]));

/**
 * Expected share of each group among stored assignments: each assignment
 * counts with the split in force when it was made (a split change must not
 * read as a sample-ratio mismatch).
 */
export function expectedShares(e: ExperimentRecord, assignedAt: number[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(plannedShares(e).map((g) => [g.arm, 0]));
  if (!assignedAt.length) return Object.fromEntries(plannedShares(e).map((g) => [g.arm, g.share]));
  for (const at of assignedAt) {
    const split = [...e.splits].reverse().find((s) => s.fromMs <= at) ?? e.splits[0];
    for (const [arm, share] of Object.entries(split?.shares ?? {})) out[arm] = (out[arm] ?? 0) + share / assignedAt.length;
  }
  return out;
}

export function segmentOrThrow(db: Sqlite, ref: string): segments.SegmentRecord {
  const seg = segments.get(db, ref) ?? segments.list(db).find((s) => s.name.toLowerCase() === ref.toLowerCase());
  if (!seg) throw badRequest(`Unknown segment "${ref.slice(0, 80)}" (see: reclaim segments list)`);
  if (seg.archived) throw badRequest(`Segment "${seg.name}" is archived; an experiment needs a live segment`);
  return seg;
}

const copyOf = (db: Sqlite, key: string): ArmStrategy => {
  const s = getStrategy(db, key);
  return { name: s.name, description: s.description, enabled: s.enabled, steps: s.steps };
};

/** Checks a draft's arms and resolves each arm's strategy. Throws one-line bad_request errors. */
export function resolveArms(db: Sqlite, segmentId: string, arms: ArmInput[]): StoredArm[] {
  const sum = arms.reduce((a, b) => a + b.weight, 0);
  if (sum !== 100) throw badRequest(`Arm weights must sum to 100 (${arms.map((a) => `${a.name}:${a.weight}`).join(',')} sums to ${sum})`);
  const names = arms.map((a) => a.name.toLowerCase());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw badRequest(`Arm "${dup}" is named twice; arm names must be unique`);
  return arms.map((a, i) => {
    if (a.strategy) {
      const parsed = StrategyInput.safeParse(a.strategy);
      if (!parsed.success) {
        throw badRequest(`Arm ${a.name}'s strategy is not valid: ${issuesMessage(parsed.error.issues, a.strategy)}`);
      }
      // The same template check `strategies set` makes, so a bad template is refused now, not when its email is due.
      parsed.data.steps.forEach((step, n) => {
        const t = step.channel === 'email' || step.channel === 'offer' ? step.config.template : step.channel === 'retry' ? step.config.newCardTemplate : null;
        if (!t) return;
        try {
          validateTemplate(t);
        } catch (e) {
          throw badRequest(`Arm ${a.name}'s strategy is not valid: ${stepTitle(n, step)}: ${templateProblem(e)}`);
        }
      });
      return { name: a.name, weight: a.weight, source: 'custom', strategy: parsed.data };
    }
    const from = a.strategyFrom ?? (i === 0 ? 'segment' : 'copy');
    if (from === 'segment') return { name: a.name, weight: a.weight, source: 'segment', strategy: null };
    if (from === 'copy') return { name: a.name, weight: a.weight, source: 'copy', strategy: copyOf(db, segmentId) };
    if (from === DEFAULT_KEY) return { name: a.name, weight: a.weight, source: 'default', strategy: copyOf(db, DEFAULT_KEY) };
    const other = segments.get(db, from) ?? segments.list(db).find((s) => s.name.toLowerCase() === from.toLowerCase());
    if (!other) throw badRequest(`Arm ${a.name}: no strategy "${from.slice(0, 80)}" (use segment, copy, default, a segment id or name, or a strategy file)`);
    return { name: a.name, weight: a.weight, source: `segment:${other.id}`, strategy: copyOf(db, other.id) };
  });
}

export function newSeed(): string {
  return `exp_${crypto.randomBytes(8).toString('hex')}`;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'experiment';

export function createExperiment(
  db: Sqlite,
  input: { name: string; segmentId: string; arms: ArmInput[]; holdout: number; seed?: string | undefined },
  nowMs: number,
): ExperimentRecord {
  const seg = segmentOrThrow(db, input.segmentId);
  const arms = resolveArms(db, seg.id, input.arms);
  const id = `exp_${crypto.randomBytes(6).toString('hex')}`;
  const seed = input.seed ?? newSeed();
  const key = `${slug(input.name)}-${id.slice(4, 10)}`;
  db.transaction(() => {
    const running = db.prepare(`SELECT name FROM experiments WHERE segment_id = ? AND status = 'running'`).pluck().get(seg.id) as string | undefined;
    if (running) throw conflict(`Segment "${seg.name}" already has a running experiment ("${running}"); stop or ship it first`);
    const splits = [{ fromMs: nowMs, shares: sharesOf({ arms, holdout: input.holdout }) }];
    db.prepare(
      `INSERT INTO experiments (id, key, name, segment_id, seed, hash_version, holdout, arms, splits, status, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
    ).run(id, key, input.name, seg.id, seed, HASH_VERSION, input.holdout, JSON.stringify(arms), JSON.stringify(splits), nowMs, nowMs);
  })();
  return getExperiment(db, id);
}

export function setStatus(db: Sqlite, id: string, status: 'stopped' | 'shipped', winner: string | null, nowMs: number): ExperimentRecord {
  db.prepare(`UPDATE experiments SET status = ?, winner = ?, updated_at_ms = ?, stopped_at_ms = coalesce(stopped_at_ms, ?) WHERE id = ?`).run(status, winner, nowMs, nowMs, id);
  return getExperiment(db, id);
}

/** New weights for the same arms (sticky: stored assignments are untouched). */
export function setSplit(db: Sqlite, e: ExperimentRecord, weights: { name: string; weight: number }[], holdout: number | undefined, nowMs: number): ExperimentRecord {
  if (e.status !== 'running') throw conflict(`Experiment ${e.id} is ${e.status}; its split can no longer change`);
  const given = weights.map((w) => w.name).sort().join(',');
  const have = e.arms.map((a) => a.name).sort().join(',');
  if (given !== have) throw badRequest(`The new split must name the same arms (${e.arms.map((a) => a.name).join(', ')}); got ${weights.map((w) => w.name).join(', ')}`);
  const sum = weights.reduce((a, b) => a + b.weight, 0);
  if (sum !== 100) throw badRequest(`Arm weights must sum to 100 (${weights.map((a) => `${a.name}:${a.weight}`).join(',')} sums to ${sum})`);
  const arms = e.arms.map((a) => ({ ...a, weight: weights.find((w) => w.name === a.name)!.weight }));
  const splits = [...e.splits, { fromMs: nowMs, shares: sharesOf({ arms, holdout: holdout ?? e.holdout }) }];
  db.prepare(`UPDATE experiments SET arms = ?, holdout = ?, splits = ?, updated_at_ms = ? WHERE id = ?`).run(JSON.stringify(arms), holdout ?? e.holdout, JSON.stringify(splits), nowMs, e.id);
  return getExperiment(db, e.id);
}

/** The strategy a group of the experiment follows ('holdout' and live arms: the segment's current one). */
export function armStrategy(db: Sqlite, e: ExperimentRecord, arm: string): ArmStrategy {
  const a = e.arms.find((x) => x.name === arm);
  if (arm !== HOLDOUT_ARM && !a) throw notFound(`Arm "${arm}" of experiment ${e.id}`);
  return a?.strategy ?? copyOf(db, e.segmentId);
}

export function toView(db: Sqlite, e: ExperimentRecord): Experiment {
  const seg = segments.get(db, e.segmentId);
  return {
    id: e.id, key: e.key, name: e.name, segmentId: e.segmentId, segmentName: seg?.name ?? 'Deleted segment', seed: e.seed, hashVersion: HASH_VERSION,
    holdout: e.holdout, status: e.status, winner: e.winner, createdAt: e.createdAtMs, stoppedAt: e.stoppedAtMs,
    arms: e.arms.map((a) => {
      const s = a.strategy ?? (seg ? copyOf(db, e.segmentId) : { name: 'Deleted segment', description: '', enabled: false, steps: [] });
      return { name: a.name, weight: a.weight, strategy: { name: s.name, source: a.source, channels: [...new Set(s.steps.map((x) => x.channel))] } };
    }),
  };
}
