/**
 * Everything an account manager needs on one screen for a task: facts, open
 * invoices and amount at risk, payment history with decline codes, segment and
 * why it wins, what was already sent or done, the call script and the personal
 * email draft.
 */
import type { TaskContext } from '../../../shared/whiteglove';
import { OUTCOME_LABELS } from '../../../shared/whiteglove';
import type { Sqlite } from '../db/sqlite';
import { catalogFor } from '../facts/catalog';
import { isHardDecline } from '../facts/declines';
import { amSender } from '../recovery/am-sender';
import { DEFAULT_FROM } from '../recovery/channels/deliver';
import { membershipFor } from '../segments/service';
import { reportingCurrency } from './customer';
import { getTaskRow, taskLog, taskSummary } from './tasks';
import { ACTION_STATUS_WORDS, stepWords } from '../../../shared/words';

type Timeline = TaskContext['timeline'];

function has(db: Sqlite, table: string): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table));
}

/** What happened to a customer so far, newest first: failures, run actions, calls, tasks, webhooks, holds. */
export function customerTimeline(db: Sqlite, customerId: string): Timeline {
  const out: Timeline = [];
  for (const c of db
    .prepare(`SELECT id, invoice_id, amount, currency, status, decline_code, failure_code, created FROM charges WHERE customer_id = ? ORDER BY created DESC LIMIT 50`)
    .all(customerId) as { id: string; invoice_id: string | null; amount: number; currency: string; status: string; decline_code: string | null; failure_code: string | null; created: number }[]) {
    const code = c.decline_code ?? c.failure_code;
    out.push({
      at: c.created,
      channel: 'payment',
      title: c.status === 'failed' ? `Payment failed${code ? ` (${code})` : ''}` : `Payment ${c.status}`,
      detail: `${(c.amount / 100).toFixed(2)} ${c.currency.toUpperCase()}${c.invoice_id ? ` · ${c.invoice_id}` : ''}`,
    });
  }
  if (has(db, 'recovery_outbox')) {
    for (const r of db
      .prepare(`SELECT channel, step_id, status, detail, updated_at_ms FROM recovery_outbox WHERE customer_id = ? AND status NOT IN ('scheduled') ORDER BY updated_at_ms DESC LIMIT 100`)
      .all(customerId) as { channel: string; step_id: string; status: string; detail: string | null; updated_at_ms: number }[]) {
      out.push({ at: Math.floor(r.updated_at_ms / 1000), channel: r.channel, title: `${stepWords(r.channel, r.step_id)}: ${ACTION_STATUS_WORDS[r.status] ?? r.status}`, detail: r.detail ?? '' });
    }
  }
  if (has(db, 'recovery_emails')) {
    for (const e of db
      .prepare(`SELECT subject, to_addr, from_addr, created_at_ms FROM recovery_emails WHERE customer_id = ? ORDER BY created_at_ms DESC LIMIT 50`)
      .all(customerId) as { subject: string; to_addr: string; from_addr: string; created_at_ms: number }[]) {
      out.push({ at: Math.floor(e.created_at_ms / 1000), channel: 'email', title: `Email sent: ${e.subject}`, detail: `from ${e.from_addr} to ${e.to_addr}` });
    }
  }
  for (const v of db
    .prepare(`SELECT provider, status, duration_sec, cost, currency, created_at, updated_at FROM voice_calls WHERE customer_id = ? ORDER BY created_at DESC`)
    .all(customerId) as { provider: string; status: string; duration_sec: number | null; cost: number | null; currency: string; created_at: number; updated_at: number }[]) {
    out.push({
      at: v.updated_at,
      channel: 'voice',
      title: v.provider === 'call_list' ? `Call task: ${v.status}` : `Voice call: ${v.status}`,
      detail: [v.duration_sec ? `${v.duration_sec}s` : null, v.cost != null ? `cost ${(v.cost / 100).toFixed(2)} ${v.currency.toUpperCase()}` : null].filter(Boolean).join(' · '),
    });
  }
  for (const l of db
    .prepare(`SELECT l.at, l.outcome, l.promised_date, l.note, l.by FROM am_task_log l JOIN am_tasks t ON t.id = l.task_id WHERE t.customer_id = ? ORDER BY l.at DESC, l.id DESC`)
    .all(customerId) as { at: number; outcome: keyof typeof OUTCOME_LABELS; promised_date: string | null; note: string; by: string | null }[]) {
    out.push({
      at: l.at,
      channel: 'am_task',
      title: `${OUTCOME_LABELS[l.outcome]}${l.promised_date ? ` (by ${l.promised_date})` : ''}`,
      detail: [l.by ? `logged by ${l.by}` : null, l.note || null].filter(Boolean).join(' · '),
    });
  }
  for (const t of db.prepare(`SELECT created_at, kind, assignee FROM am_tasks WHERE customer_id = ?`).all(customerId) as { created_at: number; kind: string; assignee: string | null }[]) {
    out.push({ at: t.created_at, channel: 'am_task', title: t.kind === 'call' ? 'Call task created' : 'Account-manager task created', detail: t.assignee ? `assigned to ${t.assignee}` : 'unassigned' });
  }
  for (const w of db
    .prepare(`SELECT status, attempts, last_status, created_at, delivered_at FROM webhook_deliveries WHERE customer_id = ?`)
    .all(customerId) as { status: string; attempts: number; last_status: number | null; created_at: number; delivered_at: number | null }[]) {
    out.push({ at: w.delivered_at ?? w.created_at, channel: 'webhook', title: `Webhook ${w.status}`, detail: `${w.attempts} attempt(s)${w.last_status ? `, last HTTP ${w.last_status}` : ''}` });
  }
  return out.sort((a, b) => b.at - a.at);
}

export function taskContext(db: Sqlite, taskId: string, now: number): TaskContext {
  const t = getTaskRow(db, taskId);
  const currency = reportingCurrency(db);
  const facts = (db.prepare(`SELECT * FROM customer_facts WHERE customer_id = ?`).get(t.customer_id) ?? {}) as Record<string, unknown>;
  for (const k of ['tags', 'attrs']) if (typeof facts[k] === 'string') facts[k] = JSON.parse(facts[k] as string);
  const openInvoices = (
    db
      .prepare(`SELECT id, json_extract(raw, '$.number') AS number, status, amount_remaining, currency, attempt_count, created, hosted_invoice_url FROM invoices WHERE customer_id = ? AND status = 'open' AND amount_remaining > 0 ORDER BY created DESC`)
      .all(t.customer_id) as { id: string; number: string | null; status: string; amount_remaining: number; currency: string; attempt_count: number; created: number; hosted_invoice_url: string | null }[]
  ).map((i) => ({ id: i.id, number: i.number, status: i.status, amountRemaining: i.amount_remaining, currency: i.currency, attemptCount: i.attempt_count, created: i.created, hostedInvoiceUrl: i.hosted_invoice_url }));
  const payments = (
    db
      .prepare(`SELECT id, created, amount, currency, status, COALESCE(decline_code, failure_code) AS code FROM charges WHERE customer_id = ? ORDER BY created DESC LIMIT 30`)
      .all(t.customer_id) as { id: string; created: number; amount: number; currency: string; status: string; code: string | null }[]
  ).map((c) => ({ id: c.id, created: c.created, amount: c.amount, currency: c.currency, status: c.status, declineCode: c.code, hard: c.code ? isHardDecline(c.code) : null }));
  let segmentWhy = 'Matches no segment: the Default strategy applies.';
  try {
    segmentWhy = membershipFor(db, t.customer_id, catalogFor(db), now, currency).why;
  } catch {
    /* facts missing: keep the default sentence */
  }
  const customer = db.prepare(`SELECT email FROM customer_facts WHERE customer_id = ?`).get(t.customer_id) as { email: string | null } | undefined;
  const sender = amSender(db, t.assignee, DEFAULT_FROM);
  return {
    task: taskSummary(db, taskId, now),
    facts,
    currency,
    openInvoices,
    payments,
    segmentWhy,
    timeline: customerTimeline(db, t.customer_id),
    callScript: t.call_script,
    emailDraft: { from: t.assignee, to: customer?.email ?? null, subject: t.email_subject, text: t.email_text, fromHeader: sender.from, repliesGoTo: sender.repliesGoTo, repliesReachManager: sender.repliesReachManager },
    log: taskLog(db, taskId),
  };
}
