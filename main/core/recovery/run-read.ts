import type { Mode, PlanFilters, RunAction, RunSummary, Step } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { Where } from '../db/where';
import { notFound } from '../errors';
import { workspaceCurrency } from './data';
import { delaySeconds, outboxKey } from './engine';
import { runMoney } from './run-money';

/** The rows of a run as stored, what the Runs page and `reclaim runs` read of them, and the outbox rows a run starts with. */
export interface RunRow { id: string; plan_id: string; status: RunSummary['status']; mode: Mode; filters: string; snapshot_id: string; started_by: string; message: string | null; created_at_ms: number; updated_at_ms: number }
export interface OutboxRow {
  key: string; run_id: string; invoice_id: string; customer_id: string; step_id: string; step_index: number; channel: string; delay_from: string; delay_sec: number;
  due_at: number; status: string; detail: string | null; external_id: string | null; cost_amount: number | null; cost_currency: string | null; attempts: number;
  updated_at_ms: number; started_at_ms: number | null;
}
export interface ItemRow { run_id: string; invoice_id: string; customer_id: string; segment_id: string | null; segment_name: string; strategy: string; first_failure_at: number; state: string; stop_reason: string | null }

export interface RunActionFilter { status?: string | undefined; customerId?: string | undefined; offset: number; limit: number }

export function readRun(db: Sqlite, runId: string): RunRow {
  const r = db.prepare(`SELECT * FROM recovery_runs WHERE id = ?`).get(runId) as RunRow | undefined;
  if (!r) throw notFound(`Run ${runId.slice(0, 40)}`);
  return r;
}

export function runSummary(db: Sqlite, runId: string, now: number): RunSummary {
  const r = readRun(db, runId);
  const counts = { scheduled: 0, in_flight: 0, pending: 0, succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
  for (const c of db.prepare(`SELECT status, count(*) AS n FROM recovery_outbox WHERE run_id = ? GROUP BY status`).all(runId) as { status: keyof typeof counts; n: number }[]) counts[c.status] = c.n;
  const due = db.prepare(`SELECT count(*) AS n, min(due_at) AS next FROM recovery_outbox WHERE run_id = ? AND status = 'scheduled' AND due_at <= ?`).get(runId, now) as { n: number };
  const next = db.prepare(`SELECT min(due_at) FROM recovery_outbox WHERE run_id = ? AND status = 'scheduled'`).pluck().get(runId) as number | null;
  const invoices = db.prepare(`SELECT count(*) FROM recovery_run_items WHERE run_id = ?`).pluck().get(runId) as number;
  const money = runMoney(db, runId, workspaceCurrency(db));
  return {
    id: r.id, planId: r.plan_id, status: r.status, mode: r.mode, createdAt: r.created_at_ms, startedBy: r.started_by, filters: JSON.parse(r.filters) as PlanFilters,
    invoices, counts, dueNow: due.n, nextDueAt: next, recovered: money.recovered, cost: money.cost, message: r.message,
  };
}

export function runActions(db: Sqlite, runId: string, f: RunActionFilter): { total: number; rows: RunAction[] } {
readRun(db, runId);
  const { sql: w, args } = new Where().add('o.run_id = ?', runId).add('o.status = ?', f.status).add('o.customer_id = ?', f.customerId);
  const total = db.prepare(`SELECT count(*) FROM recovery_outbox o ${w}`).pluck().get(...args) as number;
  const rows = db
    .prepare(
      `SELECT o.*, cf.name AS customer_name, i.segment_name FROM recovery_outbox o
       LEFT JOIN customer_facts cf ON cf.customer_id = o.customer_id
       LEFT JOIN recovery_run_items i ON i.run_id = o.run_id AND i.invoice_id = o.invoice_id
       ${w} ORDER BY o.due_at, o.invoice_id, o.step_index LIMIT ? OFFSET ?`,
    )
    .all(...args, f.limit, f.offset) as (OutboxRow & { customer_name: string | null; segment_name: string | null })[];
  return {
    total,
    rows: rows.map((r) => ({
      key: r.key, runId: r.run_id, invoiceId: r.invoice_id, customerId: r.customer_id, customerName: r.customer_name, segmentName: r.segment_name ?? 'Default',
      stepId: r.step_id, stepIndex: r.step_index, channel: r.channel as RunAction['channel'], dueAt: r.due_at, status: r.status as RunAction['status'],
      detail: r.detail, externalId: r.external_id, cost: r.cost_amount !== null ? { amount: r.cost_amount, currency: r.cost_currency ?? 'usd' } : null, updatedAt: r.updated_at_ms,
    })),
  };
}

export function insertOutbox(db: Sqlite, runId: string, invoiceId: string, customerId: string, steps: Step[], planned: { stepId: string; dueAt: number; when: string; skipReason: string | null; channel: string }[], nowMs: number): void {
  const ins = db.prepare(
    `INSERT OR IGNORE INTO recovery_outbox (key, run_id, invoice_id, customer_id, step_id, step_index, channel, delay_from, delay_sec, due_at, status, detail, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  steps.forEach((step, i) => {
    const p = planned.find((x) => x.stepId === step.id);
    // Steps the plan skipped for a reason that cannot change (no email, unsubscribed, hard decline) stay skipped; others are re-checked when due.
    const skip = p?.when === 'skip' ? p.skipReason : null;
    ins.run(outboxKey(runId, invoiceId, step.id), runId, invoiceId, customerId, step.id, i, p?.channel ?? step.channel, step.delay.from, delaySeconds(step), p?.dueAt ?? 0, skip ? 'skipped' : 'scheduled', skip, nowMs, nowMs);
  });
}


