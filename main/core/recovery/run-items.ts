import type { Sqlite } from '../db/sqlite';
import { audit } from './audit';
import { closedReason, invoiceById } from './data';

/** Stopping an invoice's remaining steps in a run: when it is paid, voided or marked uncollectible. */
export function stopItem(db: Sqlite, runId: string, invoiceId: string, reason: string, nowMs: number, actor: string): void {
  const changed = db.prepare(`UPDATE recovery_run_items SET state = 'stopped', stop_reason = ? WHERE run_id = ? AND invoice_id = ? AND state = 'active'`).run(reason, runId, invoiceId).changes;
  db.prepare(`UPDATE recovery_outbox SET status = 'canceled', detail = ?, updated_at_ms = ? WHERE run_id = ? AND invoice_id = ? AND status = 'scheduled'`).run(
    `not needed: the invoice was ${reason}`, nowMs, runId, invoiceId,
  );
  if (changed) {
    const customer = db.prepare(`SELECT customer_id FROM recovery_run_items WHERE run_id = ? AND invoice_id = ?`).pluck().get(runId, invoiceId) as string;
    audit(db, nowMs, { actor, kind: 'sequence.stopped', runId, invoiceId, customerId: customer, message: `remaining steps stopped: the invoice was ${reason}` });
  }
}

/** A payment (or void / uncollectible) seen by sync stops the remaining steps of every active run. */
export function stopClosedItems(db: Sqlite, nowMs: number, actorOf: () => string): number {
  const items = db
    .prepare(
      `SELECT i.run_id, i.invoice_id FROM recovery_run_items i JOIN recovery_runs r ON r.id = i.run_id JOIN invoices v ON v.id = i.invoice_id
       WHERE r.status IN ('running', 'paused') AND i.state = 'active' AND (v.status <> 'open' OR v.amount_remaining <= 0)`,
    )
    .all() as { run_id: string; invoice_id: string }[];
  if (!items.length) return 0;
  const actor = actorOf();
  db.transaction(() => {
    for (const it of items) {
      const reason = closedReason(invoiceById(db, it.invoice_id))?.replace(/^the invoice was /, '') ?? 'closed';
      stopItem(db, it.run_id, it.invoice_id, reason, nowMs, actor);
    }
  })();
  return items.length;
}

