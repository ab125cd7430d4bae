import type { z } from 'zod';
import type { TimelineEntry } from '../../../shared/contract';
import { formatMoney } from '../../../shared/money';
import { declineWords } from '../../../shared/stripe-words';
import type { Sqlite } from '../db/sqlite';
import { isHardDecline } from '../facts/declines';

type Entry = z.infer<typeof TimelineEntry>;

/** A customer's failures, each recovery action with its result, and the recovery, newest first. */
export function customerTimeline(db: Sqlite, customerId: string): Entry[] {
  const out: Entry[] = [];
  const charges = db
    .prepare(`SELECT id, invoice_id, amount, currency, status, decline_code, failure_code, created FROM charges WHERE customer_id = ? ORDER BY created`)
    .all(customerId) as { id: string; invoice_id: string | null; amount: number; currency: string; status: string; decline_code: string | null; failure_code: string | null; created: number }[];
  for (const c of charges) {
    if (c.status === 'failed') {
      const code = c.decline_code ?? c.failure_code ?? 'declined';
      out.push({ at: c.created * 1000, kind: 'failure', title: `Payment of ${formatMoney(c.amount, c.currency)} failed`, detail: `${declineWords(code)} (${isHardDecline(code) ? 'hard' : 'soft'} decline)`, status: 'failed', channel: null, invoiceId: c.invoice_id, runId: null });
    } else if (c.status === 'succeeded') {
      out.push({ at: c.created * 1000, kind: 'payment', title: `Paid ${formatMoney(c.amount, c.currency)}`, detail: c.invoice_id ? `invoice ${c.invoice_id}` : null, status: 'succeeded', channel: null, invoiceId: c.invoice_id, runId: null });
    }
  }
  // Payments Reclaim learned of without a charge row yet (a retry's answer, the hosted page before the next sync).
  const paid = db
    .prepare(`SELECT id, amount_due, currency, paid_at FROM invoices WHERE customer_id = ? AND status = 'paid' AND paid_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.invoice_id = invoices.id AND c.status = 'succeeded')`)
    .all(customerId) as { id: string; amount_due: number; currency: string; paid_at: number }[];
  for (const p of paid) out.push({ at: p.paid_at * 1000, kind: 'payment', title: `Paid ${formatMoney(p.amount_due, p.currency)}`, detail: `invoice ${p.id}`, status: 'succeeded', channel: null, invoiceId: p.id, runId: null });
  const actions = db
    .prepare(`SELECT key, run_id, invoice_id, step_id, channel, status, detail, due_at, coalesce(finished_at_ms, updated_at_ms) AS at_ms FROM recovery_outbox WHERE customer_id = ? AND status <> 'scheduled' ORDER BY at_ms`)
    .all(customerId) as { key: string; run_id: string; invoice_id: string; step_id: string; channel: Entry['channel']; status: string; detail: string | null; due_at: number; at_ms: number }[];
  for (const a of actions) out.push({ at: a.at_ms, kind: 'action', title: `step “${a.step_id}”`, detail: a.detail, status: a.status, channel: a.channel, invoiceId: a.invoice_id, runId: a.run_id });
  const scheduled = db
    .prepare(`SELECT run_id, invoice_id, step_id, channel, due_at FROM recovery_outbox WHERE customer_id = ? AND status = 'scheduled' ORDER BY due_at`)
    .all(customerId) as { run_id: string; invoice_id: string; step_id: string; channel: Entry['channel']; due_at: number }[];
  for (const s of scheduled) out.push({ at: s.due_at * 1000, kind: 'action', title: `step “${s.step_id}”`, detail: 'fires when due unless the invoice is paid first', status: 'scheduled', channel: s.channel, invoiceId: s.invoice_id, runId: s.run_id });
  const joins = db.prepare(`SELECT run_id, invoice_id, segment_name, joined_at_ms, state, stop_reason FROM recovery_run_items WHERE customer_id = ?`).all(customerId) as {
    run_id: string; invoice_id: string; segment_name: string; joined_at_ms: number; state: string; stop_reason: string | null;
  }[];
  for (const j of joins) out.push({ at: j.joined_at_ms, kind: 'run', title: `Joined a recovery run (${j.segment_name} strategy)`, detail: j.stop_reason ? `stopped: ${j.stop_reason}` : j.state, status: j.state, channel: null, invoiceId: j.invoice_id, runId: j.run_id });
  return out.sort((a, b) => b.at - a.at);
}
