import crypto from 'node:crypto';
import os from 'node:os';
import type { PlanFilters, RunAction, RunSummary, Step } from '../../../shared/contract';
import type { HandlerContext } from '../context';
import type { Sqlite } from '../db/sqlite';
import { conflict, notFound } from '../errors';
import { audit } from './audit';
import type { ActionContext, ActionResult } from './channel';
import { stripeFailure } from './channels/stripe-errors';
import { closedReason, customerInfo, invoiceById, openFailedInvoices, segmentNames, workspaceCurrency } from './data';
import { actionContext, conditionsFail, type ChannelRegistry } from './engine';
import { activeRunInvoices, getPlan, matchesFilters, planSteps } from './plan';
import { stopClosedItems, stopItem } from './run-items';
import { insertOutbox, readRun, runActions, runSummary, type ItemRow, type OutboxRow, type RunActionFilter, type RunRow } from './run-read';
import { RunOverlap } from './run-overlap';
import { actorName, runActor } from '../operators/session';
import { claimBlock, ContactLedger, readContactPolicy, withEarlierRuns } from './contact-policy';
import { DEFAULT_KEY, getStrategy } from './strategies';
import { armChooser, recordTreated, strategyForRow } from '../experiments/planner';
import { pidAlive } from '../reliability/pid';

/**
 * Executes runs from the main process. Every side effect goes through the
 * outbox: a row per (run, invoice, step) with a deterministic key, inserted
 * when the run starts, and claimed (status in_flight, committed) BEFORE the
 * channel acts; the Stripe Idempotency-Key and the email Message-ID derive
 * from that key. After a crash, rows left in flight are resolved by their
 * channel's `recover` (Stripe requests are repeated with the same key; an
 * SMTP send is not repeated), so resuming never emails or charges twice.
 */
const PROCESS_TAG = `pid ${process.pid}@${os.hostname()}#${crypto.randomBytes(3).toString('hex')}`;
const STALE_MS = 10 * 60_000;
const MAX_ATTEMPTS = 3;
const RETRY_LATER_SEC = 15 * 60;

export interface TickResult { runs: number; fired: number; succeeded: number; failed: number; skipped: number; joined: number; stopped: number }

export interface EngineHooks {
  /** After an action finished (the demo's simulated customers respond here). */
  afterAction?(workspaceId: string, action: ActionContext, result: ActionResult): Promise<void> | void;
  /** Before a tick looks at invoices (the demo pulls its local Stripe server's changes here). */
  beforeTick?(workspaceId: string): Promise<void>;
}

export class RecoveryEngine {
  private readonly locks = new Map<string, Promise<unknown>>();
  private ticker: NodeJS.Timeout | null = null;
  private lastEmit = new Map<string, number>();

  constructor(
    private readonly ctx: HandlerContext,
    readonly channels: ChannelRegistry,
    private readonly hooks: EngineHooks = {},
  ) {}

  private nowMs(): number {
    return this.ctx.ports.clock.now();
  }
  /** #23: a run's own actions name who started it (operators/session.ts runActor); what is done to a run, the signed-in operator. */
  private actor(db: Sqlite, runId?: string): string {
    return runId ? runActor(db, runId) : actorName(db);
  }

  /** Runs `fn` after any earlier work on the same workspace in this process. */
  private serial<T>(workspaceId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(workspaceId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(workspaceId, next.catch(() => undefined));
    return next;
  }

  // ── runs ──

  async start(workspaceId: string, planId: string, wait: boolean): Promise<RunSummary> {
    const db = this.ctx.db(workspaceId);
    const ws = this.ctx.registry.get(workspaceId);
    const plan = getPlan(db, planId);
    if (!plan) throw notFound('The plan');
    if (plan.mode !== ws.mode) throw conflict(`The plan was made in ${plan.mode} mode but the workspace is now in ${ws.mode} mode; plan again`);
    if (this.nowMs() - plan.createdAt > 24 * 3600_000) throw conflict('The plan is more than a day old; plan again so the run acts on current data');
    const runId = `run_${crypto.randomBytes(8).toString('hex')}`;
    const nowMs = this.nowMs();
    const actor = this.actor(db);
    // db.transaction is BEGIN IMMEDIATE (db/sqlite.ts): two starts at once (two `reclaim run start`, #18.7) take turns, the second seeing the first's run.
    db.transaction(() => {
      if (db.prepare(`SELECT 1 FROM recovery_runs WHERE plan_id = ?`).get(planId)) throw conflict('This plan has already been started; plan again for a new run');
      const active = activeRunInvoices(db);
      const taken = new RunOverlap(active);
      const strategies = new Map<string, Step[]>();
      for (const row of plan.rows) {
        if (taken.has(row.invoiceId)) continue;
        if (row.skipReason || row.steps.length === 0) continue;
        const key = `${row.segmentId ?? DEFAULT_KEY}\u0000${row.experimentId ?? ''}\u0000${row.arm ?? ''}`;
        let steps = strategies.get(key);
        if (!steps) {
          const s = strategyForRow(db, row); // #20: the experiment arm's strategy when the row has one
          steps = s.steps;
          strategies.set(key, steps);
          const planned = row.steps.map((x) => x.stepId).join(',');
          if (steps.map((x) => x.id).join(',') !== planned) throw conflict(`The strategy for ${row.segmentName} changed after the plan was made; plan again`);
        }
        db.prepare(
          `INSERT INTO recovery_run_items (run_id, invoice_id, customer_id, segment_id, segment_name, strategy, first_failure_at, state, joined_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
        ).run(runId, row.invoiceId, row.customerId, row.segmentId, row.segmentName, JSON.stringify(steps), row.firstFailureAt, nowMs);
        insertOutbox(db, runId, row.invoiceId, row.customerId, steps, row.steps, nowMs);
        recordTreated(db, row, runId, nowMs);
        taken.added();
      }
      taken.refuseIfNothingNew();
      db.prepare(
        `INSERT INTO recovery_runs (id, plan_id, status, mode, filters, snapshot_id, started_by, message, created_at_ms, updated_at_ms) VALUES (?, ?, 'running', ?, ?, ?, ?, NULL, ?, ?)`,
      ).run(runId, planId, ws.mode, JSON.stringify(plan.filters), plan.snapshotId, actor, nowMs, nowMs);
      audit(db, nowMs, {
        actor, kind: 'run.confirmed', runId,
        message: `${actor} started run ${runId} (${ws.mode} mode) from plan ${planId}: ${plan.totals.invoices} invoices, ${plan.totals.actionsNow} actions now, ${plan.totals.actionsLater} later`,
        data: { planId, mode: ws.mode, totals: { invoices: plan.totals.invoices, now: plan.totals.actionsNow, later: plan.totals.actionsLater, cost: plan.totals.estimatedCost } },
      });
    })();
    this.changed(workspaceId, runId);
    const ticking = this.tick(workspaceId);
    if (wait) await ticking;
    else ticking.catch((e: unknown) => this.ctx.ports.logger.error({ err: String(e) }, 'run tick failed'));
    return this.summary(db, runId);
  }

  status(workspaceId: string, runId: string): RunSummary {
    return this.summary(this.ctx.db(workspaceId), runId);
  }

  list(workspaceId: string, limit: number): RunSummary[] {
    const db = this.ctx.db(workspaceId);
    const ids = db.prepare(`SELECT id FROM recovery_runs ORDER BY created_at_ms DESC, id LIMIT ?`).pluck().all(limit) as string[];
    return ids.map((id) => this.summary(db, id));
  }

  private setStatus(workspaceId: string, runId: string, from: RunSummary['status'][], to: RunSummary['status'], verb: string): RunSummary {
    const db = this.ctx.db(workspaceId);
    const run = this.run(db, runId);
    if (!from.includes(run.status)) throw conflict(`Run ${runId} is ${run.status}; it cannot be ${verb}`);
    const nowMs = this.nowMs();
    const actor = this.actor(db);
    db.transaction(() => {
      db.prepare(`UPDATE recovery_runs SET status = ?, updated_at_ms = ? WHERE id = ?`).run(to, nowMs, runId);
      if (to === 'canceled') {
        db.prepare(`UPDATE recovery_outbox SET status = 'canceled', detail = 'run canceled', updated_at_ms = ? WHERE run_id = ? AND status = 'scheduled'`).run(nowMs, runId);
        db.prepare(`UPDATE recovery_run_items SET state = 'stopped', stop_reason = 'run canceled' WHERE run_id = ? AND state = 'active'`).run(runId);
      }
      audit(db, nowMs, { actor, kind: `run.${verb}`, runId, message: `${actor} ${verb} run ${runId}` });
    })();
    this.changed(workspaceId, runId);
    return this.summary(db, runId);
  }

  pause(workspaceId: string, runId: string): RunSummary {
    return this.setStatus(workspaceId, runId, ['running'], 'paused', 'paused');
  }

  cancel(workspaceId: string, runId: string): RunSummary {
    return this.setStatus(workspaceId, runId, ['running', 'paused'], 'canceled', 'canceled');
  }

  async resume(workspaceId: string, runId: string, wait: boolean): Promise<RunSummary> {
    const db = this.ctx.db(workspaceId);
    const run = this.run(db, runId);
    // A running run is resumed after a crash: the tick below finishes what was in flight.
    if (run.status !== 'running') this.setStatus(workspaceId, runId, ['paused'], 'running', 'resumed');
    const ticking = this.tick(workspaceId);
    if (wait) await ticking;
    else ticking.catch((e: unknown) => this.ctx.ports.logger.error({ err: String(e) }, 'run tick failed'));
    return this.summary(db, runId);
  }

  actions(workspaceId: string, runId: string, f: RunActionFilter): { total: number; rows: RunAction[] } {
    return runActions(this.ctx.db(workspaceId), runId, f);
  }

  // ── ticking ──

  /** Fires every due step of every running run of the workspace; serialized per workspace in this process. */
  tick(workspaceId: string): Promise<TickResult> {
    return this.serial(workspaceId, () => this.tickNow(workspaceId));
  }

  /** The in-app ticker: every workspace with a running run, every `everyMs`. */
  startTicker(everyMs = 30_000): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => void this.tickAll(), everyMs);
    this.ticker.unref();
  }

  stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  async tickAll(): Promise<void> {
    for (const ws of this.ctx.registry.list()) {
      try {
        const db = this.ctx.db(ws.id);
        if (db.prepare(`SELECT 1 FROM recovery_runs WHERE status = 'running' LIMIT 1`).get()) await this.tick(ws.id);
      } catch (e) {
        this.ctx.ports.logger.error({ workspace: ws.id, err: String(e) }, 'recovery tick failed');
      }
    }
  }

  /** Waits for any tick in progress on the workspace (used at shutdown and by tests). */
  async idle(workspaceId: string): Promise<void> {
    await (this.locks.get(workspaceId) ?? Promise.resolve());
  }

  private async tickNow(workspaceId: string): Promise<TickResult> {
    const db = this.ctx.db(workspaceId);
    const res: TickResult = { runs: 0, fired: 0, succeeded: 0, failed: 0, skipped: 0, joined: 0, stopped: 0 };
    const live = db.prepare(`SELECT id FROM recovery_runs WHERE status IN ('running', 'paused')`).pluck().all() as string[];
    if (live.length === 0) return res;
    if (this.hooks.beforeTick) await this.hooks.beforeTick(workspaceId);
    res.stopped = this.stopClosed(db);
    res.joined = this.joinNewFailures(workspaceId, db);
    const running = db.prepare(`SELECT id FROM recovery_runs WHERE status = 'running'`).pluck().all() as string[];
    res.runs = running.length;
    await this.recoverInFlight(workspaceId, db, res);
    for (;;) {
      const now = this.ctx.nowSec();
      const row = db
        .prepare(
          `SELECT o.* FROM recovery_outbox o JOIN recovery_runs r ON r.id = o.run_id LEFT JOIN customer_facts cf ON cf.customer_id = o.customer_id
           WHERE o.status = 'scheduled' AND o.due_at <= ? AND r.status = 'running'
             AND NOT EXISTS (SELECT 1 FROM recovery_holds h WHERE h.invoice_id = o.invoice_id AND h.until > ?) -- #13: promised to pay
           ORDER BY o.due_at, coalesce(cf.amount_at_risk, 0) DESC, o.run_id, o.invoice_id, o.step_index LIMIT 1 -- #17.12: budgets go to the most at risk first`,
        )
        .get(now, now) as OutboxRow | undefined;
      if (!row) break;
      await this.fire(workspaceId, db, row, res);
    }
    for (const runId of running) this.completeIfDone(db, runId);
    for (const runId of live) this.progress(workspaceId, db, runId, true);
    return res;
  }

  /**
   * Claims a due row (in flight, committed) or, in the same transaction, skips
   * it under the contact policy (#17.10: a step an earlier run did, the
   * per-customer contact cap), so two processes cannot both contact a customer.
   */
  private claim(db: Sqlite, row: OutboxRow, actor: string): 'claimed' | 'skipped' | 'lost' {
    const nowMs = this.nowMs();
    return db.transaction(() => {
      if (db.prepare(`SELECT status FROM recovery_outbox WHERE key = ?`).pluck().get(row.key) !== 'scheduled') return 'lost';
      const repeatDone = (JSON.parse(this.run(db, row.run_id).filters) as PlanFilters).repeatDone === true;
      const block = claimBlock(db, row, repeatDone, Math.floor(nowMs / 1000));
      if (block) {
        this.finish(db, row, { status: 'skipped', detail: block });
        return 'skipped';
      }
      const ok = db
        .prepare(`UPDATE recovery_outbox SET status = 'in_flight', attempts = attempts + 1, started_at_ms = ?, updated_at_ms = ?, detail = ? WHERE key = ? AND status = 'scheduled'`)
        .run(nowMs, nowMs, `in flight (${PROCESS_TAG})`, row.key).changes === 1;
      if (ok) audit(db, nowMs, { actor, kind: 'action.started', runId: row.run_id, customerId: row.customer_id, invoiceId: row.invoice_id, message: `${row.channel} step ${row.step_id} started`, data: { key: row.key } });
      return ok ? 'claimed' : 'lost';
    })();
  }

  /** Builds the context for a claimed row, or says why it does not run. */
  private contextFor(workspaceId: string, db: Sqlite, row: OutboxRow): { ctx: ActionContext } | { result: ActionResult; stop?: string } {
    const item = db.prepare(`SELECT * FROM recovery_run_items WHERE run_id = ? AND invoice_id = ?`).get(row.run_id, row.invoice_id) as ItemRow | undefined;
    if (!item) return { result: { status: 'skipped', detail: 'the invoice is not part of the run' } };
    const steps = JSON.parse(item.strategy) as Step[];
    const step = steps.find((s) => s.id === row.step_id);
    if (!step) return { result: { status: 'skipped', detail: 'the step is no longer in the strategy' } };
    const inv = invoiceById(db, row.invoice_id);
    const closed = closedReason(inv);
    if (closed || !inv) return { result: { status: 'canceled' as never, detail: `not carried out: ${closed}` }, stop: closed ?? 'closed' };
    const customer = customerInfo(db, row.customer_id);
    const history = withEarlierRuns(
      db, row.run_id, row.invoice_id,
      db
        // What happened before this step: every other step of the invoice that has fired, in the order it fired (#17.11: not list order).
        .prepare(`SELECT step_id AS stepId, channel, status, detail, coalesce(finished_at_ms, updated_at_ms) / 1000 AS at FROM recovery_outbox WHERE run_id = ? AND invoice_id = ? AND key <> ? ORDER BY coalesce(started_at_ms, finished_at_ms, updated_at_ms), step_index`)
        .all(row.run_id, row.invoice_id, row.key) as (ActionContext['history'][number] & { detail: string | null })[],
    ).filter((h) => (h.status as string) !== 'scheduled' && (h.status as string) !== 'canceled');
    const run = this.run(db, row.run_id);
    const ctx = actionContext({
      workspaceId, runId: row.run_id, step, segmentId: item.segment_id, segmentName: item.segment_name, invoice: { ...inv, firstFailureAt: item.first_failure_at },
      customer, db, logger: this.ctx.ports.logger, now: this.ctx.nowSec(), mode: run.mode, currency: workspaceCurrency(db), actor: this.actor(db, row.run_id), dryRun: false, history,
    });
    const cond = conditionsFail(step, ctx.invoice, customer, history);
    if (cond) return { result: { status: 'skipped', detail: cond } };
    const channel = this.channels.get(step.channel);
    if (!channel) return { result: { status: 'skipped', detail: `channel not available (${step.channel})` } };
    const est = channel.estimate(ctx);
    if (est.skipReason) return { result: { status: 'skipped', detail: est.skipReason } };
    return { ctx };
  }

  private async fire(workspaceId: string, db: Sqlite, row: OutboxRow, res: TickResult, recovering = false): Promise<void> {
    // Pause and cancel take effect between actions.
    if (!recovering) {
      const claimed = this.claim(db, row, this.actor(db, row.run_id));
      if (claimed === 'lost') return;
      if (claimed === 'skipped') {
        res.fired++;
        res.skipped++;
        this.progress(workspaceId, db, row.run_id);
        return;
      }
    }
    res.fired++;
    const prepared = this.contextFor(workspaceId, db, row);
    let result: ActionResult;
    let stop: string | undefined;
    let action: ActionContext | null = null;
    if ('result' in prepared) {
      result = prepared.result;
      stop = prepared.stop;
    } else {
      // claim() counted this attempt; a row found in flight repeats the attempt it was on.
      action = { ...prepared.ctx, attempt: recovering ? Math.max(1, row.attempts) : row.attempts + 1 };
      const channel = this.channels.get(action.step.channel)!;
      try {
        if (recovering) {
          const r = channel.recover ? await channel.recover(action) : channel.idempotent ? 'execute' : ({ status: 'failed', detail: 'interrupted; not repeated so the customer is not contacted twice' } as ActionResult);
          result = r === 'execute' ? await channel.execute(action) : r;
        } else {
          result = await channel.execute(action);
        }
      } catch (e) {
        // A Stripe 4xx is final; no answer, a 409, 429 or 5xx may be tried again (./channels/stripe-errors.ts).
        result = { status: 'failed', detail: e instanceof Error ? e.message : String(e), retryable: stripeFailure(e).retryable };
      }
    }
    this.finish(db, row, result, stop);
    if (result.status === 'succeeded' || result.status === 'pending') res.succeeded++;
    else if (result.status === 'failed') res.failed++;
    else res.skipped++;
    if (action && this.hooks.afterAction) {
      try {
        await this.hooks.afterAction(workspaceId, action, result);
        // A simulated customer may have paid just now: stop that sequence at once.
        this.stopClosed(db);
      } catch (e) {
        this.ctx.ports.logger.warn({ err: String(e) }, 'afterAction hook failed');
      }
    }
    this.progress(workspaceId, db, row.run_id);
  }

  private finish(db: Sqlite, row: OutboxRow, result: ActionResult, stop?: string): void {
    const nowMs = this.nowMs();
    const now = Math.floor(nowMs / 1000);
    const actor = this.actor(db, row.run_id);
    db.transaction(() => {
      const attempts = (db.prepare(`SELECT attempts FROM recovery_outbox WHERE key = ?`).pluck().get(row.key) as number) ?? 1;
      const again = result.status === 'failed' && result.retryable && attempts < MAX_ATTEMPTS;
      const status = again ? 'scheduled' : (result.status as string);
      db.prepare(
        `UPDATE recovery_outbox SET status = ?, detail = ?, external_id = coalesce(?, external_id), cost_amount = ?, cost_currency = ?, due_at = ?, updated_at_ms = ?, finished_at_ms = ? WHERE key = ?`,
      ).run(
        status, again ? `${result.detail} (will try again)` : result.detail, result.externalId ?? null, result.cost?.amount ?? null, result.cost?.currency ?? null,
        again ? now + RETRY_LATER_SEC : row.due_at, nowMs, again ? null : nowMs, row.key,
      );
      audit(db, nowMs, {
        actor, kind: `action.${status === 'scheduled' ? 'deferred' : status}`, runId: row.run_id, customerId: row.customer_id, invoiceId: row.invoice_id,
        message: `${row.channel} step ${row.step_id}: ${result.detail}`, data: { key: row.key, ...(result.externalId ? { externalId: result.externalId } : {}), ...(result.cost ? { cost: result.cost } : {}) },
      });
      if (!again) {
        // The next step waiting on this one counts its delay from now.
        db.prepare(
          `UPDATE recovery_outbox SET due_at = ? + delay_sec, updated_at_ms = ? WHERE run_id = ? AND invoice_id = ? AND step_index = ? AND delay_from = 'previous_step' AND status = 'scheduled'`,
        ).run(now, nowMs, row.run_id, row.invoice_id, row.step_index + 1);
      }
      const reason = result.invoicePaid ? 'paid' : stop ? stop.replace(/^the invoice was /, '') : null;
      if (reason) stopItem(db, row.run_id, row.invoice_id, reason, nowMs, actor);
    })();
  }

  /** A payment (or void / uncollectible) seen by sync stops the remaining steps. */
  private stopClosed(db: Sqlite): number {
    return stopClosedItems(db, this.nowMs(), () => this.actor(db));
  }

  /** New failures that appeared (after a sync) join the newest running run whose filters they match. */
  private joinNewFailures(workspaceId: string, db: Sqlite): number {
    const runs = db.prepare(`SELECT * FROM recovery_runs WHERE status = 'running' ORDER BY created_at_ms DESC`).all() as RunRow[];
    if (!runs.length) return 0;
    const seen = new Set(db.prepare(`SELECT DISTINCT invoice_id FROM recovery_run_items i JOIN recovery_runs r ON r.id = i.run_id WHERE r.status IN ('running', 'paused')`).pluck().all() as string[]);
    const fresh = openFailedInvoices(db).filter((i) => !seen.has(i.id));
    if (!fresh.length) return 0;
    const winners = new Map((db.prepare(`SELECT customer_id AS c, segment_id AS s FROM segment_winner`).all() as { c: string; s: string | null }[]).map((r) => [r.c, r.s]));
    const names = segmentNames(db);
    const currency = workspaceCurrency(db);
    const nowMs = this.nowMs();
    const actor = this.actor(db);
    let joined = 0;
    // One contact ledger per run for this pass, so two new invoices of one customer share the cap.
    const ledgers = new Map<string, ContactLedger>();
    const ledgerFor = (run: RunRow, repeatDone: boolean) => {
      let l = ledgers.get(run.id);
      if (!l) ledgers.set(run.id, (l = new ContactLedger(db, readContactPolicy(db), repeatDone, this.ctx.nowSec())));
      return l;
    };
    const chooseArm = armChooser(db);
    db.transaction(() => {
      for (const inv of fresh) {
        const segmentId = winners.get(inv.customerId) ?? null;
        const run = runs.find((r) => matchesFilters(JSON.parse(r.filters) as PlanFilters, segmentId, inv.customerId));
        if (!run) continue;
        // Joined only once per run: an invoice this run already finished with stays out.
        if (db.prepare(`SELECT 1 FROM recovery_run_items WHERE run_id = ? AND invoice_id = ?`).get(run.id, inv.id)) continue;
        const arm = chooseArm(segmentId, inv.customerId); // #20
        const strategy = arm?.strategy ?? getStrategy(db, segmentId ?? DEFAULT_KEY);
        if (!strategy.enabled) continue;
        const segmentName = segmentId ? (names.get(segmentId) ?? 'Unknown segment') : 'Default';
        const filters = JSON.parse(run.filters) as PlanFilters;
        const planned = planSteps({
          db, workspaceId, mode: run.mode, now: this.ctx.nowSec(), channels: this.channels, logger: this.ctx.ports.logger, actor,
          filters, runId: run.id, steps: strategy.steps, inv, segmentId, segmentName, currency,
          ledger: ledgerFor(run, filters.repeatDone === true),
        });
        db.prepare(
          `INSERT INTO recovery_run_items (run_id, invoice_id, customer_id, segment_id, segment_name, strategy, first_failure_at, state, joined_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
        ).run(run.id, inv.id, inv.customerId, segmentId, segmentName, JSON.stringify(strategy.steps), inv.firstFailureAt, nowMs);
        insertOutbox(db, run.id, inv.id, inv.customerId, strategy.steps, planned, nowMs);
        recordTreated(db, { customerId: inv.customerId, experimentId: arm?.experimentId ?? null, arm: arm?.arm ?? null }, run.id, nowMs);
        audit(db, nowMs, { actor, kind: 'run.joined', runId: run.id, customerId: inv.customerId, invoiceId: inv.id, message: `new failed invoice ${inv.id} joined run ${run.id} (${segmentName})` });
        joined++;
      }
    })();
    return joined;
  }

  /** Rows left in flight by a process that died: their channel says what happened, or repeats them safely. */
  private async recoverInFlight(workspaceId: string, db: Sqlite, res: TickResult): Promise<void> {
    const rows = db
      .prepare(`SELECT o.* FROM recovery_outbox o JOIN recovery_runs r ON r.id = o.run_id WHERE o.status = 'in_flight' AND r.status IN ('running', 'paused')`)
      .all() as OutboxRow[];
    for (const row of rows) {
      const owner = /\((pid (\d+)@([^#)]+)#[0-9a-f]+)\)/.exec(row.detail ?? '');
      const mine = owner?.[1] && row.detail?.includes(PROCESS_TAG);
      const otherAlive = owner && !mine && owner[3] === os.hostname() && pidAlive(Number(owner[2]));
      const old = this.nowMs() - (row.started_at_ms ?? 0) > STALE_MS;
      if (otherAlive && !old) continue;
      audit(db, this.nowMs(), { actor: this.actor(db, row.run_id), kind: 'action.recovering', runId: row.run_id, customerId: row.customer_id, invoiceId: row.invoice_id, message: `${row.channel} step ${row.step_id} was interrupted; resolving it`, data: { key: row.key } });
      await this.fire(workspaceId, db, row, res, true);
    }
  }

  private completeIfDone(db: Sqlite, runId: string): void {
    const open = db.prepare(`SELECT count(*) FROM recovery_outbox WHERE run_id = ? AND status IN ('scheduled', 'in_flight')`).pluck().get(runId) as number;
    if (open > 0) return;
    const nowMs = this.nowMs();
    db.transaction(() => {
      if (db.prepare(`UPDATE recovery_runs SET status = 'completed', updated_at_ms = ? WHERE id = ? AND status = 'running'`).run(nowMs, runId).changes) {
        audit(db, nowMs, { actor: this.actor(db, runId), kind: 'run.completed', runId, message: `run ${runId} completed: every step has fired or was stopped` });
      }
    })();
  }

  // ── summaries and events ──

  private run(db: Sqlite, runId: string): RunRow {
    return readRun(db, runId);
  }

  summary(db: Sqlite, runId: string): RunSummary {
    return runSummary(db, runId, this.ctx.nowSec());
  }

  private progress(workspaceId: string, db: Sqlite, runId: string, force = false): void {
    const now = Date.now();
    if (!force && now - (this.lastEmit.get(runId) ?? 0) < 250) return;
    this.lastEmit.set(runId, now);
    this.ctx.events.emit('runs.progress', { workspaceId, run: this.summary(db, runId) });
  }

  private changed(workspaceId: string, runId: string | null): void {
    this.ctx.events.emit('runs.changed', { workspaceId, runId });
  }
}
