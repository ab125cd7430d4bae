import type { RunSummary } from '../../../../shared/contract';
import type { Sqlite } from '../../db/sqlite';
import { converter } from '../../facts/compute';
import { col, money, type Table } from '../table';

/**
 * Runs, newest first. The recovered amount and the cost are converted into
 * the workspace currency per invoice / per action (the run summary's own
 * sums add amounts as stored, whatever their currency).
 */
export function runsTable(db: Sqlite, runs: RunSummary[], currency: string): Table {
  const ws = currency.toLowerCase();
  const toWs = converter(db, ws);
  const recoveredStmt = db.prepare(`SELECT v.amount_due AS amount, v.currency AS currency FROM recovery_run_items i JOIN invoices v ON v.id = i.invoice_id WHERE i.run_id = ? AND i.stop_reason = 'paid'`);
  const costStmt = db.prepare(`SELECT cost_amount AS amount, cost_currency AS currency FROM recovery_outbox WHERE run_id = ? AND cost_amount IS NOT NULL`);
  const sum = (rows: { amount: number; currency: string | null }[]) => Math.round(rows.reduce((a, r) => a + toWs(r.amount, r.currency?.toLowerCase() ?? ws), 0));
  return {
    name: 'Runs',
    title: 'Runs',
    columns: [
      col('run_id', 'Run'),
      col('plan_id', 'Plan'),
      col('status', 'Status'),
      col('mode', 'Mode'),
      col('started_at', 'Started (UTC)', 'datetime'),
      col('started_by', 'Started by'),
      col('invoices', 'Invoices', 'integer'),
      col('succeeded', 'Actions succeeded', 'integer'),
      col('failed', 'Actions failed', 'integer'),
      col('skipped', 'Actions skipped', 'integer'),
      col('scheduled', 'Actions scheduled', 'integer'),
      col('canceled', 'Actions canceled', 'integer'),
      col('recovered_invoices', 'Invoices recovered', 'integer'),
      money('recovered_amount', 'Amount recovered', ws),
      money('cost', 'Cost', ws),
      col('currency', 'Currency'),
      col('message', 'Message'),
    ],
    rows: runs.map((r) => [
      r.id, r.planId, r.status, r.mode, r.createdAt, r.startedBy, r.invoices,
      r.counts.succeeded, r.counts.failed, r.counts.skipped, r.counts.scheduled, r.counts.canceled,
      r.recovered.invoices, sum(recoveredStmt.all(r.id) as { amount: number; currency: string }[]), sum(costStmt.all(r.id) as { amount: number; currency: string | null }[]),
      ws.toUpperCase(), r.message,
    ]),
  };
}
