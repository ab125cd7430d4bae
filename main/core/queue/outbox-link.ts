/**
 * White-glove actions finish later than the engine's tick: a call is answered
 * (or not) minutes after it was placed, an account manager logs an outcome
 * hours later. These helpers carry the result into the run's outbox row
 * (which the engine left 'pending') and the audit log, so the run summary, the
 * timeline and escalation conditions ("if the last call was not answered") see it.
 */
import type { Sqlite } from '../db/sqlite';
import { audit } from '../recovery/audit';
import { actorName } from '../operators/session';
import { stepWords } from '../../../shared/words';

export function resolvePending(
  db: Sqlite,
  key: string,
  r: { status: 'succeeded' | 'failed' | 'pending'; detail: string; cost?: { amount: number; currency: string } | null; actor?: string | null; nowMs: number },
): boolean {
  const row = db.prepare(`SELECT run_id, invoice_id, customer_id, channel, step_id, status FROM recovery_outbox WHERE key = ?`).get(key) as
    | { run_id: string; invoice_id: string; customer_id: string; channel: string; step_id: string; status: string }
    | undefined;
  if (!row || (row.status !== 'pending' && row.status !== 'succeeded' && row.status !== 'failed')) return false;
  db.prepare(
    `UPDATE recovery_outbox SET status = ?, detail = ?, cost_amount = COALESCE(?, cost_amount), cost_currency = COALESCE(?, cost_currency), updated_at_ms = ?,
            finished_at_ms = CASE WHEN ? = 'pending' THEN finished_at_ms ELSE ? END WHERE key = ?`,
  ).run(r.status, r.detail, r.cost?.amount ?? null, r.cost?.currency ?? null, r.nowMs, r.status, r.nowMs, key);
  audit(db, r.nowMs, {
    actor: r.actor ?? actorName(db),
    kind: `action.${r.status === 'pending' ? 'updated' : r.status}`,
    runId: row.run_id,
    customerId: row.customer_id,
    invoiceId: row.invoice_id,
    message: `${stepWords(row.channel, row.step_id)}: ${r.detail}`,
    data: { key, ...(r.cost ? { cost: r.cost } : {}) },
  });
  return true;
}

/** Steps of the invoice still waiting fire no earlier than `until` (a promise to pay). */
export function holdScheduled(db: Sqlite, invoiceId: string, until: number, reason: string, actor: string | null, nowMs: number): number {
  const rows = db.prepare(`SELECT DISTINCT run_id, customer_id FROM recovery_outbox WHERE invoice_id = ? AND status = 'scheduled' AND due_at < ?`).all(invoiceId, until) as {
    run_id: string; customer_id: string;
  }[];
  const n = db.prepare(`UPDATE recovery_outbox SET due_at = ?, updated_at_ms = ? WHERE invoice_id = ? AND status = 'scheduled' AND due_at < ?`).run(until, nowMs, invoiceId, until).changes;
  for (const r of rows) {
    audit(db, nowMs, {
      actor: actor ?? actorName(db),
      kind: 'sequence.paused',
      runId: r.run_id,
      customerId: r.customer_id,
      invoiceId,
      message: `remaining steps wait until ${new Date(until * 1000).toISOString().slice(0, 10)}: ${reason}`,
    });
  }
  return n;
}
