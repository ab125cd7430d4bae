/**
 * The white-glove queue: account-manager tasks (and call-list tasks for a
 * human caller), one per outbox key, with assignee, due date, SLA, priority by
 * amount at risk, and outcome logging that feeds the run (a promise to pay
 * holds the invoice's remaining steps until the promised date).
 */
import crypto from 'node:crypto';
import type { AmSettings, Outcome, TaskSummary } from '../../../shared/whiteglove';
import { OUTCOME_LABELS } from '../../../shared/whiteglove';
import type { Sqlite } from '../db/sqlite';
import { badRequest, notFound } from '../errors';
import { holdScheduled, resolvePending } from './outbox-link';
import { DEFAULT_CALL_SCRIPT, DEFAULT_EMAIL_SUBJECT, DEFAULT_EMAIL_TEXT, loadCustomer, renderText, templateVars } from './customer';

export interface TaskRow {
  id: string; action_key: string; kind: 'am' | 'call'; status: 'open' | 'done'; run_id: string; step_id: string;
  customer_id: string; invoice_id: string; segment_id: string | null; assignee: string | null; priority: number;
  created_at: number; due_at: number; sla_at: number; first_outcome_at: number | null; outcome: Outcome | null;
  promised_date: string | null; call_script: string; email_subject: string; email_text: string;
  email_sent_at: number | null; email_action_key: string | null; config: string;
}

export interface NewTask {
  key: string;
  kind: 'am' | 'call';
  runId: string;
  stepId: string;
  customerId: string;
  invoiceId: string;
  segmentId: string | null;
  config: Record<string, unknown>;
  now: number;
}

export const taskIdFor = (key: string) => `task_${crypto.createHash('sha256').update(key).digest('hex').slice(0, 20)}`;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/** Next manager in round-robin order; the cursor is stored so the order survives restarts. */
function roundRobin(db: Sqlite, managers: string[]): string | null {
  if (managers.length === 0) return null;
  const row = db.prepare(`SELECT value FROM whiteglove_settings WHERE key = 'am_rr'`).get() as { value: string } | undefined;
  const next = row ? (Number(row.value) + 1) % managers.length : 0;
  db.prepare(`INSERT INTO whiteglove_settings (key, value) VALUES ('am_rr', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(next));
  return managers[next]!;
}

/**
 * Creates the task for an outbox key, or returns the one already there: the
 * unique key makes a second execution (after a crash) a no-op.
 */
export function createTask(db: Sqlite, t: NewTask, am: AmSettings): { task: TaskRow; created: boolean } {
  return db.transaction(() => {
    const existing = db.prepare(`SELECT * FROM am_tasks WHERE action_key = ?`).get(t.key) as TaskRow | undefined;
    if (existing) return { task: existing, created: false };
    const c = loadCustomer(db, t.customerId, t.invoiceId);
    if (!c) throw notFound('The customer');
    const assignee = str(t.config.assignee) ?? c.accountManager ?? roundRobin(db, am.managers);
    const vars = templateVars(c, assignee);
    const row: TaskRow = {
      id: taskIdFor(t.key),
      action_key: t.key,
      kind: t.kind,
      status: 'open',
      run_id: t.runId,
      step_id: t.stepId,
      customer_id: t.customerId,
      invoice_id: t.invoiceId,
      segment_id: t.segmentId,
      assignee,
      priority: c.amountAtRisk,
      created_at: t.now,
      due_at: t.now + (Number(t.config.dueHours) > 0 ? Number(t.config.dueHours) : am.dueHours) * 3600,
      sla_at: t.now + am.slaHours * 3600,
      first_outcome_at: null,
      outcome: null,
      promised_date: null,
      call_script: renderText(str(t.config.callScript) ?? DEFAULT_CALL_SCRIPT, vars),
      email_subject: renderText(str(t.config.emailSubject) ?? DEFAULT_EMAIL_SUBJECT, vars),
      email_text: renderText(str(t.config.emailText) ?? DEFAULT_EMAIL_TEXT, vars),
      email_sent_at: null,
      email_action_key: null,
      config: JSON.stringify(t.config),
    };
    const cols = Object.keys(row);
    db.prepare(`INSERT INTO am_tasks (${cols.join(', ')}) VALUES (${cols.map((k) => '@' + k).join(', ')})`).run(row);
    return { task: row, created: true };
  })();
}

export interface ListFilter {
  mine?: string;
  /** #23: the signed-in operator's name, matched as well as `mine` (their email): an assignee may be either. */
  mineName?: string;
  overdue?: boolean;
  segmentId?: string;
  status?: 'open' | 'done' | 'all';
  now: number;
}

export function listTasks(db: Sqlite, f: ListFilter): TaskSummary[] {
  const where: string[] = [];
  const args: Record<string, unknown> = { now: f.now };
  const status = f.status ?? 'open';
  if (status !== 'all') {
    where.push('t.status = @status');
    args.status = status;
  }
  if (f.mine) {
    where.push(f.mineName ? 'lower(t.assignee) IN (lower(@mine), lower(@mineName))' : 'lower(t.assignee) = lower(@mine)');
    args.mine = f.mine;
    if (f.mineName) args.mineName = f.mineName;
  }
  if (f.overdue) where.push(`t.status = 'open' AND t.due_at < @now`);
  if (f.segmentId) {
    where.push('t.segment_id = @segmentId');
    args.segmentId = f.segmentId;
  }
  const rows = db
    .prepare(
      `SELECT t.*, f.name AS customer_name, f.email AS customer_email, f.mrr AS mrr, COALESCE(f.amount_at_risk, t.priority) AS risk,
              s.name AS segment_name, s.color AS segment_color
         FROM am_tasks t
         LEFT JOIN customer_facts f ON f.customer_id = t.customer_id
         LEFT JOIN segments s ON s.id = t.segment_id
        ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY t.status = 'done', t.priority DESC, t.due_at, t.id`,
    )
    .all(args) as (TaskRow & { customer_name: string | null; customer_email: string | null; mrr: number | null; risk: number; segment_name: string | null; segment_color: string | null })[];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    customerId: r.customer_id,
    customerName: r.customer_name,
    customerEmail: r.customer_email,
    invoiceId: r.invoice_id,
    segment: r.segment_id && r.segment_name ? { id: r.segment_id, name: r.segment_name, color: r.segment_color ?? '#888888' } : null,
    assignee: r.assignee,
    amountAtRisk: r.risk,
    mrr: r.mrr ?? 0,
    createdAt: r.created_at,
    dueAt: r.due_at,
    slaAt: r.sla_at,
    overdue: r.status === 'open' && r.due_at < f.now,
    slaBreached: (r.first_outcome_at ?? f.now) > r.sla_at,
    outcome: r.outcome,
    promisedDate: r.promised_date,
    emailSentAt: r.email_sent_at,
    runId: r.run_id,
    stepId: r.step_id,
  }));
}

export function getTaskRow(db: Sqlite, taskId: string): TaskRow {
  const row = db.prepare(`SELECT * FROM am_tasks WHERE id = ?`).get(taskId) as TaskRow | undefined;
  if (!row) throw notFound('The task');
  return row;
}

export function taskSummary(db: Sqlite, taskId: string, now: number): TaskSummary {
  const t = getTaskRow(db, taskId);
  const s = listTasks(db, { status: 'all', now }).find((x) => x.id === t.id);
  if (!s) throw notFound('The task');
  return s;
}

export interface OutcomeInput {
  outcome: Outcome;
  /** YYYY-MM-DD, required for 'promised'. */
  promisedDate?: string | null;
  note?: string;
  by?: string | null;
  now: number;
}

/** End of the promised day (UTC), in unix seconds. */
export function endOfDay(date: string): number {
  return Math.floor(Date.parse(`${date}T23:59:59Z`) / 1000);
}

/**
 * Logs an outcome. Every outcome except "no answer" closes the task. "Promised
 * to pay" holds the invoice's remaining steps until the end of the promised day
 * (recovery_holds, read by the step engine); a call-list task's outcome is also
 * the call's result, so "last call not answered" escalations see it.
 */
export function logOutcome(db: Sqlite, taskId: string, o: OutcomeInput): TaskRow {
  const date = o.promisedDate?.trim() || null;
  if (o.outcome === 'promised') {
    if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
      throw badRequest('Promised to pay needs the promised date (YYYY-MM-DD).');
    }
    if (endOfDay(date) < o.now) throw badRequest(`The promised date ${date} is in the past.`);
  }
  const note = (o.note ?? '').slice(0, 5000);
  return db.transaction(() => {
    const t = getTaskRow(db, taskId);
    db.prepare(`INSERT INTO am_task_log (task_id, at, outcome, promised_date, note, by) VALUES (?, ?, ?, ?, ?, ?)`).run(
      t.id, o.now, o.outcome, o.outcome === 'promised' ? date : null, note, o.by ?? null,
    );
    db.prepare(
      `UPDATE am_tasks SET outcome = ?, promised_date = ?, status = ?, first_outcome_at = COALESCE(first_outcome_at, ?) WHERE id = ?`,
    ).run(o.outcome, o.outcome === 'promised' ? date : t.promised_date, o.outcome === 'no_answer' ? 'open' : 'done', o.now, t.id);
    if (o.outcome === 'promised') {
      db.prepare(
        `INSERT INTO recovery_holds (invoice_id, customer_id, until, reason, task_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(invoice_id) DO UPDATE SET until = excluded.until, reason = excluded.reason, task_id = excluded.task_id, created_at = excluded.created_at`,
      ).run(t.invoice_id, t.customer_id, endOfDay(date!), `${OUTCOME_LABELS.promised} by ${date}`, t.id, o.now);
    } else if (o.outcome === 'refused' || o.outcome === 'updated' || o.outcome === 'wrong_contact') {
      // A new answer replaces an earlier promise on the same invoice.
      db.prepare(`DELETE FROM recovery_holds WHERE invoice_id = ? AND task_id = ?`).run(t.invoice_id, t.id);
    }
    if (t.kind === 'call') {
      const status = o.outcome === 'no_answer' ? 'no-answer' : o.outcome === 'wrong_contact' ? 'failed' : 'answered';
      db.prepare(`UPDATE voice_calls SET status = ?, updated_at = ? WHERE action_key = ?`).run(status, o.now, t.action_key);
    }
    // The run's outbox row of this step: contact made → succeeded; wrong contact → failed; no answer → still pending.
    const label = `${OUTCOME_LABELS[o.outcome]}${o.outcome === 'promised' ? ` by ${date}` : ''}${note ? ` — ${note.slice(0, 200)}` : ''}`;
    resolvePending(db, t.action_key, {
      status: o.outcome === 'no_answer' ? 'pending' : o.outcome === 'wrong_contact' ? 'failed' : 'succeeded',
      detail: `${t.kind === 'call' ? 'call' : 'account manager'}: ${label}`,
      actor: o.by ?? null,
      nowMs: o.now * 1000,
    });
    if (o.outcome === 'promised') holdScheduled(db, t.invoice_id, endOfDay(date!), `${OUTCOME_LABELS.promised} by ${date}`, o.by ?? null, o.now * 1000);
    return getTaskRow(db, t.id);
  })();
}

/** The hold on an invoice's sequence at `now`, if any. */
export function holdFor(db: Sqlite, invoiceId: string, now: number): { until: number; reason: string } | null {
  const h = db.prepare(`SELECT until, reason FROM recovery_holds WHERE invoice_id = ? AND until > ?`).get(invoiceId, now) as
    | { until: number; reason: string }
    | undefined;
  return h ?? null;
}

export function taskLog(db: Sqlite, taskId: string): { at: number; outcome: Outcome; promisedDate: string | null; note: string; by: string | null }[] {
  return (
    db.prepare(`SELECT at, outcome, promised_date, note, by FROM am_task_log WHERE task_id = ? ORDER BY at, id`).all(taskId) as {
      at: number; outcome: Outcome; promised_date: string | null; note: string; by: string | null;
    }[]
  ).map((r) => ({ at: r.at, outcome: r.outcome, promisedDate: r.promised_date, note: r.note, by: r.by }));
}
