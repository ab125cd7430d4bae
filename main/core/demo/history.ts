import type { HandlerContext } from '../context';
import type { Sqlite } from '../db/sqlite';
import { UserError } from '../errors';
import { CoreEvents } from '../events';
import { createExperiment } from '../experiments/store';
import { writeSegmentationHoldout } from '../experiments/planner';
import { refreshFactsAndMembership } from '../facts/freshness';
import { audit } from '../recovery/audit';
import { createRecovery, type Recovery } from '../recovery/handlers';
import { buildPlan } from '../recovery/plan';
import { readSettings } from '../recovery/settings';
import { getStrategy } from '../recovery/strategies';

/**
 * #19: the demo workspace's history. After the demo has synced, the last
 * `days` days are replayed through the recovery engine itself (plan → run →
 * outbox → channels) on a clock of its own: every `runEveryDays` the
 * workspace's strategies plan and start a run over the open failed invoices;
 * between runs the engine ticks every `tickHours`, so new failures join the
 * newest run, due steps fire (emails captured, retries paid or declined by the
 * local Stripe server, offers made, calls placed on the fake provider) and the
 * simulated customers answer (main/stripe-sim/writes.ts `respond`). Nothing is
 * written into report tables directly.
 *
 * An invoice is hidden from the engine (status 'draft' in the local database)
 * until the clock passes its first failure, as if a sync had brought it then.
 * A segmentation holdout (the Default strategy for `holdoutPercent` of the
 * customers: the "one size fits all" baseline) and one experiment (Growth:
 * the segment's strategy against the same steps in a warm tone) run from the
 * first day. Audit entries name the actor "Demo history".
 *
 * At the end the clock is real time again: runs whose later steps are still
 * due stay running (the app's ticker carries them on, as it would a run
 * started last week), and facts are refreshed as of today.
 */
export const HISTORY_ACTOR = 'Demo history';
const DAY = 86_400;
const SETTINGS_KEY = 'recovery.settings';

export interface HistoryOptions {
  days?: number;
  runEveryDays?: number;
  tickHours?: number;
  /** Facts (tenure, days since failure, amount at risk) and segment membership are recomputed this often. */
  refreshFactsEveryDays?: number;
  holdoutPercent?: number;
  /** Called once per simulated day (day 1 … days). */
  onProgress?(day: number, days: number): void;
}

export interface HistorySummary {
  days: number;
  runs: number;
  ticks: number;
  /** Failed invoices that appeared as the clock passed their first failure. */
  failures: number;
  ms: number;
}

export async function replayDemoHistory(ctx: HandlerContext, workspaceId: string, opts: HistoryOptions = {}): Promise<HistorySummary> {
  const days = opts.days ?? 95;
  const runEvery = (opts.runEveryDays ?? 7) * DAY;
  const tickEvery = (opts.tickHours ?? 24) * 3600;
  const refreshEvery = (opts.refreshFactsEveryDays ?? 28) * DAY;
  const began = Date.now();
  const db = ctx.db(workspaceId);
  const end = ctx.nowSec();
  // The first simulated day starts at 09:00 UTC.
  const start = Math.floor((end - days * DAY) / DAY) * DAY + 9 * 3600;
  const clock = { sec: start };
  // The engine, its channels and the demo's Stripe on the history's clock; events stay inside (the app hears only the result).
  const hctx: HandlerContext = { ...ctx, events: new CoreEvents(), ports: { ...ctx.ports, clock: { now: () => clock.sec * 1000 } }, nowSec: () => clock.sec };
  const recovery = createRecovery(hctx);
  // Payments mark their customers; their facts are recomputed together before each plan (one batch, not one per payment).
  recovery.demo.deferFacts = true;

  const hidden = hideFutureFailures(db, start);
  const savedSettings = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(SETTINGS_KEY) as string | undefined;
  const summary: HistorySummary = { days, runs: 0, ticks: 0, failures: hidden.length, ms: 0 };
  try {
    db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(SETTINGS_KEY, JSON.stringify({ operatorName: HISTORY_ACTOR, operatorEmail: null }));
    await refreshFactsAndMembership(hctx, db, workspaceId, start, true);
    // Fixed hash seeds: the same demo seed gives the same holdout and arms (and so the same history) on every build.
    db.prepare(`INSERT OR IGNORE INTO experiment_settings (key, value) VALUES ('seed', 'seg_demo_history')`).run();
    writeSegmentationHoldout(db, opts.holdoutPercent ?? 10, start * 1000);
    startToneExperiment(db, start * 1000, ctx);
    await recovery.demoVoice.ensure(workspaceId);

    let nextRun = start;
    let nextRefresh = start + refreshEvery;
    let lastDay = 0;
    for (let t = start; t <= end; t += tickEvery) {
      clock.sec = t;
      reveal(db, hidden, t);
      await alignSimClock(recovery, workspaceId, t);
      if (t >= nextRun) {
        nextRun += runEvery;
        if (t >= nextRefresh) {
          nextRefresh += refreshEvery;
          await refreshFactsAndMembership(hctx, db, workspaceId, t, true);
        } else if (db.prepare(`SELECT 1 FROM dirty_customers LIMIT 1`).get()) {
          // Customers who paid since the last plan: their facts (amount at risk, past due) before planning.
          await refreshFactsAndMembership(hctx, db, workspaceId, t, false);
        }
        if (await planAndStart(hctx, recovery, workspaceId)) summary.runs++;
      } else {
        await recovery.engine.tick(workspaceId);
        summary.ticks++;
      }
      const day = Math.min(days, Math.floor((t - start) / DAY) + 1);
      if (day !== lastDay) opts.onProgress?.((lastDay = day), days);
    }
    // Real time again: whatever failed since the last step joins the newest run; later steps stay scheduled.
    clock.sec = ctx.nowSec();
    reveal(db, hidden, Number.MAX_SAFE_INTEGER);
    await alignSimClock(recovery, workspaceId, clock.sec);
    await recovery.engine.tick(workspaceId);
  } finally {
    reveal(db, hidden, Number.MAX_SAFE_INTEGER);
    if (savedSettings === undefined) db.prepare(`DELETE FROM meta WHERE key = ?`).run(SETTINGS_KEY);
    else db.prepare(`UPDATE meta SET value = ? WHERE key = ?`).run(savedSettings, SETTINGS_KEY);
    await recovery.close();
  }
  // Facts and segment membership as of today (the replay left them as of its last day).
  await refreshFactsAndMembership(ctx, db, workspaceId, ctx.nowSec(), true);
  summary.ms = Date.now() - began;
  return summary;
}

interface Hidden {
  id: string;
  firstFailureAt: number;
  shown: boolean;
}

/** Open failed invoices whose first failure is after `start`: drafts until the clock passes it. */
function hideFutureFailures(db: Sqlite, start: number): Hidden[] {
  const rows = db
    .prepare(
      `SELECT i.id, (SELECT min(c.created) FROM charges c WHERE c.invoice_id = i.id AND c.status = 'failed') AS firstFailureAt
       FROM invoices i WHERE i.status = 'open' AND i.amount_remaining > 0`,
    )
    .all() as { id: string; firstFailureAt: number | null }[];
  const later = rows.filter((r) => r.firstFailureAt !== null && r.firstFailureAt > start).map((r) => ({ id: r.id, firstFailureAt: r.firstFailureAt!, shown: false }));
  const hide = db.prepare(`UPDATE invoices SET status = 'draft' WHERE id = ?`);
  db.transaction(() => later.forEach((h) => hide.run(h.id)))();
  return later.sort((a, b) => a.firstFailureAt - b.firstFailureAt);
}

function reveal(db: Sqlite, hidden: Hidden[], until: number): void {
  const show = db.prepare(`UPDATE invoices SET status = 'open' WHERE id = ? AND status = 'draft'`);
  const due = hidden.filter((h) => !h.shown && h.firstFailureAt <= until);
  if (!due.length) return;
  db.transaction(() =>
    due.forEach((h) => {
      show.run(h.id);
      h.shown = true;
    }),
  )();
}

/** The local Stripe server's clock follows the history's (charges, payday effects and response decay use it). */
async function alignSimClock(recovery: Recovery, workspaceId: string, t: number): Promise<void> {
  const { sim } = await recovery.demo.get(workspaceId);
  sim.tick(t - sim.now());
}

/**
 * A run over every open failed invoice not already in a run, as `runs.plan` then `runs.start` make it
 * (the plan built and audited the same way; facts are refreshed by the caller, every few weeks rather
 * than every plan, which is what keeps the replay short). False when there was nothing new to act on.
 */
async function planAndStart(hctx: HandlerContext, recovery: Recovery, workspaceId: string): Promise<boolean> {
  const db = hctx.db(workspaceId);
  const ws = hctx.registry.get(workspaceId);
  const nowMs = hctx.ports.clock.now();
  const actor = readSettings(db).operatorName;
  const plan = buildPlan({ db, workspaceId, mode: ws.mode, now: hctx.nowSec(), nowMs, filters: {}, channels: recovery.engine.channels, logger: hctx.ports.logger, actor });
  audit(db, nowMs, {
    actor, kind: 'run.planned',
    message: `plan ${plan.planId}: ${plan.totals.invoices} invoices, ${plan.totals.actionsNow} actions now, ${plan.totals.actionsLater} later, ${plan.totals.skipped} skipped`,
    data: { planId: plan.planId, filters: {}, totals: { invoices: plan.totals.invoices, now: plan.totals.actionsNow, later: plan.totals.actionsLater, skipped: plan.totals.skipped, cost: plan.totals.estimatedCost } },
  });
  if (!plan.rows.some((r) => !r.skipReason && r.steps.length > 0)) return false;
  try {
    await recovery.engine.start(workspaceId, plan.planId, true);
    return true;
  } catch (e) {
    // Nothing new (every row already in a running run): the next tick carries on.
    if (e instanceof UserError && e.code === 'conflict') return false;
    throw e;
  }
}

/** Growth: its own strategy against the same steps in a warm tone, 50/50, so the demo has variants to compare. */
function startToneExperiment(db: Sqlite, nowMs: number, ctx: HandlerContext): void {
  const segmentId = db.prepare(`SELECT id FROM segments WHERE archived = 0 AND name = 'Growth'`).pluck().get() as string | undefined;
  if (!segmentId) return;
  const s = getStrategy(db, segmentId);
  const steps = s.steps.map((step) => ('tone' in step.config ? { ...step, config: { ...step.config, tone: 'warm' } } : step));
  try {
    createExperiment(
      db,
      {
        name: 'Growth: warm tone',
        segmentId,
        arms: [
          { name: 'current', weight: 50, strategyFrom: 'segment' },
          { name: 'warm', weight: 50, strategy: { name: `${s.name} (warm)`, description: 'The Growth steps in a warm tone', enabled: true, steps } },
        ],
        holdout: 0,
        seed: 'exp_demo_history_growth_tone',
      },
      nowMs,
    );
  } catch (e) {
    ctx.ports.logger.warn({ err: String(e) }, 'demo history: the tone experiment could not be started');
  }
}
