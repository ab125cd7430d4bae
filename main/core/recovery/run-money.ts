import type { Sqlite } from '../db/sqlite';
import { converter } from '../facts/compute';

/**
 * A run's recovered revenue and cost in the workspace currency. Invoices and costs
 * in other currencies are converted with the workspace's rates (the same
 * conversion the facts and the Performance page use), so a run over USD and EUR
 * invoices never adds cents to euro cents.
 */
export function runMoney(db: Sqlite, runId: string, currency: string): { recovered: { invoices: number; amount: number }; cost: number } {
  const toWs = converter(db, currency.toLowerCase());
  const paid = db
    .prepare(
      `SELECT v.currency, count(*) AS n, coalesce(sum(v.amount_due), 0) AS amount FROM recovery_run_items i JOIN invoices v ON v.id = i.invoice_id
        WHERE i.run_id = ? AND i.stop_reason = 'paid' GROUP BY v.currency`,
    )
    .all(runId) as { currency: string; n: number; amount: number }[];
  const costs = db
    .prepare(`SELECT cost_currency AS currency, sum(cost_amount) AS amount FROM recovery_outbox WHERE run_id = ? AND cost_amount IS NOT NULL GROUP BY cost_currency`)
    .all(runId) as { currency: string | null; amount: number }[];
  const sum = (rows: { currency: string | null; amount: number }[]) => Math.round(rows.reduce((s, r) => s + toWs(r.amount, r.currency?.toLowerCase() ?? null), 0));
  return { recovered: { invoices: paid.reduce((s, r) => s + r.n, 0), amount: sum(paid) }, cost: sum(costs) };
}
