import crypto from 'node:crypto';
import type { ChannelKind, Mode, Plan, PlanFilters, PlanRow, PlanStep, PlanTotals, Step } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';
import { snapshotMembership } from '../segments/service';
import type { ActionContext } from './channel';
import { customerInfo, openFailedInvoices, segmentNames, workspaceCurrency, type OpenInvoice } from './data';
import { actionContext, conditionsFail, dueTimes, type ChannelRegistry } from './engine';
import { readSmtp } from './settings';
import { ContactLedger, contactKind, readContactPolicy } from './contact-policy';
import { DEFAULT_KEY, getStrategy } from './strategies';
import { fireOrder } from '../../../shared/step-schedule';
import { tableCsvText } from '../exports/csv-writer';
import { planTable } from '../exports/tables/plans';
import { armChooser } from '../experiments/planner';
import { PlanReads } from './plan-reads';

/**
 * The dry-run plan: every open failed invoice → its customer's winning
 * segment in a membership snapshot taken now → that segment's strategy → each
 * step with its due time, channel, estimated cost or skip reason. Nothing is
 * sent. The plan is stored, and a run executes exactly its rows.
 */
export const SMART_RETRIES_WARNING =
  "Stripe's own Smart Retries and failed-payment emails also run unless you turn them off in the Stripe dashboard (Settings → Billing → Revenue recovery); with both on, customers can be charged and emailed by Stripe between Reclaim's steps.";

export function activeRunInvoices(db: Sqlite): Map<string, string> {
  return new Map(
    (
      db
        .prepare(
          `SELECT i.invoice_id AS invoiceId, i.run_id AS runId FROM recovery_run_items i JOIN recovery_runs r ON r.id = i.run_id
           WHERE r.status IN ('running', 'paused') AND i.state = 'active'`,
        )
        .all() as { invoiceId: string; runId: string }[]
    ).map((r) => [r.invoiceId, r.runId]),
  );
}

export function matchesFilters(filters: PlanFilters, segmentId: string | null, customerId: string): boolean {
  if (filters.segmentIds?.length && !filters.segmentIds.includes(segmentId ?? DEFAULT_KEY)) return false;
  if (filters.customerIds?.length && !filters.customerIds.includes(customerId)) return false;
  return true;
}

export interface PlanArgs {
  db: Sqlite;
  workspaceId: string;
  mode: Mode;
  now: number;
  nowMs: number;
  filters: PlanFilters;
  channels: ChannelRegistry;
  logger: Logger;
  actor: string;
  /**
   * Ask the database one question at a time, per invoice and step, as before
   * #22 (the reference the bulk reads are tested against); default false.
   */
  perRowReads?: boolean;
}

type HistoryStatus = ActionContext['history'][number]['status'];

const fireOrders = new WeakMap<Step[], number[]>();

/** Plans one invoice's steps (also used when a new failure joins a running run). */
export function planSteps(
  a: Omit<PlanArgs, 'filters' | 'nowMs'> & {
    filters?: PlanFilters; runId: string; steps: Step[]; inv: OpenInvoice; segmentId: string | null; segmentName: string; currency: string;
    runOfferCounts?: Map<string, number>; ledger?: ContactLedger; reads?: PlanReads;
  },
): PlanStep[] {
  const customer = a.reads ? a.reads.customer(a.inv.customerId) : customerInfo(a.db, a.inv.customerId);
  const dues = dueTimes(a.steps, a.inv.firstFailureAt, a.now);
  // The order only depends on the steps (dueTimes moves every step by the same amount): once per strategy.
  let order = fireOrders.get(a.steps);
  if (!order) fireOrders.set(a.steps, (order = fireOrder(dueTimes(a.steps, 0))));
  const history: ActionContext['history'] = [];
  const out: PlanStep[] = new Array<PlanStep>(a.steps.length);
  // Steps are looked at in the order they fire (due time, then list order), so escalation rules and caps see what comes before.
  for (const i of order) {
    const step = a.steps[i]!;
    const ctx = actionContext({
      workspaceId: a.workspaceId, runId: a.runId, step, segmentId: a.segmentId, segmentName: a.segmentName, invoice: a.inv, customer, db: a.db,
      logger: a.logger, now: a.now, mode: a.mode, currency: a.currency, actor: a.actor, dryRun: true, history: [...history],
      ...(a.reads ? { reads: a.reads } : {}),
    });
    const channel = a.channels.get(step.channel);
    let skipReason: string | null = null;
    let note: string | null = null;
    let cost: PlanStep['estimatedCost'] = null;
    let actsAs: ChannelKind = step.channel;
    let status: HistoryStatus | null = null;
    if (a.filters?.channels?.length && !a.filters.channels.includes(step.channel)) skipReason = 'channel not selected for this run';
    // #17.10: a step an earlier run already did for this invoice is not done again unless the operator asked for it.
    const done = skipReason ? null : (a.ledger?.doneBefore(a.inv.id, step.id) ?? null);
    if (done) {
      skipReason = done.reason;
      actsAs = done.channel as ChannelKind;
      status = (done.status === 'in_flight' ? 'pending' : done.status) as HistoryStatus;
    }
    if (!skipReason) skipReason = conditionsFail(step, a.inv, customer, history);
    if (!skipReason && !channel) skipReason = `channel not available (${step.channel})`;
    // The contact cap before the estimate, so a capped call does not take a share of the voice budget.
    const asListed = contactKind(step.channel);
    if (!skipReason && asListed && a.ledger) skipReason = a.ledger.capBlock(a.inv.customerId, asListed, dues[i]!);
    if (!skipReason && channel) {
      const e = channel.estimate(ctx);
      skipReason = e.skipReason;
      note = e.note ?? null;
      cost = e.estimatedCost ?? null;
      actsAs = e.actsAs ?? step.channel;
      const kind = contactKind(actsAs);
      // A retry that acts as an email (hard decline: "add a new card") is capped as one.
      if (!skipReason && kind && kind !== asListed && a.ledger) skipReason = a.ledger.capBlock(a.inv.customerId, kind, dues[i]!);
      if (!skipReason && step.channel === 'offer' && step.config.maxPerRun !== null && a.runOfferCounts) {
        const n = a.runOfferCounts.get(step.id) ?? 0;
        if (n >= step.config.maxPerRun) skipReason = `offer cap reached for this run (${step.config.maxPerRun})`;
        else a.runOfferCounts.set(step.id, n + 1);
      }
      if (!skipReason && kind && a.ledger) a.ledger.add(a.inv.customerId, kind, dues[i]!);
    }
    history.push({ stepId: step.id, channel: actsAs, status: status ?? (skipReason ? 'skipped' : 'pending'), at: dues[i]! });
    out[i] = {
      stepId: step.id, stepIndex: i, channel: actsAs, label: step.label || step.id, dueAt: dues[i]!,
      when: skipReason ? 'skip' : dues[i]! <= a.now ? 'now' : 'later', skipReason, note, estimatedCost: cost,
    } satisfies PlanStep;
  }
  return out;
}

/**
 * #17.12: the order in which a plan spends what runs short (the voice budget,
 * offers per run, the contact cap): by the customer's amount at risk, highest
 * first, then the invoice's amount, then the usual order. Indexes into `invoices`.
 */
export function byAmountAtRisk(db: Sqlite, invoices: OpenInvoice[], reads?: PlanReads): number[] {
  const risk = invoices.map((inv) => (reads ? reads.customer(inv.customerId) : customerInfo(db, inv.customerId)).amountAtRisk);
  return invoices.map((_, i) => i).sort((x, y) => risk[y]! - risk[x]! || invoices[y]!.amountRemaining - invoices[x]!.amountRemaining || x - y);
}

export function buildPlan(a: PlanArgs): Plan {
  const { db } = a;
  const snapshotId = snapshotMembership(db, 'recovery plan', a.now);
  const winners = new Map(
    (db.prepare(`SELECT customer_id AS c, segment_id AS s FROM membership_snapshots WHERE snapshot_id = ?`).all(snapshotId) as { c: string; s: string | null }[]).map((r) => [r.c, r.s]),
  );
  const names = segmentNames(db);
  const currency = workspaceCurrency(db);
  const active = activeRunInvoices(db);
  const strategies = new Map<string, ReturnType<typeof getStrategy>>();
  const strategyFor = (segmentId: string | null) => {
    const k = segmentId ?? DEFAULT_KEY;
    let s = strategies.get(k);
    if (!s) strategies.set(k, (s = getStrategy(db, k)));
    return s;
  };
  const planId = `plan_${crypto.randomBytes(8).toString('hex')}`;
  const runOfferCounts = new Map<string, number>();
  const chooseArm = armChooser(db); // #20: experiment arm or segmentation holdout, with its strategy
  const ledger = new ContactLedger(db, readContactPolicy(db), a.filters.repeatDone === true, a.now);
  const byIndex = new Map<number, PlanRow>();
  const invoices = openFailedInvoices(db);
  // #22: what the steps ask about each invoice and customer, read once for all of them.
  const reads = a.perRowReads ? undefined : new PlanReads(db, invoices, planId);
  for (const at of byAmountAtRisk(db, invoices, reads)) {
    const inv = invoices[at]!;
    const segmentId = winners.has(inv.customerId) ? winners.get(inv.customerId)! : null;
    if (!matchesFilters(a.filters, segmentId, inv.customerId)) continue;
    const segmentName = segmentId ? (names.get(segmentId) ?? 'Unknown segment') : 'Default';
    const customer = reads ? reads.customer(inv.customerId) : customerInfo(db, inv.customerId);
    const arm = chooseArm(segmentId, inv.customerId);
    const strategy = arm?.strategy ?? strategyFor(segmentId);
    const inRun = active.get(inv.id);
    // #21: the reason a person reads names no internal run id (the Runs tab lists the running run).
    const rowSkip = inRun ? 'already in active run' : !strategy.enabled ? 'the strategy is turned off' : null;
    const steps = rowSkip
      ? []
      : planSteps({ ...a, runId: planId, steps: strategy.steps, inv, segmentId, segmentName, currency, runOfferCounts, ledger, reads });
    byIndex.set(at, {
      invoiceId: inv.id, invoiceNumber: inv.number, customerId: inv.customerId, customerName: customer.name, email: customer.email,
      segmentId, segmentName, amountDue: inv.amountRemaining, currency: inv.currency, amountAtRisk: customer.amountAtRisk,
      attemptCount: inv.attemptCount, firstFailureAt: inv.firstFailureAt, lastDeclineCode: inv.lastDeclineCode, hardDecline: inv.hardDecline,
      steps, skipReason: rowSkip, experimentId: arm?.experimentId ?? null, arm: arm?.arm ?? null,
    });
  }
  // The plan lists invoices in their usual order (oldest first).
  const rows = [...byIndex.keys()].sort((x, y) => x - y).map((i) => byIndex.get(i)!);
  const warnings: string[] = [];
  if (a.mode === 'live') warnings.push('LIVE mode: real customers will be emailed and real cards charged.');
  if (rows.some((r) => r.steps.some((s) => s.channel === 'retry' && s.when !== 'skip'))) warnings.push(SMART_RETRIES_WARNING);
  if (readSmtp(db).transport === 'capture') warnings.push('Emails are captured in Reclaim (viewable in the outbox), not delivered: configure SMTP to send them.');
  const plan: Plan = { planId, createdAt: a.nowMs, snapshotId, mode: a.mode, currency, filters: a.filters, rows, totals: totalsOf(rows), warnings };
  db.prepare(`INSERT INTO recovery_plans (id, created_at_ms, snapshot_id, filters, json) VALUES (?, ?, ?, ?, ?)`).run(planId, a.nowMs, snapshotId, JSON.stringify(a.filters), JSON.stringify(plan));
  return plan;
}

export function totalsOf(rows: PlanRow[]): PlanTotals {
  const seg = new Map<string, PlanTotals['bySegment'][number]>();
  const ch = new Map<ChannelKind, PlanTotals['byChannel'][number]>();
  const reasons = new Map<string, number>();
  const t: PlanTotals = { invoices: rows.length, customers: new Set(rows.map((r) => r.customerId)).size, amountAtRisk: 0, actionsNow: 0, actionsLater: 0, skipped: 0, estimatedCost: 0, bySegment: [], byChannel: [], skipReasons: [] };
  const seenCustomers = new Set<string>();
  for (const r of rows) {
    const k = r.segmentId ?? DEFAULT_KEY;
    let s = seg.get(k);
    if (!s) seg.set(k, (s = { segmentId: r.segmentId, segmentName: r.segmentName, invoices: 0, amountAtRisk: 0, actions: 0, skipped: 0, estimatedCost: 0 }));
    s.invoices++;
    if (!seenCustomers.has(r.customerId)) {
      seenCustomers.add(r.customerId);
      s.amountAtRisk += r.amountAtRisk;
      t.amountAtRisk += r.amountAtRisk;
    }
    if (r.skipReason) {
      // Plans saved before #21 said "already in active run run_…": totals group by reason, not by run.
      const reason = r.skipReason.replace(/ run_[a-z0-9]+$/, '');
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      s.skipped++;
      t.skipped++;
    }
    for (const st of r.steps) {
      let c = ch.get(st.channel);
      if (!c) ch.set(st.channel, (c = { channel: st.channel, now: 0, later: 0, skipped: 0, estimatedCost: 0 }));
      const cost = st.estimatedCost?.amount ?? 0;
      if (st.when === 'skip') {
        c.skipped++;
        s.skipped++;
        t.skipped++;
        const reason = (st.skipReason ?? 'skipped').replace(/\(\d+ of \d+ attempts made\)/, '').replace(/ (just now|\d+ (min|h|days) ago)/, '').replace(/ \(run_[a-z0-9]+\)/, '').replace(/\([a-z_]+\)/, '').replace(/\s+/g, ' ').trim();
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        continue;
      }
      if (st.when === 'now') {
        c.now++;
        t.actionsNow++;
      } else {
        c.later++;
        t.actionsLater++;
      }
      s.actions++;
      c.estimatedCost += cost;
      s.estimatedCost += cost;
      t.estimatedCost += cost;
    }
  }
  t.bySegment = [...seg.values()];
  t.byChannel = [...ch.values()];
  t.skipReasons = [...reasons].map(([reason, count]) => ({ reason, count })).sort((x, y) => y.count - x.count);
  return t;
}

export function getPlan(db: Sqlite, planId: string): Plan | null {
  const row = db.prepare(`SELECT json FROM recovery_plans WHERE id = ?`).get(planId) as { json: string } | undefined;
  return row ? (JSON.parse(row.json) as Plan) : null;
}

/**
 * The plan as JSON, or as CSV with the exports' plan table: the amount due in
 * major units of the invoice's currency (currency beside it) and the amount at
 * risk in the workspace currency — never minor units of several currencies in one column.
 */
export function exportPlan(plan: Plan, format: 'csv' | 'json'): string {
  if (format === 'json') return JSON.stringify(plan, null, 2);
  return tableCsvText(planTable(plan));
}
